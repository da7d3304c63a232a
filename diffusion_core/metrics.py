"""Distances between sample sets and checks of samples against a known mixture."""
from __future__ import annotations

import numpy as np
import torch

from .mixture import GaussianMixture

__all__ = ["sliced_w2", "energy_distance", "loglik_gap", "logp_w1", "mode_weights", "wasserstein_1d"]


def _f64(x) -> torch.Tensor:
    return torch.as_tensor(x).detach().to("cpu", torch.float64)


def _pair(a, b, what: str):
    """Two point sets as float64 (n, d) and (m, d) tensors with the same d."""
    a, b = _f64(a), _f64(b)
    a, b = (v[:, None] if v.ndim == 1 else v for v in (a, b))
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"{what}: both sets must be (N, d) with the same d; "
                         f"got {tuple(a.shape)} and {tuple(b.shape)}")
    if a.shape[0] == 0 or b.shape[0] == 0:
        raise ValueError(f"{what}: both sets must hold at least one point")
    return a, b


def _sorted_columns(v: torch.Tensor) -> torch.Tensor:
    """Each column of v (n, P) sorted. Sorted as contiguous rows: sorting along dim 0 of an
    (n, P) tensor strides through memory (10x slower at P = 256, n = 20,000); numpy's sort of
    float64 rows is faster than torch's on CPU."""
    return torch.from_numpy(np.sort(v.T.contiguous().numpy(), axis=1)).T


def _wp_power(a: torch.Tensor, b: torch.Tensor, p: float) -> torch.Tensor:
    """int_0^1 |F^-1(u) - G^-1(u)|^p du for every column of a (n, P) and b (m, P), exactly:
    the empirical quantile functions are steps at i/n and j/m, constant between the merged
    breakpoints, so the integral is a sum over those n + m intervals (one sort per column)."""
    a, b = _sorted_columns(a), _sorted_columns(b)
    n, m = a.shape[0], b.shape[0]
    if n == m:
        return ((a - b).abs() ** p).mean(dim=0)
    u = torch.cat([torch.arange(1, n + 1, dtype=torch.float64) / n,
                   torch.arange(1, m + 1, dtype=torch.float64) / m]).sort().values
    lo = torch.cat([torch.zeros(1, dtype=torch.float64), u[:-1]])
    width, mid = u - lo, 0.5 * (u + lo)
    ia = (mid * n).floor().long().clamp(0, n - 1)
    ib = (mid * m).floor().long().clamp(0, m - 1)
    return (width[:, None] * (a[ia] - b[ib]).abs() ** p).sum(dim=0)


def wasserstein_1d(a, b, p: int = 1) -> torch.Tensor:
    """W_p between two 1D samples (any sizes): (int_0^1 |F^-1(u) - G^-1(u)|^p du)^(1/p)."""
    a, b = _f64(a).reshape(-1, 1), _f64(b).reshape(-1, 1)
    if a.shape[0] == 0 or b.shape[0] == 0:
        raise ValueError("wasserstein_1d: both samples must hold at least one value")
    return _wp_power(a, b, p)[0] ** (1 / p)


def sliced_w2(a, b, n_proj: int = 256, seed: int = 0) -> float:
    """Sliced Wasserstein-2: sqrt(E_theta W_2^2(<a, theta>, <b, theta>)), theta uniform on the
    sphere, n_proj fixed directions drawn from `seed` (the same for every call). For b = a + m,
    each slice moves by <m, theta>, so SW2^2 = E (m . theta)^2 = |m|^2 / d."""
    a, b = _pair(a, b, "sliced_w2")
    g = torch.Generator().manual_seed(seed)
    theta = torch.randn(a.shape[1], n_proj, generator=g, dtype=torch.float64)
    theta = theta / theta.norm(dim=0, keepdim=True)
    return float(_wp_power(a @ theta, b @ theta, 2).mean().sqrt())


def energy_distance(a, b, max_points: int = 4000, seed: int = 0) -> float:
    """Energy distance 2 E|X-Y| - E|X-X'| - E|Y-Y'| (>= 0, 0 iff equal laws), on at most
    max_points points of each set (chosen with `seed`)."""
    a, b = _pair(a, b, "energy_distance")
    g = torch.Generator().manual_seed(seed)
    if a.shape[0] > max_points:
        a = a[torch.randperm(a.shape[0], generator=g)[:max_points]]
    if b.shape[0] > max_points:
        b = b[torch.randperm(b.shape[0], generator=g)[:max_points]]
    exact = "donot_use_mm_for_euclid_dist"      # no |x|^2 + |y|^2 - 2 x.y cancellation
    ab, aa, bb = (torch.cdist(u, v, compute_mode=exact).mean() for u, v in ((a, b), (a, a), (b, b)))
    return float((2 * ab - aa - bb).clamp_min(0))


def loglik_gap(samples, gmm: GaussianMixture, reference=None) -> float:
    """E_truth[log p] - E_samples[log p]; positive when samples sit in less likely places.
    The truth's mean is from `reference` samples, or exact by Monte Carlo with 100,000 draws."""
    x = _f64(samples)
    if reference is None:
        reference, _ = gmm.sample(100_000, torch.Generator().manual_seed(12345), dtype=torch.float64)
    return float(gmm.log_prob(_f64(reference)).mean() - gmm.log_prob(x).mean())


def logp_w1(samples, gmm: GaussianMixture, reference) -> float:
    """W_1 between the distributions of log p(x) over samples and over true samples: unlike a
    mean gap, blur and over-sharpening cannot cancel."""
    return float(wasserstein_1d(gmm.log_prob(_f64(samples)), gmm.log_prob(_f64(reference))))


def mode_weights(samples, gmm: GaussianMixture) -> torch.Tensor:
    """Share of samples whose most responsible component is k, shape (K,)."""
    x = _f64(samples)
    k = gmm.responsibilities(x).argmax(dim=1)
    return torch.bincount(k, minlength=gmm.n_components).to(torch.float64) / max(1, x.shape[0])
