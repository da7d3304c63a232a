"""Gaussian mixtures p(x) = sum_k pi_k N(x; mu_k, Sigma_k), their scores, and their diffusion.

All evaluation goes through one kernel, :meth:`GaussianMixture._terms`, that works in each
component's eigenbasis Sigma_k = U_k diag(l_k) U_k^T. Diffusing the mixture to time t maps
mu_k -> alpha_t mu_k and Sigma_k -> alpha_t^2 Sigma_k + sigma_t^2 I = U_k diag(alpha_t^2 l_k +
sigma_t^2) U_k^T, so the same kernel evaluates p_t exactly for a different t at every point.
Responsibilities use log-sum-exp, so the score is finite however far x is from the modes.
"""
from __future__ import annotations

import math

import torch

__all__ = ["GaussianMixture", "PRESETS", "preset"]

_LOG_2PI = math.log(2 * math.pi)


def _as_points(x, dim: int) -> torch.Tensor:
    x = torch.as_tensor(x)
    if not x.is_floating_point():
        x = x.to(torch.get_default_dtype())
    if x.ndim == 1 and dim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[1] != dim:
        raise ValueError(f"points must have shape (N, {dim}); got {tuple(x.shape)}")
    return x


class GaussianMixture:
    """A mixture of K Gaussians in d dimensions.

    means (K, d), covs (K, d, d) symmetric positive definite, weights (K,) >= 0 with a positive
    sum (normalized here). Parameters are stored in float64; evaluation runs in the dtype and on
    the device of the points given.
    """

    def __init__(self, means, covs, weights=None):
        means = torch.as_tensor(means, dtype=torch.float64)
        if means.ndim == 1:
            means = means[:, None]
        if means.ndim != 2 or means.shape[0] == 0 or means.shape[1] == 0:
            raise ValueError("means must be a (K, d) table with at least one component; "
                             f"got shape {tuple(means.shape)}")
        K, d = means.shape
        covs = torch.as_tensor(covs, dtype=torch.float64)
        if d == 1 and covs.ndim == 1:
            covs = covs[:, None, None]
        if covs.shape != (K, d, d):
            raise ValueError(f"covs must have shape ({K}, {d}, {d}), one {d}x{d} matrix per mean; "
                             f"got {tuple(covs.shape)}")
        weights = torch.ones(K, dtype=torch.float64) if weights is None else \
            torch.as_tensor(weights, dtype=torch.float64).reshape(-1)
        if weights.shape != (K,):
            raise ValueError(f"weights must have one entry per component ({K}); got {weights.numel()}")
        for name, v in (("means", means), ("covs", covs), ("weights", weights)):
            if not torch.isfinite(v).all():
                raise ValueError(f"{name} must be finite numbers (no NaN or infinity)")
        if (weights < 0).any():
            raise ValueError("weights must be >= 0")
        if weights.sum() <= 0:
            raise ValueError("weights must have a positive sum (at least one component with weight > 0)")
        for k in range(K):
            if not torch.allclose(covs[k], covs[k].T, rtol=1e-6, atol=1e-9):
                raise ValueError(f"component {k + 1}: covariance must be symmetric; got {covs[k].tolist()}")
        covs = 0.5 * (covs + covs.transpose(1, 2))
        evals, evecs = torch.linalg.eigh(covs)
        for k in range(K):
            if evals[k].min() <= 1e-12 * max(1.0, float(evals[k].max())):
                raise ValueError(
                    f"component {k + 1}: covariance must be positive definite (every variance > 0, "
                    f"|correlation| < 1); its eigenvalues are {[round(float(e), 6) for e in evals[k]]}")
        self.means, self.covs = means, covs
        self.weights = weights / weights.sum()
        self.dim, self.n_components = d, K
        self._evals, self._evecs = evals, evecs

    # ----------------------------------------------------------------------------- kernel
    def _terms(self, x: torch.Tensor, alpha=1.0, sigma2=0.0):
        """Per-component quantities of the mixture diffused with (alpha, sigma^2).

        alpha, sigma2: scalars or (N,) tensors (a time per point). With
        C_k = alpha^2 Sigma_k + sigma^2 I and r = x - alpha mu_k, returns
          log_joint (N, K): log pi_k + log N(x; alpha mu_k, C_k)
          scores (K, N, d): -C_k^{-1} r, the score of each component.
        """
        dt = x.dtype
        U = self._evecs.to(x.device, dt)                       # (K, d, d)
        lam = self._evals.to(x.device, dt)                     # (K, d)
        alpha = torch.as_tensor(alpha, dtype=dt, device=x.device)
        sigma2 = torch.as_tensor(sigma2, dtype=dt, device=x.device)
        if alpha.ndim:                                         # a time per point
            alpha, sigma2 = alpha.reshape(1, -1, 1), sigma2.reshape(1, -1, 1)
        mu = self.means.to(x.device, dt)
        r = x[None] - alpha * mu[:, None, :]                   # (K, N, d)
        y = torch.matmul(r, U)                                 # coordinates in the eigenbasis
        var = alpha * alpha * lam[:, None, :] + sigma2         # (K, N, d) or (K, 1, d)
        y_over = y / var
        log_norm = -0.5 * ((y * y_over).sum(-1) + torch.log(var).sum(-1) + self.dim * _LOG_2PI)
        log_joint = (torch.log(self.weights.to(x.device, dt))[:, None] + log_norm).T
        scores = -torch.matmul(y_over, U.transpose(1, 2))
        return log_joint, scores

    # ----------------------------------------------------------------------------- density
    def log_prob(self, x) -> torch.Tensor:
        """log p(x) = logsumexp_k [log pi_k + log N(x; mu_k, Sigma_k)], shape (N,)."""
        lj, _ = self._terms(_as_points(x, self.dim))
        return torch.logsumexp(lj, dim=1)

    def responsibilities(self, x) -> torch.Tensor:
        """pi_k(x) = pi_k N_k(x) / p(x), shape (N, K), by softmax of the log joint."""
        lj, _ = self._terms(_as_points(x, self.dim))
        return torch.softmax(lj, dim=1)

    def score_components(self, x):
        """Per-mode scores -Sigma_k^{-1}(x - mu_k) (K, N, d) and responsibilities (N, K)."""
        lj, s = self._terms(_as_points(x, self.dim))
        return s, torch.softmax(lj, dim=1)

    def score(self, x) -> torch.Tensor:
        """grad log p(x) = sum_k pi_k(x) (-Sigma_k^{-1}(x - mu_k)), shape (N, d)."""
        return self.score_at(_as_points(x, self.dim))

    def score_at(self, x: torch.Tensor, alpha=1.0, sigma2=0.0) -> torch.Tensor:
        """Score of the mixture diffused with (alpha, sigma^2), given per point or as scalars."""
        lj, s = self._terms(x, alpha, sigma2)
        return torch.einsum("nk,knd->nd", torch.softmax(lj, dim=1), s)

    # ----------------------------------------------------------------------------- sampling
    def sample(self, n: int, generator: torch.Generator | None = None, dtype=None):
        """n draws: labels k ~ Categorical(pi), x = mu_k + L_k z. Returns (x (n, d), labels (n,))."""
        dtype = dtype or torch.get_default_dtype()
        labels = torch.multinomial(self.weights, int(n), replacement=True, generator=generator)
        z = torch.randn(int(n), self.dim, generator=generator, dtype=torch.float64)
        root = self._evecs * self._evals.sqrt()[:, None, :]    # U diag(sqrt l): root root^T = Sigma
        x = self.means[labels] + torch.einsum("nij,nj->ni", root[labels], z)
        return x.to(dtype), labels

    # ----------------------------------------------------------------------------- transforms
    def diffuse(self, sde, t: float) -> "GaussianMixture":
        """p_t for x_t = alpha_t x_0 + sigma_t z: means alpha_t mu_k, covs alpha_t^2 Sigma_k + sigma_t^2 I."""
        tt = torch.tensor(float(t), dtype=torch.float64)
        a, s = float(sde.mean_scale(tt)), float(sde.sigma(tt))
        eye = torch.eye(self.dim, dtype=torch.float64)
        return GaussianMixture(a * self.means, a * a * self.covs + s * s * eye, self.weights)

    def add_component(self, mean, cov, weight: float = 1.0) -> "GaussianMixture":
        """A new mixture with one more component; `weight` is on the scale of the current
        normalized weights (weight 1/K keeps all K+1 components equally likely)."""
        mean = torch.as_tensor(mean, dtype=torch.float64).reshape(1, self.dim)
        cov = torch.as_tensor(cov, dtype=torch.float64).reshape(1, self.dim, self.dim)
        w = torch.as_tensor([float(weight)], dtype=torch.float64)
        return GaussianMixture(torch.cat([self.means, mean]), torch.cat([self.covs, cov]),
                               torch.cat([self.weights, w]))

    def remove_component(self, k: int) -> "GaussianMixture":
        """A new mixture without component k (0-based); the rest are renormalized."""
        if self.n_components == 1:
            raise ValueError("cannot remove the only component of a mixture")
        if not 0 <= k < self.n_components:
            raise ValueError(f"component index must be in 0..{self.n_components - 1}; got {k}")
        keep = [i for i in range(self.n_components) if i != k]
        return GaussianMixture(self.means[keep], self.covs[keep], self.weights[keep])

    def component(self, k: int) -> "GaussianMixture":
        """Component k alone, as a one-component mixture."""
        return GaussianMixture(self.means[k:k + 1], self.covs[k:k + 1], [1.0])

    # ----------------------------------------------------------------------------- identity
    def to_dict(self) -> dict:
        """Plain lists, for JSON and for cache keys."""
        return {"means": self.means.tolist(), "covs": self.covs.tolist(), "weights": self.weights.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> "GaussianMixture":
        try:
            return cls(d["means"], d["covs"], d.get("weights"))
        except (KeyError, TypeError) as e:
            raise ValueError(f"a mixture needs 'means', 'covs' and 'weights' lists: {e}") from None

    def key(self) -> tuple:
        """A hashable identity: equal keys mean equal mixtures."""
        return tuple(round(v, 12) for v in torch.cat([self.means.flatten(), self.covs.flatten(),
                                                      self.weights]).tolist()) + (self.dim,)

    def __eq__(self, other):
        return isinstance(other, GaussianMixture) and self.key() == other.key()

    def __hash__(self):
        return hash(self.key())

    def __repr__(self):
        return f"GaussianMixture(K={self.n_components}, dim={self.dim})"


def _iso(means, std, weights=None):
    means = torch.as_tensor(means, dtype=torch.float64)
    K, d = means.shape
    return GaussianMixture(means, (std ** 2) * torch.eye(d, dtype=torch.float64).repeat(K, 1, 1), weights)


def _ring(k: int, radius: float, std: float) -> GaussianMixture:
    a = torch.arange(k, dtype=torch.float64) * 2 * math.pi / k
    return _iso(torch.stack([radius * torch.cos(a), radius * torch.sin(a)], 1), std)


def _rot_cov(sx, sy, angle_deg):
    th = math.radians(angle_deg)
    R = torch.tensor([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]], dtype=torch.float64)
    return R @ torch.diag(torch.tensor([sx * sx, sy * sy], dtype=torch.float64)) @ R.T


