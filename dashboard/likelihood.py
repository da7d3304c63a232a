"""The likelihood page's computations, cached: log p_0 by the probability-flow ODE with the exact or
a learned score, on a grid and at true samples, and the rendered maps."""
from __future__ import annotations

import time

import numpy as np
import torch

import diffusion_core as dc
from diffusion_core.likelihood import ode_log_likelihood
from dashboard import models, state
from dashboard.figures import lab as lfig
from dashboard.figures.common import auto_limits
from dashboard.figures.common import figure_png


def _score_fn(source, gmm, sde, cfg, device):
    if source == "exact":
        return dc.exact_score(gmm, sde), torch.float64
    net = models.trained_model(cfg, gmm, sde.lam, device).net
    dev = torch.device(device)

    def score(x, t):                      # with gradients, for the divergence
        return net(x.to(dev, torch.float32), t.to(dev, torch.float32)).to(x.device, x.dtype)
    return score, torch.float32


@state.cache_data(max_entries=16)
def likelihood(gmm, lam: float, source: str, grid_n: int, n: int, steps: int, solver: str,
               prior: str, t_eps: float, seed: int, cfg=None, device: str = "cpu") -> dict:
    """ODE log-likelihood and true log p_0 on a grid_n x grid_n grid and at n true samples."""
    sde = dc.VESDE(lam)
    score, dtype = _score_fn(source, gmm, sde, cfg, device)
    xlim, ylim = auto_limits(gmm)
    xx, yy = np.meshgrid(np.linspace(*xlim, grid_n), np.linspace(*ylim, grid_n))
    grid = torch.from_numpy(np.stack([xx.ravel(), yy.ravel()], 1))
    samples, _ = gmm.sample(n, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    pts = torch.cat([grid, samples]).to(dtype)
    prior_logp = gmm.diffuse(sde, 1.0).log_prob if prior == "exact" else None
    t0 = time.perf_counter()
    ll = ode_log_likelihood(score, sde, pts, steps=steps, t_eps=t_eps, solver=solver,
                            prior_logp=prior_logp).double()
    seconds = time.perf_counter() - t0
    true = gmm.log_prob(pts.double())
    m = grid_n * grid_n
    return {"xx": xx, "yy": yy, "ode_grid": ll[:m].reshape(grid_n, grid_n).numpy(),
            "true_grid": true[:m].reshape(grid_n, grid_n).numpy(), "samples": samples.numpy(),
            "ode_s": ll[m:].numpy(), "true_s": true[m:].numpy(), "seconds": seconds,
            "finite": bool(torch.isfinite(ll).all())}


@state.cache_data(max_entries=16)
def maps_png(res: dict, title: str) -> bytes:
    fig = lfig.likelihood_maps(res["xx"], res["yy"], res["ode_grid"], res["true_grid"],
                               res["samples"][:300], title_ode=title)
    return figure_png(fig, dpi=100)


def cancel_note(ode_s, true_s) -> str:
    """When the two mean log-likelihoods agree far better than the points do (the mean of the
    differences is under a tenth of their mean size), say that the errors cancel; else ""."""
    d = np.asarray(ode_s, dtype=float) - np.asarray(true_s, dtype=float)
    mean_abs = float(np.abs(d).mean()) if d.size else 0.0
    if mean_abs == 0 or abs(float(d.mean())) >= 0.1 * mean_abs:
        return ""
    gap = round(float(d.mean()), 4)
    side = f" (the ODE's is the {'higher' if gap > 0 else 'lower'})" if gap else ""
    return (f"The two mean log-likelihoods differ by only {abs(gap):.4f} nats{side} "
            f"while a sample's |ODE − exact| is {mean_abs:.4f} on average: the ODE is too high at "
            f"{100 * float((d > 0).mean()):.0f} % of the samples and too low at "
            f"{100 * float((d < 0).mean()):.0f} %, and these errors cancel in the mean.")
