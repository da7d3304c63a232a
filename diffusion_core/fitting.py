"""One optimisation loop for the networks beside ScoreNet (class-conditional scores, flows).

It is the default recipe of dc.train_score_model, reused piece by piece: Adam (fused where
possible), cfg's warmup + cosine (or constant) learning rate, minibatches of a fixed data set,
and the EMA of the weights that is returned. The loss is any function of (net, batch).
"""
from __future__ import annotations

import time

import pandas as pd
import torch

from .config import TrainConfig
from .training import _EMA, _adam, _lr_at, _minibatches

__all__ = ["fit", "FIT_COLUMNS"]

FIT_COLUMNS = ("step", "train_loss", "lr", "seconds")


def fit(net: torch.nn.Module, data: torch.Tensor, loss_fn, cfg: TrainConfig, generator,
        callback=None):
    """Minimise loss_fn(net, batch) over cfg.steps minibatches of `data` (rows; cfg.batch_size).

    Returns (net, history): the EMA weights (cfg.ema > 0) or the net itself, in eval mode without
    gradients, and one history row per logged step (mean training loss since the last row).
    callback(step, total, row) at every logged step; returning True stops early.
    """
    ema = _EMA(net, cfg.ema)
    opt = _adam(net.parameters(), cfg.lr)
    batches = _minibatches(data, cfg.batch_size, generator)
    rows, start = [], time.perf_counter()
    loss_sum, count = torch.zeros((), device=data.device), 0
    for k in range(cfg.steps):
        lr = _lr_at(cfg, k)
        for group in opt.param_groups:
            group["lr"] = lr
        loss = loss_fn(net, next(batches))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        ema.update()
        loss_sum, count, step = loss_sum + loss.detach(), count + 1, k + 1
        if step == 1 or step % cfg.log_every == 0 or step == cfg.steps:
            rows.append({"step": step, "train_loss": float(loss_sum) / count, "lr": lr,
                         "seconds": time.perf_counter() - start})
            loss_sum, count = torch.zeros((), device=data.device), 0
            if callback is not None and callback(step, cfg.steps, rows[-1]):
                break
    return ema.avg.eval().requires_grad_(False), pd.DataFrame(rows, columns=list(FIT_COLUMNS))
