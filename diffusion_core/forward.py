"""Exact simulation of the forward process and the quantities the forward-diffusion page shows.

Every SDE here has x_t = alpha_t x_0 + sigma_t z for a single path's marginal. Along a path,
x~_t = x_t / alpha_t is a Brownian motion in the clock r_t^2 = (sigma_t / alpha_t)^2 started at
x_0 (for the VE SDE alpha = 1 and r = sigma; for the VP SDE d(1/alpha^2) = g^2 / alpha^2 dt), so

    x~_{t_j} = x~_{t_i} + sqrt(r_{t_j}^2 - r_{t_i}^2) z,   z ~ N(0, I) independent of the past,

is an exact (not Euler-discretized) step of any length. :func:`simulate_forward` draws whole
paths this way with one cumulative sum.
"""
from __future__ import annotations

import torch

from .mixture import GaussianMixture, as_data
from .sde import SDE

__all__ = ["simulate_forward", "forward_paths", "marginal_log_density", "schedule",
           "check_times", "cloud_limit"]


def check_times(times, dtype=torch.float64) -> torch.Tensor:
    """Times as a 1D float tensor in [0, 1], non-decreasing; a clear ValueError otherwise."""
    t = torch.as_tensor(times, dtype=dtype).reshape(-1)
    if t.numel() == 0:
        raise ValueError("times must hold at least one time")
    if not torch.isfinite(t).all() or (t < 0).any() or (t > 1).any():
        raise ValueError("times must be finite numbers in [0, 1]")
    if (t[1:] < t[:-1]).any():
        raise ValueError("times must be non-decreasing")
    return t


def simulate_forward(x0, sde: SDE, times, generator: torch.Generator | None = None) -> torch.Tensor:
    """Paths of the forward SDE started at x0 (N, d), observed at `times` (T,): shape (T, N, d).

    Exact in distribution: with r_t = sigma_t / alpha_t and r_{t_{-1}} = 0 (the start x0 at t = 0),
    x_{t_j} = alpha_{t_j} (x0 + sum_{i <= j} sqrt(r_{t_i}^2 - r_{t_{i-1}}^2) z_i). So each x_t | x0
    is N(alpha_t x0, sigma_t^2 I), and Cov(x~_s, x~_t | x0) = r_{min(s,t)}^2 I (independent
    increments). `times` must be non-decreasing in [0, 1]; a time 0 returns x0 itself.
    """
    x0 = as_data(x0)
    t = check_times(times)
    r2 = sde.noise_ratio(t) ** 2                                       # float64, non-decreasing
    var_inc = torch.diff(r2, prepend=r2.new_zeros(1)).clamp_min(0)    # r_j^2 - r_{j-1}^2
    z = torch.randn((t.numel(), *x0.shape), generator=generator, dtype=torch.float64,
                    device="cpu")
    xt = x0.to("cpu", torch.float64)[None] + torch.cumsum(var_inc.sqrt()[:, None, None] * z, 0)
    out = sde.mean_scale(t)[:, None, None] * xt
    return out.to(x0.device, x0.dtype)


def forward_paths(gmm: GaussianMixture, sde: SDE, n: int, n_times: int,
                  generator: torch.Generator | None = None):
    """n starting points x0 ~ gmm and their paths on the uniform grid of n_times times in [0, 1].

    Returns (times (T,), paths (T, n, d), labels (n,)): labels are the mixture components the
    starting points were drawn from, to colour paths by where they started.
    """
    if int(n) < 1:
        raise ValueError(f"number of paths must be >= 1; got {n}")
    if int(n_times) < 2:
        raise ValueError(f"number of times must be >= 2; got {n_times}")
    x0, labels = gmm.sample(int(n), generator=generator, dtype=torch.float64)
    times = torch.linspace(0.0, 1.0, int(n_times), dtype=torch.float64)
    return times, simulate_forward(x0, sde, times, generator=generator), labels


def marginal_log_density(gmm: GaussianMixture, sde: SDE, times, points) -> torch.Tensor:
    """log p_t(x) of the diffused mixture for every time and point: shape (T, N).

    p_t is exact: gmm.diffuse(sde, t), the mixture with means alpha_t mu_k and covariances
    alpha_t^2 Sigma_k + sigma_t^2 I.
    """
    t = check_times(times)
    pts = torch.as_tensor(points, dtype=torch.float64)
    if pts.ndim == 1:
        pts = pts[:, None]
    return torch.stack([gmm.diffuse(sde, float(ti)).log_prob(pts) for ti in t])


def schedule(sde: SDE, n: int = 101) -> dict[str, torch.Tensor]:
    """The noise schedule on n uniform times in [0, 1]: t, sigma_t, g(t), alpha_t (float64)."""
    t = torch.linspace(0.0, 1.0, int(n), dtype=torch.float64)
    return {"t": t, "sigma": sde.sigma(t), "g": sde.g(t), "alpha": sde.mean_scale(t)}


def cloud_limit(gmm: GaussianMixture, sde: SDE, pad_std: float = 3.0) -> float:
    """A half-width L so that [-L, L]^d holds p_t for every t in [0, 1] (mean +- pad_std std).

    alpha_t^2 v + sigma_t^2 is largest at t = 0 or t = 1 for the SDEs here, and |alpha_t mu| <= |mu|
    since alpha_t <= 1, so checking both ends bounds the whole path.
    """
    var0 = gmm.covs.diagonal(dim1=1, dim2=2).max()
    reach = gmm.means.abs().max()
    t = torch.tensor([0.0, 1.0], dtype=torch.float64)
    a, s = sde.mean_scale(t), sde.sigma(t)
    std = (a * a * var0 + s * s).sqrt().max()
    return float(reach + pad_std * std)
