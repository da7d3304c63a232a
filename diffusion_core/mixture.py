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

__all__ = ["GaussianMixture", "PRESETS", "preset", "cov_from_std_angle", "std_angle_from_cov"]

_LOG_2PI = math.log(2 * math.pi)
_CHUNK_ELEMENTS = 1 << 18   # entries of the (K d, N) intermediates evaluated at once (2 MiB in float64)
ISO_MIN_COMPONENTS = 64     # mixtures this large with one shared covariance c I take the isotropic path


def as_points(x, dim: int) -> torch.Tensor:
    x = torch.as_tensor(x)
    if not x.is_floating_point():
        x = x.to(torch.get_default_dtype())
    if x.ndim == 1 and dim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[1] != dim:
        raise ValueError(f"points must have shape (N, {dim}); got {tuple(x.shape)}")
    return x


def as_data(x0) -> torch.Tensor:
    """Data x0 as an (N, d) floating tensor (a 1D input is N points in one dimension)."""
    x0 = torch.as_tensor(x0)
    if not x0.is_floating_point():
        x0 = x0.to(torch.get_default_dtype())
    if x0.ndim == 1:
        x0 = x0[:, None]
    if x0.ndim != 2:
        raise ValueError(f"x0 must have shape (N, d); got {tuple(x0.shape)}")
    return x0


def _table(name: str, v) -> torch.Tensor:
    """v as a float64 tensor, or a ValueError naming the parameter (ragged lists, text)."""
    try:
        return torch.as_tensor(v, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError, OverflowError) as e:
        raise ValueError(f"{name} must be a table of numbers: {e}") from None


