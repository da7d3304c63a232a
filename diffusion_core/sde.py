"""Forward SDEs dx = f(t) x dt + g(t) dw with Gaussian transition kernels.

Every process here has a linear drift, so x_t | x_0 ~ N(alpha_t x_0, sigma_t^2 I).
The reverse-time SDE and the probability-flow ODE are built once, for any SDE and any score
function, in :func:`reverse_drift` (Anderson 1982; Song et al. 2021):

    reverse SDE:  dx = [f(t) x - g(t)^2 s(x, t)] dt + g(t) dw_bar
    PF ODE:       dx = [f(t) x - 1/2 g(t)^2 s(x, t)] dt
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod

import torch

from ._numbers import read_number

__all__ = ["SDE", "VESDE", "VPSDE", "reverse_drift", "as_time", "sde_from_config"]


def _parameter(name: str, value) -> float:
    """value as a finite float, or a ValueError that names the parameter."""
    v, problem = read_number(value)
    if problem:
        raise ValueError(f"{name} {problem}")
    return v


def as_time(t, like: torch.Tensor | None = None) -> torch.Tensor:
    """Times as a float tensor (on the device/dtype of `like` when given)."""
    if like is not None:
        return torch.as_tensor(t, dtype=like.dtype, device=like.device)
    t = torch.as_tensor(t)
    return t if t.is_floating_point() else t.to(torch.get_default_dtype())


def _expm1_ratio(u: torch.Tensor) -> torch.Tensor:
    """(e^u - 1) / u, equal to 1 at u = 0 and accurate near it."""
    small = u.abs() < 1e-6
    safe = torch.where(small, torch.ones_like(u), u)
    return torch.where(small, 1 + u / 2 + u * u / 6, torch.expm1(safe) / safe)


def _log1p_ratio(u: torch.Tensor) -> torch.Tensor:
    """log(1 + u) / u, equal to 1 at u = 0 and accurate near it."""
    small = u.abs() < 1e-6
    safe = torch.where(small, torch.ones_like(u), u)
    return torch.where(small, 1 - u / 2 + u * u / 3, torch.log1p(safe) / safe)


class SDE(ABC):
    """A forward process dx = f(t) x dt + g(t) dw on t in [0, 1]."""

    name: str = "sde"

    @abstractmethod
    def g(self, t) -> torch.Tensor:
        """Diffusion coefficient g(t)."""

    @abstractmethod
    def drift_coef(self, t) -> torch.Tensor:
        """f(t) in the linear drift f(t) x (0 for a VE process)."""

    @abstractmethod
    def sigma(self, t) -> torch.Tensor:
        """Marginal std sigma_t of x_t | x_0."""

    @abstractmethod
    def mean_scale(self, t) -> torch.Tensor:
        """alpha_t, the scale of x_0 in the mean of x_t | x_0."""

    @abstractmethod
    def t_of_sigma(self, sigma) -> torch.Tensor:
        """The inverse of sigma_t: the time at which the marginal std equals `sigma`."""

    @abstractmethod
    def t_of_noise_ratio(self, r) -> torch.Tensor:
        """The inverse of r_t = sigma_t / alpha_t (the noise-to-signal ratio that samplers step in)."""

    def noise_ratio(self, t) -> torch.Tensor:
        """r_t = sigma_t / alpha_t. x_t / alpha_t = x_0 + r_t z is a VE process in r: every
        sampler works in these coordinates, so one implementation serves every SDE."""
        return self.sigma(t) / self.mean_scale(t)

    @abstractmethod
    def prior_std(self) -> float:
        """Std of the prior N(0, prior_std^2 I) that sampling starts from at t = 1."""

    def prior_sample(self, n: int, dim: int, generator: torch.Generator | None = None,
                     dtype=None, device=None) -> torch.Tensor:
        """n draws of x_1 ~ N(0, prior_std^2 I)."""
        z = torch.randn(n, dim, generator=generator, dtype=dtype, device=device or "cpu")
        return z * self.prior_std()

    def perturb(self, x0: torch.Tensor, t, z: torch.Tensor) -> torch.Tensor:
        """x_t = alpha_t x_0 + sigma_t z, with t a scalar or of shape (N,) (a time per row)."""
        t = as_time(t, like=x0)
        if t.ndim == 1:
            t = t[:, None]
        return self.mean_scale(t) * x0 + self.sigma(t) * z

    def config(self) -> dict:
        """The constructor arguments, for hashing, display and serialization."""
        return {"kind": self.name, **{k: v for k, v in vars(self).items()}}

    def __eq__(self, other):
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self):
        return hash((type(self).__name__, tuple(sorted(vars(self).items()))))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class VESDE(SDE):
    """Variance-exploding SDE of the tutorial: dx = lam^t dw.

    sigma_t^2 = int_0^t lam^(2s) ds = (lam^(2t) - 1) / (2 ln lam), with the limit t at lam = 1;
    lam < 1 gives a process whose noise rate shrinks over time.
    """

    name = "VE"

    def __init__(self, lam: float = 25.0):
        lam = _parameter("lam", lam)
        if lam <= 0:
            raise ValueError(f"lam must be > 0 (g(t) = lam^t); got {lam}")
        self.lam = lam

    @property
    def _c(self) -> float:
        return math.log(self.lam)

    def g(self, t):
        return torch.exp(self._c * as_time(t))

    def drift_coef(self, t):
        return torch.zeros_like(as_time(t))

    def sigma(self, t):
        t = as_time(t)
        return torch.sqrt(t * _expm1_ratio(2 * self._c * t))

    def mean_scale(self, t):
        return torch.ones_like(as_time(t))

    def t_of_sigma(self, sigma):
        """t = ln(1 + 2 ln(lam) sigma^2) / (2 ln lam) (= sigma^2 at lam = 1); NaN for a sigma
        that the process never reaches (lam < 1 and sigma^2 >= 1 / (2 ln(1/lam)))."""
        s2 = as_time(sigma) ** 2
        return s2 * _log1p_ratio(2 * self._c * s2)

    def t_of_noise_ratio(self, r):
        return self.t_of_sigma(r)

    def prior_std(self):
        return float(self.sigma(torch.tensor(1.0, dtype=torch.float64)))


class VPSDE(SDE):
    """Variance-preserving SDE: dx = -1/2 beta(t) x dt + sqrt(beta(t)) dw, beta linear in t.

    With B(t) = int_0^t beta = beta_min t + (beta_max - beta_min) t^2 / 2:
    alpha_t = exp(-B/2), sigma_t^2 = 1 - exp(-B).
    """

    name = "VP"

    def __init__(self, beta_min: float = 0.1, beta_max: float = 20.0):
        beta_min, beta_max = _parameter("beta_min", beta_min), _parameter("beta_max", beta_max)
        for nm, v in (("beta_min", beta_min), ("beta_max", beta_max)):
            if v < 0:
                raise ValueError(f"{nm} must be >= 0; got {v}")
        if beta_max <= beta_min:
            raise ValueError(f"beta_max must be larger than beta_min; got {beta_min} and {beta_max}")
        self.beta_min, self.beta_max = beta_min, beta_max

    def beta(self, t):
        return self.beta_min + as_time(t) * (self.beta_max - self.beta_min)

    def _B(self, t):
        t = as_time(t)
        return self.beta_min * t + 0.5 * (self.beta_max - self.beta_min) * t * t

    def g(self, t):
        return torch.sqrt(self.beta(t))

    def drift_coef(self, t):
        return -0.5 * self.beta(t)

    def sigma(self, t):
        return torch.sqrt(-torch.expm1(-self._B(t)))

    def mean_scale(self, t):
        return torch.exp(-0.5 * self._B(t))

    def t_of_sigma(self, sigma):
        """t with B(t) = -ln(1 - sigma^2); sigma is clamped below 1 (reached only as B -> inf)."""
        s = as_time(sigma)
        s = s.clamp(max=1 - torch.finfo(s.dtype).eps)
        return self._t_of_B(-torch.log1p(-s * s))

    def t_of_noise_ratio(self, r):
        return self._t_of_B(torch.log1p(as_time(r) ** 2))

    def _t_of_B(self, B):
        a, b = 0.5 * (self.beta_max - self.beta_min), self.beta_min
        # root of a t^2 + b t - B = 0, written to avoid cancellation; t = 0 at B = 0 even if b = 0
        den = b + torch.sqrt(b * b + 4 * a * B)
        return torch.where(B > 0, 2 * B / torch.where(den > 0, den, torch.ones_like(den)),
                           torch.zeros_like(B))

    def prior_std(self):
        return 1.0


def reverse_drift(sde: SDE, score_fn, x: torch.Tensor, t: torch.Tensor, ode: bool = False):
    """Drift of the reverse-time process at (x, t), t of shape (N,):

    f(t) x - c g(t)^2 s(x, t), with c = 1 for the reverse SDE and c = 1/2 for the PF ODE.
    """
    c = 0.5 if ode else 1.0
    g2 = sde.g(t) ** 2
    return sde.drift_coef(t)[:, None] * x - c * g2[:, None] * score_fn(x, t)


def sde_from_config(cfg: dict) -> SDE:
    """Rebuild an SDE from SDE.config() ({"kind": "VE", "lam": ...} or {"kind": "VP", ...})."""
    kinds = {"VE": VESDE, "VP": VPSDE}
    try:
        args = dict(cfg)
        return kinds[args.pop("kind")](**args)
    except (KeyError, TypeError) as e:
        raise ValueError(f"sde must be a config of kind {' or '.join(kinds)}; got {cfg!r} ({e})") from None
