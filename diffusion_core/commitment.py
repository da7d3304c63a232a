"""When does a reverse-diffusion path choose its mode?

A path x_{t_0}, ..., x_{t_F} of the reverse process (t_0 = 1 > ... > t_F ~ 0) ends near one mode
k* of the mixture: its *final mode* is the most responsible component of p_0 at the end point,
the same rule as :func:`diffusion_core.metrics.mode_weights`. Along the way, the responsibility
of that mode under the diffused mixture p_t,

    pi_k*(x_t; t) = pi_k N(x_t; alpha_t mu_k*, alpha_t^2 Sigma_k* + sigma_t^2 I) / p_t(x_t),

starts near the mode's weight (at t = 1 every mode explains every point about equally) and
rises to ~1. The *commitment time* of the path is the largest time t_j after which (for all
later, smaller times) this responsibility stays at or above a threshold: the moment the sample
has decided. Paths whose responsibility is still below the threshold at the last frame (points
that end between overlapping modes) never commit: their commitment time is 0 and `committed`
is False.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from .mixture import GaussianMixture
from .sde import SDE

__all__ = ["Commitment", "commitment", "commitment_from_resp", "final_mode_responsibility",
           "separation_time", "bimodal_time", "pair_split_time", "has_dip", "mode_split_times",
           "closest_pair", "neighbour_agreement"]

@dataclass
class Commitment:
    """labels (N,) final modes; times (N,) commitment times in [0, 1]; committed (N,) bool;
    resp (F, N) responsibility of the final mode at every frame; mean_resp (F,) its mean over
    paths; frame_times (F,) the frames' times; threshold the level used."""
    labels: torch.Tensor
    times: torch.Tensor
    committed: torch.Tensor
    resp: torch.Tensor
    mean_resp: torch.Tensor
    frame_times: torch.Tensor
    threshold: float


def _check(gmm: GaussianMixture, trajectory, times):
    traj = torch.as_tensor(trajectory).detach().to("cpu", torch.float64)
    times = torch.as_tensor(times).detach().to("cpu", torch.float64).reshape(-1)
    if traj.ndim != 3 or traj.shape[2] != gmm.dim:
        raise ValueError(f"trajectory must have shape (frames, paths, {gmm.dim}); got {tuple(traj.shape)}")
    if traj.shape[0] != times.shape[0]:
        raise ValueError(f"times must have one entry per frame ({traj.shape[0]}); got {times.shape[0]}")
    if traj.shape[0] == 0 or traj.shape[1] == 0:
        raise ValueError("trajectory must have at least one frame and one path")
    if not ((times >= 0) & (times <= 1)).all():
        raise ValueError("times must lie in [0, 1]")
    return traj, times


def final_mode_responsibility(gmm: GaussianMixture, sde: SDE, trajectory, times, labels=None):
    """Responsibility of each path's final mode under p_t at every frame, shape (F, N).

    labels: the final modes (N,); by default the most responsible component of p_0 at the last
    frame. Evaluated in float64, one frame at a time with the diffused mixture p_t.
    Returns (resp (F, N), labels (N,)).
    """
    traj, times = _check(gmm, trajectory, times)
    N = traj.shape[1]
    if labels is None:
        labels = gmm.responsibilities(traj[-1]).argmax(dim=1)
    labels = torch.as_tensor(labels, dtype=torch.long).reshape(-1)
    if labels.shape[0] != N:
        raise ValueError(f"labels must have one entry per path ({N}); got {labels.shape[0]}")
    idx = torch.arange(N)
    out = torch.stack([gmm.diffuse(sde, float(t)).responsibilities(traj[j])[idx, labels]
                       for j, t in enumerate(times)])
    return out, labels


def commitment(gmm: GaussianMixture, sde: SDE, trajectory, times, threshold: float = 0.9) -> Commitment:
    """Final mode labels and commitment times of reverse-process paths.

    trajectory (F, N, d): frames in reverse-time order, times (F,) descending from ~1 to ~0 (as
    returned by :func:`diffusion_core.sample` with trajectory=True). With r_j the final mode's
    responsibility at frame j and j* the last frame where r_j < threshold, the commitment time
    is t_{j*+1}; it is t_0 when r_j >= threshold at every frame, and 0 (not committed) when
    j* is the last frame.
    """
    _check_threshold(threshold)
    traj, ftimes = _check(gmm, trajectory, times)
    resp, labels = final_mode_responsibility(gmm, sde, traj, ftimes)
    return commitment_from_resp(resp, labels, ftimes, threshold)


def _check_threshold(threshold):
    if not 0 < float(threshold) < 1:
        raise ValueError(f"threshold must be in (0, 1); got {threshold}")


