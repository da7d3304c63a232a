"""Exact scores of diffused mixtures and the denoising score-matching objective."""
from __future__ import annotations

import torch

from .config import WEIGHTINGS     # the names live with the recipe, without torch
from .mixture import GaussianMixture, as_data, as_points
from .sde import SDE, as_time

__all__ = ["exact_score", "dsm_loss", "loss_weight", "loss_weight_mean", "WEIGHTINGS", "sample_times"]


def exact_score(gmm: GaussianMixture, sde: SDE):
    """The score of p_t, s(x, t) = grad_x log p_t(x), as a callable (x (N, d), t (N,) or float).

    p_t is the mixture with means alpha_t mu_k and covariances alpha_t^2 Sigma_k + sigma_t^2 I,
    evaluated at a possibly different t for every point.
    """
    def score_fn(x: torch.Tensor, t) -> torch.Tensor:
        x = as_points(x, gmm.dim)
        t = as_time(t, like=x)
        if t.ndim > 1 or (t.ndim == 1 and t.shape[0] not in (1, x.shape[0])):
            raise ValueError(f"t must be a scalar or one time per point ({x.shape[0]}); "
                             f"got shape {tuple(t.shape)}")
        return gmm.score_at(x, sde.mean_scale(t), sde.sigma(t) ** 2)

    score_fn.gmm, score_fn.sde = gmm, sde
    return score_fn


def loss_weight(sde: SDE, t: torch.Tensor, weighting: str = "sigma2") -> torch.Tensor:
    """gamma_t of the DSM objective: sigma_t^2 (the tutorial's), 1, or g(t)^2."""
    if weighting == "sigma2":
        return sde.sigma(t) ** 2
    if weighting == "uniform":
        return torch.ones_like(t)
    if weighting == "g2":
        return sde.g(t) ** 2
    raise ValueError(f"weighting must be one of {', '.join(WEIGHTINGS)}; got {weighting!r}")


def loss_weight_mean(sde: SDE, eps: float, weighting: str = "sigma2", nodes: int = 64) -> float:
    """The mean of gamma_t over t ~ U[eps, 1]: Gauss-Legendre quadrature on `nodes` nodes, in
    float64 (exact to rounding for the smooth weights of the VE and VP processes; an average of
    evenly spaced values is not: it misses e.g. g(t)^2's mean by 1% at the VE defaults)."""
    import numpy as np
    if not 0 <= eps < 1:
        raise ValueError(f"eps (smallest time) must be in [0, 1); got {eps}")
    x, w = np.polynomial.legendre.leggauss(nodes)
    t = torch.as_tensor(eps + (1 - eps) * (x + 1) / 2, dtype=torch.float64)
    return float((torch.as_tensor(w, dtype=torch.float64) * loss_weight(sde, t, weighting)).sum() / 2)


def sample_times(n: int, eps: float, generator=None, dtype=None, device=None,
                 stratified: bool = False) -> torch.Tensor:
    """t ~ U[eps, 1]; stratified draws one t in each of n equal bins (lower variance)."""
    if not 0 <= eps < 1:
        raise ValueError(f"eps (smallest time) must be in [0, 1); got {eps}")
    u = torch.rand(n, generator=generator, dtype=dtype, device=device or "cpu")
    if stratified:
        u = (torch.arange(n, dtype=u.dtype, device=u.device) + u) / n
    return eps + (1 - eps) * u


def dsm_loss(score_fn, x0, sde: SDE, eps: float = 1e-5, generator=None, weighting: str = "sigma2",
             t=None, reduce: bool = True) -> torch.Tensor:
    """Denoising score matching with x_t = alpha_t x_0 + sigma_t z, t ~ U[eps, 1]:

        L = mean_i gamma_t ||s(x_t, t) + z / sigma_t||^2,

    which for gamma_t = sigma_t^2 is the tutorial's mean_i sum_d (sigma_t s(x_t, t) + z)^2.
    `t` may be given (shape (N,)) instead of drawn; reduce=False returns the per-sample terms.
    """
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {', '.join(WEIGHTINGS)}; got {weighting!r}")
    x0 = as_data(x0)
    n = x0.shape[0]
    if t is None:
        t = sample_times(n, eps, generator, x0.dtype, x0.device)
    else:
        t = as_time(t, like=x0).reshape(-1)
        t = t.expand(n) if t.numel() == 1 else t
        if t.shape[0] != n:
            raise ValueError(f"t must be a scalar or one time per sample ({n}); got {t.shape[0]}")
    z = torch.randn(x0.shape, generator=generator, dtype=x0.dtype, device=x0.device)
    sigma = sde.sigma(t)[:, None]
    xt = sde.perturb(x0, t, z)
    if weighting == "sigma2":           # the tutorial's form, exact where sigma_t is tiny
        per = ((sigma * score_fn(xt, t) + z) ** 2).sum(-1)
    else:
        per = loss_weight(sde, t, weighting) * ((score_fn(xt, t) + z / sigma) ** 2).sum(-1)
    return per.mean() if reduce else per