def _moons() -> GaussianMixture:
    a = torch.linspace(0, math.pi, 6, dtype=torch.float64)
    upper = torch.stack([torch.cos(a), torch.sin(a)], 1) * 2
    lower = torch.stack([2 - torch.cos(a) * 2, 1 - torch.sin(a) * 2], 1) - torch.tensor([0.0, 0.5])
    return _iso(torch.cat([upper, lower]) - torch.tensor([1.0, 0.0]), 0.25)


PRESETS: dict[str, GaussianMixture] = {
    "tutorial": GaussianMixture([[0.0, 1.0], [2.0, -1.0]],
                                [[[1.0, 0.0], [0.0, 1.0]], [[2.0, 0.5], [0.5, 1.0]]], [1.0, 1.0]),
    "ring8": _ring(8, 4.0, 0.15),
    "two clusters": _iso([[-2.0, -2.0], [2.0, 2.0]], 0.2),
    "unbalanced": _iso([[-2.5, 0.0], [2.5, 0.0]], 0.5, [0.8, 0.2]),
    "grid 3x3": _iso([[i, j] for i in (-3.0, 0.0, 3.0) for j in (-3.0, 0.0, 3.0)], 0.3),
    "cross": GaussianMixture([[0.0, 0.0], [0.0, 0.0]],
                             torch.stack([_rot_cov(2.0, 0.2, 45), _rot_cov(2.0, 0.2, -45)]), [1, 1]),
    "moons": _moons(),
    "bimodal 1D": GaussianMixture([[-5.0], [5.0]], [[[1.0]], [[1.0]]], [1.0, 1.0]),
}


def preset(name: str) -> GaussianMixture:
    """The preset mixture `name`, with a clear error listing the choices."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None
