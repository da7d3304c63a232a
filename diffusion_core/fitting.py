"""The one optimisation loop of every network here: score nets (dc.train_score_model),
class-conditional score nets, flows.

Adam (fused where possible), cfg's warmup + cosine (or constant) learning rate, endless
minibatches of a fixed data set, and the EMA of the weights, which is what `fit` returns. The loss
is any function of (net, batch); what a logged row records is the caller's (`row`).
"""
from __future__ import annotations

import copy
import math
import time

import pandas as pd
import torch

from .config import TrainConfig

__all__ = ["fit", "lr_at", "FIT_COLUMNS"]

FIT_COLUMNS = ("step", "train_loss", "lr", "seconds")


def lr_at(cfg: TrainConfig, k: int) -> float:
    """lr at step k (0-based): linear warmup over `warmup` steps, then constant or
    cosine decay lr * (1 + cos(pi * progress)) / 2 to 0 at the last step."""
    if k < cfg.warmup:
        return cfg.lr * (k + 1) / cfg.warmup
    if cfg.lr_schedule == "constant":
        return cfg.lr
    p = (k - cfg.warmup) / max(1, cfg.steps - cfg.warmup)
    return cfg.lr * 0.5 * (1 + math.cos(math.pi * p))


def _adam(params, lr: float) -> torch.optim.Adam:
    """Adam, fused into one kernel per tensor where the device supports it."""
    params = list(params)
    try:
        return torch.optim.Adam(params, lr=lr, fused=True)
    except (RuntimeError, ValueError, TypeError):
        return torch.optim.Adam(params, lr=lr)


def _minibatches(data: torch.Tensor, batch_size: int, generator):
    """Endless minibatches: the whole set when batch_size is 0 or n, else passes over a fresh
    random permutation (the last partial batch of a pass is dropped)."""
    n = data.shape[0]
    if batch_size in (0, n):
        while True:
            yield data
    while True:
        order = torch.randperm(n, generator=generator, device=data.device)
        for i in range(0, n - batch_size + 1, batch_size):
            yield data[order[i:i + batch_size]]


class _EMA:
    """avg <- avg + (1 - d_k) (theta - avg) with d_k = min(decay, (k + 1) / (k + 10)), so early
    averages do not remember the initial weights (decay 0: avg is the network itself)."""

    def __init__(self, net: torch.nn.Module, decay: float):
        self.decay, self.k = decay, 0
        self.avg = copy.deepcopy(net).requires_grad_(False) if decay > 0 else net
        self.params, self.avg_params = list(net.parameters()), list(self.avg.parameters())

    @torch.no_grad()
    def update(self):
        if self.decay > 0:
            d = min(self.decay, (self.k + 1) / (self.k + 10))
            torch._foreach_lerp_(self.avg_params, self.params, 1 - d)
        self.k += 1


def _basic_row(net, step: int, train_loss: float, lr: float, seconds: float) -> dict:
    return {"step": step, "train_loss": train_loss, "lr": lr, "seconds": seconds}


def fit(net: torch.nn.Module, data: torch.Tensor, loss_fn, cfg: TrainConfig, generator,
        callback=None, row=None, columns=FIT_COLUMNS, progress_every: int | None = None):
    """Minimise loss_fn(net, batch) over cfg.steps minibatches of `data` (rows; cfg.batch_size).

    Every cfg.log_every steps (and at the first and last) a history row is logged:
    row(averaged_net, step, mean training loss since the last row, lr, seconds) -> dict (default:
    the FIT_COLUMNS). callback(step, total, row_or_None) is called at every logged step and, when
    progress_every is given, every progress_every steps; returning True stops early (a row is
    then logged for the last step). Returns (net, history): the EMA weights (cfg.ema > 0) or the
    net itself, in eval mode without gradients, and the rows as a DataFrame of `columns`.
    """
    row = row or _basic_row
    ema = _EMA(net, cfg.ema)
    opt = _adam(net.parameters(), cfg.lr)
    batches = _minibatches(data, cfg.batch_size, generator)
    rows, start = [], time.perf_counter()
    loss_sum, count = torch.zeros((), device=data.device), 0

    def log(step, lr):
        nonlocal loss_sum, count
        rows.append(row(ema.avg, step, float(loss_sum) / max(1, count), lr, time.perf_counter() - start))
        loss_sum, count = torch.zeros((), device=data.device), 0
        return rows[-1]

    for k in range(cfg.steps):
        lr = lr_at(cfg, k)
        for group in opt.param_groups:
            group["lr"] = lr
        loss = loss_fn(net, next(batches))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        ema.update()
        loss_sum, count, step = loss_sum + loss.detach(), count + 1, k + 1
        logged = log(step, lr) if step == 1 or step % cfg.log_every == 0 or step == cfg.steps else None
        if callback is not None and (logged is not None or (progress_every and step % progress_every == 0)):
            if callback(step, cfg.steps, logged):
                if logged is None:
                    log(step, lr)
                break
    return ema.avg.eval().requires_grad_(False), pd.DataFrame(rows, columns=list(columns))
