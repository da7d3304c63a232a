"""What the lesson pages with networks of their own share (Guidance, Flow matching, Digits): the
training recipe, and their trained networks held once per (kind, config, mixture, lambda, device)
for the whole server by dashboard.trained.once, with a progress bar while they train. Networks
are stored in eval mode and never changed afterwards."""
from __future__ import annotations

import math

import torch

import diffusion_core as dc
from dashboard import models
from dashboard import trained as trained_once

def recipe(seed: int) -> dc.TrainConfig:
    """The training recipe of both pages: the Train page's default ("ours") with the sidebar seed."""
    return models.default_config("ours", seed)


def is_trained(kind, cfg, gmm, lam, device="cpu") -> bool:
    return trained_once.is_trained(("lesson", kind, cfg, gmm, float(lam), str(device)))


def trained(kind, cfg, gmm, lam, device, train, what: str, progress=None):
    """(net, history) of the lesson network `kind`, trained by train(callback) on first request
    (dashboard.trained.once), with a progress bar in `progress`; a diverging loss stops early."""
    def make():
        bar = progress.progress(0.0, text=f"Training the {what}…") if progress is not None else None

        def callback(step, total, row):
            if bar is not None:
                bar.progress(min(1.0, step / total), text=f"Training the {what}: step {step:,} of {total:,}")
            return row is not None and not math.isfinite(float(row.get("train_loss", 0.0)))

        net, history = train(callback)
        return net.eval(), history

    return trained_once.once(("lesson", kind, cfg, gmm, float(lam), str(device)), make, progress,
                             f"Training the {what} (started by another session); it is shared as "
                             "soon as it is done…")


def on_cpu(net, device):
    """A velocity/score function of `net` evaluated without autograd, returning CPU tensors."""
    dev = torch.device(device)

    def fn(x, t, *y):
        with torch.inference_mode():
            t = torch.as_tensor(t, dtype=torch.float32)
            out = net(x.to(dev, torch.float32), t.to(dev), *y)
            return out.to("cpu", x.dtype).clone()
    return fn
