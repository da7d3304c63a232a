"""Distances between sample sets and checks of samples against a known mixture."""
from __future__ import annotations

import torch

from .mixture import GaussianMixture

__all__ = ["sliced_w2", "energy_distance", "loglik_gap", "logp_w1", "mode_weights", "wasserstein_1d"]


def _f64(x) -> torch.Tensor:
    return torch.as_tensor(x).detach().to("cpu", torch.float64)


def _quantiles(v: torch.Tensor, m: int) -> torch.Tensor:
    """m empirical quantiles at mid-ranks (i + 1/2) / m of each column of v (n, P)."""
    v = v.sort(dim=0).values
    n = v.shape[0]
    pos = (torch.arange(m, dtype=torch.float64) + 0.5) * n / m - 0.5
    lo = pos.floor().clamp(0, n - 1).long()
    hi = (lo + 1).clamp(max=n - 1)
    w = (pos - lo).clamp(0, 1)[:, None]
    return v[lo] * (1 - w) + v[hi] * w


def wasserstein_1d(a, b, p: int = 1) -> torch.Tensor:
    """W_p between two 1D samples (any sizes), by matching quantiles: (int |F^-1 - G^-1|^p)^(1/p)."""
    a, b = _f64(a).reshape(-1, 1), _f64(b).reshape(-1, 1)
    m = max(a.shape[0], b.shape[0])
    d = (_quantiles(a, m) - _quantiles(b, m)).abs() ** p
    return d.mean() ** (1 / p)


def sliced_w2(a, b, n_proj: int = 256, seed: int = 0) -> float:
    """Sliced Wasserstein-2: sqrt(E_theta W_2^2(<a, theta>, <b, theta>)), theta uniform on the
    sphere, n_proj fixed directions drawn from `seed` (the same for every call)."""
    a, b = _f64(a), _f64(b)
    g = torch.Generator().manual_seed(seed)
    theta = torch.randn(a.shape[1], n_proj, generator=g, dtype=torch.float64)
    theta = theta / theta.norm(dim=0, keepdim=True)
    m = max(a.shape[0], b.shape[0])
    d = _quantiles(a @ theta, m) - _quantiles(b @ theta, m)
    return float((d * d).mean().sqrt())


def energy_distance(a, b, max_points: int = 4000, seed: int = 0) -> float:
    """Energy distance 2 E|X-Y| - E|X-X'| - E|Y-Y'| (>= 0, 0 iff equal laws), on at most
    max_points points of each set (chosen with `seed`)."""
    a, b = _f64(a), _f64(b)
    g = torch.Generator().manual_seed(seed)
    if a.shape[0] > max_points:
        a = a[torch.randperm(a.shape[0], generator=g)[:max_points]]
    if b.shape[0] > max_points:
        b = b[torch.randperm(b.shape[0], generator=g)[:max_points]]
    ab, aa, bb = torch.cdist(a, b).mean(), torch.cdist(a, a).mean(), torch.cdist(b, b).mean()
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