def commitment_from_resp(resp, labels, times, threshold: float = 0.9) -> Commitment:
    """The thresholding step of :func:`commitment`, given the final mode's responsibilities
    resp (F, N) (from :func:`final_mode_responsibility`), so that a new threshold costs no
    new density evaluations."""
    _check_threshold(threshold)
    resp = torch.as_tensor(resp, dtype=torch.float64)
    ftimes = torch.as_tensor(times, dtype=torch.float64).reshape(-1)
    labels = torch.as_tensor(labels, dtype=torch.long).reshape(-1)
    if resp.ndim != 2 or resp.shape[0] != ftimes.shape[0] or resp.shape[1] != labels.shape[0]:
        raise ValueError(f"resp must have shape (frames, paths) = ({ftimes.shape[0]}, {labels.shape[0]}); "
                         f"got {tuple(resp.shape)}")
    F = resp.shape[0]
    below = resp < float(threshold)                                   # (F, N)
    any_below = below.any(dim=0)
    last_below = F - 1 - below.flip(0).to(torch.float32).argmax(dim=0)   # last frame below
    committed = ~below[-1]
    after = (last_below + 1).clamp(max=F - 1)
    ctimes = torch.where(any_below, ftimes[after], ftimes[0])
    ctimes = torch.where(committed, ctimes, torch.zeros_like(ctimes))
    return Commitment(labels, ctimes, committed, resp, resp.mean(dim=1), ftimes, float(threshold))


def separation_time(gmm: GaussianMixture, sde: SDE, fraction: float = 0.5) -> float | None:
    """The time at which the noise-to-signal ratio r_t = sigma_t / alpha_t equals `fraction`
    times the smallest distance d between two component means. Two equal Gaussians of std s
    at distance d form a bimodal mixture iff d > 2 s, so with the default fraction 1/2 this is
    about when p_t splits into separate bumps (exactly so for point-like components); paths
    commit to a mode after it. None for fewer than two distinct means, or when r_1 is still
    below that level (the prior never mixes the modes)."""
    if gmm.n_components < 2:
        return None
    dist = torch.cdist(gmm.means, gmm.means)
    dist = dist + torch.diag(torch.full((gmm.n_components,), float("inf"), dtype=dist.dtype))
    level = fraction * float(dist.min())
    if level <= 0 or level >= float(sde.noise_ratio(torch.tensor(1.0, dtype=torch.float64))):
        return None
    return float(sde.t_of_noise_ratio(torch.tensor(level, dtype=torch.float64)).clamp(0, 1))


def bimodal_time(gmm: GaussianMixture, sde: SDE) -> float | None:
    """When p_t splits the two closest modes: the last t (from t = 1 down) at which p_t shows a
    dip between them along the line joining them (pair_split_time of the two components whose
    means are closest). None for fewer than two distinct means."""
    pair = closest_pair(gmm)
    return pair_split_time(gmm, sde, *pair) if pair else None


def closest_pair(gmm: GaussianMixture) -> tuple[int, int] | None:
    """The indices (i, j), i < j, of the two components whose means are closest; None for one."""
    if gmm.n_components < 2:
        return None
    i, j = divmod(int(torch.argmin(_mean_distances(gmm))), gmm.n_components)
    return min(i, j), max(i, j)


def mode_split_times(gmm: GaussianMixture, sde: SDE) -> list[float | None]:
    """For every mode k, when p_t splits it from its nearest other mode (closest mean), as
    bimodal_time does for the closest pair: pair_split_time(k, nearest(k)). For the two closest modes it is bimodal_time;
    [None] for one mode."""
    if gmm.n_components < 2:
        return [None] * gmm.n_components
    pairs = [(min(k, j), max(k, j)) for k, j in enumerate(_mean_distances(gmm).argmin(1).tolist())]
    split = {pair: pair_split_time(gmm, sde, *pair) for pair in dict.fromkeys(pairs)}
    return [split[pair] for pair in pairs]


def _mean_distances(gmm: GaussianMixture) -> torch.Tensor:
    """The distances between the component means (K, K), inf on the diagonal."""
    means = gmm.means.double()
    return torch.cdist(means, means) + torch.diag(torch.full((gmm.n_components,), float("inf"),
                                                             dtype=torch.float64))


SPLIT_POINTS = 201      # points along the segment joining two modes at which the dip is looked for
SPLIT_GRID = 100        # grid steps in t before the bisection
SPLIT_BISECTIONS = 12   # halvings of the grid step that holds the split: 0.01 / 2^12 in t (the text prints 2 decimals)
DIP_TOL = 1e-9          # a dip must be this much below the bumps in log p_t (beyond rounding)


