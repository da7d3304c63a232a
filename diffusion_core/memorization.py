"""Memorization: what denoising score matching learns from a finite training set.

For training points x_1..x_N the data distribution is the empirical one, (1/N) sum_i delta(x - x_i).
Diffused to time t it is a mixture of Gaussians centred on the (scaled) training points,

    p_t(x) = (1/N) sum_i N(x; alpha_t x_i, sigma_t^2 I),

and its score is exactly the minimizer of the DSM loss on that data set. Following it backwards in
time brings every sample back onto a training point: a perfect learner memorizes. Here the empirical
distribution is the GaussianMixture N(x_i, delta^2 I) with a tiny delta, so dc.exact_score,
dc.sample and dc.train_score_model work on it unchanged (delta^2 adds to sigma_t^2, negligible
for every t the samplers visit).
"""
from __future__ import annotations

import dataclasses

import torch

from .mixture import GaussianMixture
from .sde import SDE
from .config import TrainConfig
from .training import train_score_model

__all__ = ["DEFAULT_DELTA", "empirical_mixture", "training_points", "nearest_distances",
           "nearest", "neighbour_distances", "memorization_rate", "mode_scale", "spacing", "data_scale", "memorization_radius", "memorization_config",
           "train_on_points"]

DEFAULT_DELTA = 1e-3


def _points(points) -> torch.Tensor:
    p = torch.as_tensor(points)
    if not p.is_floating_point():
        p = p.to(torch.get_default_dtype())
    if p.ndim != 2 or p.shape[0] < 1:
        raise ValueError(f"points must be an (N, d) table with N >= 1; got shape {tuple(p.shape)}")
    if not torch.isfinite(p).all():
        raise ValueError("points must be finite numbers (no NaN or infinity)")
    return p


def empirical_mixture(points, delta: float = DEFAULT_DELTA) -> GaussianMixture:
    """The empirical distribution of `points` (N, d) as the mixture (1/N) sum_i N(x_i, delta^2 I)."""
    p = _points(points).to(torch.float64)
    if not (delta > 0 and delta < float("inf")):
        raise ValueError(f"delta must be a finite number > 0; got {delta!r}")
    n, d = p.shape
    covs = (delta * delta) * torch.eye(d, dtype=torch.float64).expand(n, d, d).clone()
    return GaussianMixture(p, covs, torch.ones(n, dtype=torch.float64))


def training_points(gmm: GaussianMixture, n: int, seed: int = 0) -> torch.Tensor:
    """n training points drawn from gmm with their own seed (float32, (n, d))."""
    if int(n) < 1:
        raise ValueError(f"the number of training points must be >= 1; got {n}")
    x, _ = gmm.sample(int(n), generator=torch.Generator().manual_seed(int(seed)), dtype=torch.float32)
    return x


def nearest(samples, points) -> tuple[torch.Tensor, torch.Tensor]:
    """For each sample, the Euclidean distance to its nearest training point and that point's
    index: shapes (M,) and (M,)."""
    x = _points(samples).to(torch.float64)
    p = _points(points).to(torch.float64)
    if x.shape[1] != p.shape[1]:
        raise ValueError(f"samples and points must have the same dimension; got {x.shape[1]} and {p.shape[1]}")
    dist = torch.empty(x.shape[0], dtype=torch.float64)
    idx = torch.empty(x.shape[0], dtype=torch.long)
    for i in range(0, x.shape[0], 4096):              # bounded memory for large sample sets
        dist[i:i + 4096], idx[i:i + 4096] = torch.cdist(x[i:i + 4096], p).min(dim=1)
    return dist, idx


def nearest_distances(samples, points) -> torch.Tensor:
    """For each sample, the Euclidean distance to its nearest training point, shape (M,)."""
    return nearest(samples, points)[0]


def neighbour_distances(points) -> torch.Tensor:
    """For each training point, the distance to its nearest other training point, shape (N,)
    (inf for a single point)."""
    p = _points(points).to(torch.float64)
    d = torch.cdist(p, p)
    d.fill_diagonal_(float("inf"))
    return d.min(dim=1).values


def memorization_rate(samples, points, radius: float) -> float:
    """Fraction of samples within `radius` of some training point (non-finite samples count as
    not memorized)."""
    if not radius > 0:
        raise ValueError(f"radius must be > 0; got {radius!r}")
    d = nearest_distances(torch.nan_to_num(torch.as_tensor(samples, dtype=torch.float64),
                                           nan=float("inf")).clamp(-1e30, 1e30), points)
    ok = torch.isfinite(torch.as_tensor(samples, dtype=torch.float64)).all(1)
    return float(((d <= radius) & ok).double().mean())


def mode_scale(gmm: GaussianMixture) -> float:
    """The smallest standard deviation of any mode of gmm in any direction (square root of the
    smallest eigenvalue of its covariances)."""
    eig = torch.linalg.eigvalsh(gmm.covs.to(torch.float64))
    return float(eig.min().clamp_min(0.0).sqrt())


def spacing(gmm: GaussianMixture, n: int, reps: int = 200, seed: int = 0) -> float:
    """The typical distance between n fresh draws of gmm: the median, over reps independent sets
    of n draws, of each draw's distance to its nearest neighbour in its set (inf for n = 1)."""
    n = int(n)
    if n < 2:
        return float("inf")
    x, _ = gmm.sample(n * reps, generator=torch.Generator().manual_seed(int(seed)), dtype=torch.float64)
    x = x.reshape(reps, n, -1)
    d = torch.cdist(x, x) + torch.diag(torch.full((n,), float("inf"), dtype=torch.float64))
    return float(d.min(-1).values.median())


def data_scale(gmm: GaussianMixture, n: int | None = None) -> float:
    """The data's own length scale for a training set of n points: the smaller of the narrowest
    mode's standard deviation (mode_scale) and the typical distance between n fresh draws
    (spacing; left out when n is None). A memorization radius well below it is one that fresh
    draws of the data rarely meet by chance, whatever the mixture and the number of points (few
    points on many narrow modes: the mode width; many points: their spacing)."""
    s = mode_scale(gmm)
    return s if n is None else min(s, spacing(gmm, n))


def memorization_radius(gmm: GaussianMixture, fraction: float, n: int | None = None) -> float:
    """The memorization radius fraction * data_scale(gmm, n) (fraction > 0)."""
    if not fraction > 0:
        raise ValueError(f"the radius fraction must be > 0; got {fraction!r}")
    return float(fraction) * data_scale(gmm, n)


def memorization_config(n_points: int, steps: int = 1500, width: int = 128, seed: int = 0,
                        batch_size: int = 128, **edits) -> TrainConfig:
    """A TrainConfig for learning the score of n_points training points: the default recipe with
    many draws of the points (n_data = 64 per point, at least 512, so that every point is in the
    training set), small minibatches, and the given steps and width."""
    n_data = max(512, 64 * int(n_points))
    base = TrainConfig()
    return dataclasses.replace(base, n_data=n_data, steps=int(steps), width=int(width), seed=int(seed),
                               batch_size=min(int(batch_size), n_data),
                               warmup=min(base.warmup, int(steps)),
                               log_every=max(1, int(steps) // 20), **edits)


def train_on_points(points, sde: SDE, cfg: TrainConfig, delta: float = DEFAULT_DELTA, device="cpu",
                    callback=None):
    """dc.train_score_model on the empirical mixture of `points`: the cfg.n_data training samples
    are draws of the points (each up to delta). Returns (net, history); the logged score_mse is
    the error against the empirical score, the optimum of this training set."""
    return train_score_model(empirical_mixture(points, delta), sde, cfg, device=device, callback=callback)