class GaussianMixture:
    """A mixture of K Gaussians in d dimensions.

    means (K, d), covs (K, d, d) symmetric positive definite, weights (K,) >= 0 with a positive
    sum (normalized here). Parameters are stored in float64; evaluation runs in the dtype and on
    the device of the points given.
    """

    def __init__(self, means, covs, weights=None):
        means = _table("means", means)
        if means.ndim == 1:
            means = means[:, None]
        if means.ndim != 2 or means.shape[0] == 0 or means.shape[1] == 0:
            raise ValueError("means must be a (K, d) table with at least one component; "
                             f"got shape {tuple(means.shape)}")
        K, d = means.shape
        covs = _table("covs", covs)
        if d == 1 and covs.ndim == 1:
            covs = covs[:, None, None]
        if covs.shape != (K, d, d):
            raise ValueError(f"covs must have shape ({K}, {d}, {d}), one {d}x{d} matrix per mean; "
                             f"got {tuple(covs.shape)}")
        weights = torch.ones(K, dtype=torch.float64) if weights is None else \
            _table("weights", weights).reshape(-1)
        if weights.shape != (K,):
            raise ValueError(f"weights must have one entry per component ({K}); got {weights.numel()}")
        for name, v in (("means", means), ("covs", covs), ("weights", weights)):
            if not torch.isfinite(v).all():
                raise ValueError(f"{name} must be finite numbers (no NaN or infinity)")
        if (weights < 0).any():
            raise ValueError("weights must be >= 0")
        if weights.sum() <= 0:
            raise ValueError("weights must have a positive sum (at least one component with weight > 0)")
        iso = _shared_isotropic_variance(covs)
        if iso is not None and iso > 0:      # c I for all: its eigenbasis without K decompositions
            evals = torch.full((K, d), iso, dtype=torch.float64)
            evecs = torch.eye(d, dtype=torch.float64).expand(K, d, d)
        else:
            covs, evals, evecs = self._decomposed(covs)
        self.means, self.covs = means, covs
        weights = weights / weights.max()         # no overflow in the sum of huge weights
        self.weights = weights / weights.sum()
        self.dim, self.n_components = d, K
        self._evals, self._evecs = evals, evecs
        self._iso_var = iso if K >= ISO_MIN_COMPONENTS else None

    @staticmethod
    def _decomposed(covs: torch.Tensor):
        """(covs symmetrized, eigenvalues, eigenvectors), or a ValueError naming the component
        whose covariance is not symmetric positive definite."""
        K = covs.shape[0]
        for k in range(K):
            if not torch.allclose(covs[k], covs[k].T, rtol=1e-6, atol=1e-9):
                raise ValueError(f"component {k + 1}: covariance must be symmetric; got {covs[k].tolist()}")
        covs = 0.5 * (covs + covs.transpose(1, 2))
        evals, evecs = torch.linalg.eigh(covs)
        if not torch.isfinite(evals).all():
            raise ValueError("covs: entries too large to decompose (their eigenvalues overflow)")
        for k in range(K):
            if evals[k].min() <= 1e-12 * max(1.0, float(evals[k].max())):
                raise ValueError(
                    f"component {k + 1}: covariance must be positive definite (every variance > 0, "
                    f"|correlation| < 1); its eigenvalues are {[round(float(e), 6) for e in evals[k]]}")
        return covs, evals, evecs

    # ----------------------------------------------------------------------------- kernel
    def _kernel(self, x: torch.Tensor, alpha=1.0, sigma2=0.0):
        """The eigenbasis quantities of the mixture diffused with (alpha, sigma^2), for one chunk,
        component-major so that every operation runs along the N points.

        alpha, sigma2: scalars or (N,) tensors (a time per point). With C_k = alpha^2 Sigma_k +
        sigma^2 I = U_k diag(v_k) U_k^T, v_k = alpha^2 l_k + sigma^2, and y_k = U_k^T (x - alpha mu_k),
        all K components at once in one (K d, d) x (d, N) product:
          log_joint (K, N): log pi_k - 1/2 (sum_j y_kj^2 / v_kj + sum_j ln v_kj + d ln 2 pi)
          y_over (K d, N): y_k / v_k, so that the score of component k is -U_k (y_k / v_k)
          u_cat (d, K d): [U_1 ... U_K].
        """
        dt, dev = x.dtype, x.device
        K, d = self.n_components, self.dim
        U = self._evecs.to(dev, dt)                                     # (K, d, d)
        u_cat = U.permute(1, 0, 2).reshape(d, K * d)
        m = torch.einsum("kd,kde->ke", self.means.to(dev, dt), U).reshape(K * d, 1)  # U_k^T mu_k
        lam = self._evals.to(dev, dt).reshape(K * d, 1)
        alpha = torch.as_tensor(alpha, dtype=dt, device=dev)
        sigma2 = torch.as_tensor(sigma2, dtype=dt, device=dev)
        if alpha.ndim or sigma2.ndim:                                   # a time per point
            alpha = alpha.reshape(1, -1).expand(1, x.shape[0])
            sigma2 = sigma2.reshape(1, -1).expand(1, x.shape[0])
        y = u_cat.T @ x.T - alpha * m                                   # (K d, N)
        var = alpha * alpha * lam + sigma2                              # (K d, 1) or (K d, N)
        y_over = y / var
        quad = (y * y_over).reshape(K, d, -1).sum(1)                    # (K, N)
        log_det = torch.log(var).reshape(K, d, -1).sum(1)               # (K, 1) or (K, N)
        log_w = torch.log(self.weights.to(dev, dt))[:, None]
        return log_w - 0.5 * (quad + log_det + d * _LOG_2PI), y_over, u_cat

    def _chunks(self, x: torch.Tensor, alpha, sigma2):
        """(rows, x, alpha, sigma2) in row chunks of about _CHUNK_ELEMENTS (N K d) entries: bounds
        the memory of the (K d, N) intermediates and keeps them in cache (faster than one chunk)."""
        n = x.shape[0]
        rows = max(1024, _CHUNK_ELEMENTS // (self.n_components * self.dim))
        alpha = torch.as_tensor(alpha, dtype=x.dtype, device=x.device)
        sigma2 = torch.as_tensor(sigma2, dtype=x.dtype, device=x.device)
        per_point = alpha.ndim > 0 or sigma2.ndim > 0
        if per_point:
            alpha, sigma2 = (v.reshape(-1).expand(n) if v.numel() == 1 else v.reshape(-1)
                             for v in (alpha, sigma2))
            if alpha.shape[0] != n or sigma2.shape[0] != n:
                raise ValueError(f"times must be a scalar or one per point ({n}); "
                                 f"got {alpha.shape[0]} and {sigma2.shape[0]}")
        for i in range(0, max(n, 1), rows):
            sl = slice(i, i + rows)
            yield sl, x[sl], (alpha[sl] if per_point else alpha), (sigma2[sl] if per_point else sigma2)

    def _terms(self, x: torch.Tensor, alpha=1.0, sigma2=0.0):
        """Per-component quantities of the mixture diffused with (alpha, sigma^2).

        alpha, sigma2: scalars or (N,) tensors (a time per point). With
        C_k = alpha^2 Sigma_k + sigma^2 I and r = x - alpha mu_k, returns
          log_joint (N, K): log pi_k + log N(x; alpha mu_k, C_k)
          scores (K, N, d): -C_k^{-1} r, the score of each component.
        """
        K, d, n = self.n_components, self.dim, x.shape[0]
        log_joint = x.new_empty(n, K)
        scores = x.new_empty(K, n, d)
        for sl, xc, a, s2 in self._chunks(x, alpha, sigma2):
            lj, y_over, u_cat = self._kernel(xc, a, s2)
            log_joint[sl] = lj.T
            # -U_k (y_k / v_k) for every k: (K, d, d) x (K, d, N)
            scores[:, sl] = -torch.bmm(u_cat.reshape(d, K, d).transpose(0, 1),
                                       y_over.reshape(K, d, -1)).transpose(1, 2)
        return log_joint, scores

    def _log_joint(self, x: torch.Tensor, alpha=1.0, sigma2=0.0) -> torch.Tensor:
        """log pi_k + log N(x; alpha mu_k, alpha^2 Sigma_k + sigma^2 I), shape (K, N)."""
        out = x.new_empty(self.n_components, x.shape[0])
        for sl, xc, a, s2 in self._chunks(x, alpha, sigma2):
            if self._iso_var is None:
                out[:, sl] = self._kernel(xc, a, s2)[0]
            else:
                logits, common = self._iso_terms(xc, a, s2)[:2]
                out[:, sl] = (logits - common).T
        return out

    def _iso_terms(self, x: torch.Tensor, alpha, sigma2):
        """The isotropic path, for mixtures whose components share the covariance c I. With
        v = alpha^2 c + sigma^2 (one per point) and |x - alpha mu_k|^2 expanded,
          logits (N, K): log pi_k + (alpha x.mu_k - alpha^2 |mu_k|^2 / 2) / v
          common (N, 1): |x|^2 / (2 v) + d/2 ln(2 pi v), so log_joint = logits - common
          mean (N, d): sum_k pi_k(x) mu_k, responsibilities softmax(logits) (common cancels)
          alpha, v: (N, 1) tensors or scalars,
        and the score is -(x - alpha mean) / v: two (N, K) products instead of (K d, N) tables."""
        mu = self.means.to(x.device, x.dtype)
        alpha = alpha.reshape(-1, 1) if alpha.ndim else alpha
        v = alpha * alpha * self._iso_var + (sigma2.reshape(-1, 1) if sigma2.ndim else sigma2)
        log_w = torch.log(self.weights.to(x.device, x.dtype))
        logits = log_w + (alpha * (x @ mu.T) - (0.5 * alpha * alpha) * (mu * mu).sum(1)) / v
        common = (x * x).sum(1, keepdim=True) / (2 * v) + 0.5 * self.dim * torch.log(2 * math.pi * v)
        return logits, common, torch.softmax(logits, dim=1) @ mu, alpha, v

    # ----------------------------------------------------------------------------- density
    def log_prob(self, x) -> torch.Tensor:
        """log p(x) = logsumexp_k [log pi_k + log N(x; mu_k, Sigma_k)], shape (N,)."""
        return torch.logsumexp(self._log_joint(as_points(x, self.dim)), dim=0)

    def responsibilities(self, x) -> torch.Tensor:
        """pi_k(x) = pi_k N_k(x) / p(x), shape (N, K), by softmax of the log joint."""
        return torch.softmax(self._log_joint(as_points(x, self.dim)), dim=0).T

    def score_components(self, x):
        """Per-mode scores -Sigma_k^{-1}(x - mu_k) (K, N, d) and responsibilities (N, K)."""
        lj, s = self._terms(as_points(x, self.dim))
        return s, torch.softmax(lj, dim=1)

    def score(self, x) -> torch.Tensor:
        """grad log p(x) = sum_k pi_k(x) (-Sigma_k^{-1}(x - mu_k)), shape (N, d)."""
        return self.score_at(as_points(x, self.dim))

    def score_at(self, x: torch.Tensor, alpha=1.0, sigma2=0.0) -> torch.Tensor:
        """Score of the mixture diffused with (alpha, sigma^2), given per point or as scalars:
        sum_k softmax_k(log_joint) (-U_k y_k / v_k), as one (d, K d) x (K d, N) product."""
        K, d = self.n_components, self.dim
        out = x.new_empty(x.shape[0], d)
        for sl, xc, a, s2 in self._chunks(x, alpha, sigma2):
            if self._iso_var is not None:
                mean, a, v = self._iso_terms(xc, a, s2)[2:]
                out[sl] = -(xc - a * mean) / v
                continue
            log_joint, y_over, u_cat = self._kernel(xc, a, s2)
            w = y_over.reshape(K, d, -1) * torch.softmax(log_joint, dim=0)[:, None, :]
            out[sl] = -(u_cat @ w.reshape(K * d, -1)).T
        return out

    # ----------------------------------------------------------------------------- sampling
    def sample(self, n: int, generator: torch.Generator | None = None, dtype=None):
        """n draws: labels k ~ Categorical(pi), x = mu_k + L_k z. Returns (x (n, d), labels (n,))."""
        dtype = dtype or torch.get_default_dtype()
        if isinstance(n, bool) or int(n) != n or n < 0:
            raise ValueError(f"number of samples must be an integer >= 0; got {n!r}")
        n = int(n)
        if n == 0:
            return torch.zeros(0, self.dim, dtype=dtype), torch.zeros(0, dtype=torch.long)
        labels = torch.multinomial(self.weights, n, replacement=True, generator=generator)
        z = torch.randn(n, self.dim, generator=generator, dtype=torch.float64)
        root = self._evecs * self._evals.sqrt()[:, None, :]    # U diag(sqrt l): root root^T = Sigma
        x = self.means[labels] + torch.einsum("nij,nj->ni", root[labels], z)
        return x.to(dtype), labels

    def moments(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(mean, covariance) of the mixture (float64): m = sum_k w_k mu_k and
        C = sum_k w_k (Sigma_k + mu_k mu_k^T) - m m^T."""
        w = self.weights.double()
        m = w @ self.means
        second = torch.einsum("k,kij->ij", w, self.covs + self.means[:, :, None] * self.means[:, None, :])
        return m, second - torch.outer(m, m)

    # ----------------------------------------------------------------------------- transforms
    def diffuse(self, sde, t: float) -> "GaussianMixture":
        """p_t for x_t = alpha_t x_0 + sigma_t z: means alpha_t mu_k, covs alpha_t^2 Sigma_k + sigma_t^2 I."""
        t = float(t)
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"t must be a time in [0, 1]; got {t}")
        tt = torch.tensor(t, dtype=torch.float64)
        a, s = float(sde.mean_scale(tt)), float(sde.sigma(tt))
        eye = torch.eye(self.dim, dtype=torch.float64)
        return GaussianMixture(a * self.means, a * a * self.covs + s * s * eye, self.weights)

    def add_component(self, mean, cov, weight: float = 1.0) -> "GaussianMixture":
        """A new mixture with one more component; `weight` is on the scale of the current
        normalized weights (weight 1/K keeps all K+1 components equally likely)."""
        d = self.dim
        mean = torch.as_tensor(mean, dtype=torch.float64)
        cov = torch.as_tensor(cov, dtype=torch.float64)
        if mean.numel() != d:
            raise ValueError(f"the new mean must have {d} entries; got shape {tuple(mean.shape)}")
        if cov.numel() != d * d or (cov.ndim >= 2 and cov.shape[-2:] != (d, d)):
            raise ValueError(f"the new covariance must be a {d}x{d} matrix; got shape {tuple(cov.shape)}")
        mean, cov = mean.reshape(1, d), cov.reshape(1, d, d)
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


def _shared_isotropic_variance(covs: torch.Tensor) -> float | None:
    """c when every covariance is the same c I, else None."""
    c = covs[0, 0, 0]
    eye = torch.eye(covs.shape[1], dtype=covs.dtype)
    return float(c) if torch.equal(covs, (c * eye).expand_as(covs)) else None


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


def cov_from_std_angle(s1: float, s2: float, angle: float) -> torch.Tensor:
    """Sigma = R diag(s1^2, s2^2) R^T with R the rotation by `angle` degrees, (2, 2) float64."""
    return _rot_cov(float(s1), float(s2), float(angle))


def std_angle_from_cov(cov) -> tuple[float, float, float]:
    """The inverse of :func:`cov_from_std_angle`: (s1, s2, angle) with s1 >= s2 the principal
    stds and angle in (-90, 90] the direction of the s1 axis (0 for a round component)."""
    cov = torch.as_tensor(cov, dtype=torch.float64).reshape(2, 2)
    cov = 0.5 * (cov + cov.T)
    evals, evecs = torch.linalg.eigh(cov)           # ascending
    lo, hi = float(evals[0]), float(evals[1])
    if lo <= 0:
        raise ValueError(f"covariance must be positive definite; its eigenvalues are {lo:.3g}, {hi:.3g}")
    s1, s2 = math.sqrt(hi), math.sqrt(lo)
    if hi - lo <= 1e-12 * hi:
        return s1, s2, 0.0
    vx, vy = float(evecs[0, 1]), float(evecs[1, 1])
    angle = math.degrees(math.atan2(vy, vx))
    if angle <= -90:
        angle += 180
    elif angle > 90:
        angle -= 180
    return s1, s2, angle


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