def has_dip(gmm: GaussianMixture, sde: SDE, i: int, j: int, times) -> torch.Tensor:
    """Whether p_t, the FULL diffused mixture, has a dip between modes i and j at each time t
    (bool (T,)): along the segment x(u) = alpha_t (mu_i + u (mu_j - mu_i)), u in [0, 1], joining
    the two diffused means, log p_t at SPLIT_POINTS points has an interior local minimum, a point
    lower (by DIP_TOL) than the highest point on each side of it: two bumps, not one."""
    ts = torch.as_tensor(times, dtype=torch.float64).reshape(-1)
    u = torch.linspace(0, 1, SPLIT_POINTS, dtype=torch.float64)
    means = gmm.means.double()
    line = means[i] + u[:, None] * (means[j] - means[i])                       # (P, d)
    alpha, sigma = sde.mean_scale(ts), sde.sigma(ts)                           # (T,)
    x = (alpha[:, None, None] * line).reshape(-1, gmm.dim)                     # (T P, d)
    per = lambda v: v[:, None].expand(-1, SPLIT_POINTS).reshape(-1)            # noqa: E731
    lp = torch.logsumexp(gmm._log_joint(x, per(alpha), per(sigma * sigma)), dim=0).reshape(-1, SPLIT_POINTS)
    left = lp.cummax(dim=1).values[:, :-2]                                     # highest at or left of m - 1
    right = lp.flip(1).cummax(dim=1).values.flip(1)[:, 2:]                     # highest at or right of m + 1
    mid = lp[:, 1:-1]
    tol = DIP_TOL * (1 + mid.abs())
    return ((mid < left - tol) & (mid < right - tol)).any(dim=1)


def pair_split_time(gmm: GaussianMixture, sde: SDE, i: int, j: int) -> float | None:
    """When p_t splits modes i and j: the largest t at which p_t, the whole mixture (every
    component, weights and covariances alpha_t^2 Sigma_k + sigma_t^2 I), followed along the segment
    joining the two diffused means, has a dip between them (has_dip). For two equal Gaussians of
    std s (along their line) at distance d this is d = 2 sqrt(s^2 + r_t^2), r = sigma / alpha;
    unequal weights, or other modes nearby, move it. Found on a grid of SPLIT_GRID steps in t from
    t = 1 down (the first dip met, so the last t going down from 1 where one appears), then by
    bisection between that grid time and the next one up. 0.0 when there is no dip at any t (one
    bump already at t = 0); None for equal means, or when there is a dip at t = 1 (two bumps at
    every t)."""
    i, j = min(i, j), max(i, j)
    if float((gmm.means[j] - gmm.means[i]).norm()) <= 0:
        return None
    grid = torch.linspace(0, 1, SPLIT_GRID + 1, dtype=torch.float64)
    dips = has_dip(gmm, sde, i, j, grid)
    if bool(dips[-1]):
        return None
    if not bool(dips.any()):
        return 0.0
    k = int(torch.nonzero(dips).max())
    lo, hi = float(grid[k]), float(grid[k + 1])                               # dip at lo, none at hi
    for _ in range(SPLIT_BISECTIONS):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if bool(has_dip(gmm, sde, i, j, [mid])[0]) else (lo, mid)
    return hi


def _nearest(x: torch.Tensor, k: int) -> torch.Tensor:
    """The indices (N, k) of each point's k nearest other points (Euclidean), k at most N - 1."""
    k = max(1, min(int(k), x.shape[0] - 1))
    d = torch.cdist(x, x)
    d.fill_diagonal_(float("inf"))
    return d.topk(k, dim=1, largest=False).indices


def shuffled_agreement(points, labels, k: int = 10, shuffles: int = 20) -> torch.Tensor:
    """neighbour_agreement's share for `shuffles` random shuffles of the labels (shuffle i: torch
    seed i), float64 (shuffles,): the share's spread when labels are independent of position, for
    the same points and label counts. The neighbours are found once."""
    x = torch.as_tensor(points, dtype=torch.float64)
    lab = torch.as_tensor(labels, dtype=torch.long).reshape(-1)
    nn = _nearest(x, k)
    out = []
    for i in range(int(shuffles)):
        perm = lab[torch.randperm(len(lab), generator=torch.Generator().manual_seed(i))]
        out.append((perm[nn] == perm[:, None]).double().mean())
    return torch.stack(out) if out else torch.zeros(0, dtype=torch.float64)


def neighbour_agreement(points, labels, k: int = 10) -> tuple[float, float]:
    """How sorted by label a point cloud is: the mean, over the points, of the share of their k
    nearest other points (Euclidean) that have the same label; and that share for labels
    independent of position (chance), sum_c n_c (n_c - 1) / (N (N - 1)) for n_c points of label c.
    Near chance the labels are mixed; near 1 each label holds a region of its own. k is at most
    N - 1; N >= 2 points (N, d), labels (N,)."""
    x = torch.as_tensor(points, dtype=torch.float64)
    lab = torch.as_tensor(labels, dtype=torch.long).reshape(-1)
    N = x.shape[0]
    if N < 2 or lab.shape[0] != N:
        raise ValueError(f"need at least 2 points and one label per point; got {N} points, {lab.shape[0]} labels")
    nn = _nearest(x, k)                                                # (N, k)
    share = float((lab[nn] == lab[:, None]).double().mean())
    counts = torch.bincount(lab - lab.min()).double()
    chance = float((counts * (counts - 1)).sum() / (N * (N - 1)))
    return share, chance
