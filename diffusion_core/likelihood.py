"""Exact log-likelihoods of a score model through the probability-flow ODE.

Along the PF ODE dx/dt = f~(x, t), with f~(x, t) = f(t) x - 1/2 g(t)^2 s(x, t) (see
:func:`diffusion_core.sde.reverse_drift`), the density of the moving point obeys the
instantaneous change of variables (Chen et al. 2018; Song et al. 2021):

    d/dt log p_t(x_t) = -div_x f~(x_t, t),   so
    log p_{t_eps}(x) = log p_1(x_1) + int_{t_eps}^1 div_x f~(x_t, t) dt,

where x_t solves the ODE forward from x_{t_eps} = x. The divergence is computed exactly with
autograd (one backward pass per dimension; the points are independent, so one pass serves the
whole batch), and x and the integral are advanced together by Heun's or the classical RK4 method
on the same time grids as the samplers. log p_1 is replaced by the prior N(0, prior_std^2 I)
unless a `prior_logp` is given: that prior differs from the true p_1 (p_1 is the data blurred by
noise of std sigma_1, not a centred Gaussian: wider by the data's spread, centred on its mean),
which adds its own error, log N(x_1; 0, sigma_1^2 I) - log p_1(x_1) at the end point x_1.
"""
from __future__ import annotations

import math

import torch

from .sampling import GRIDS, time_grid
from .sde import SDE, reverse_drift

__all__ = ["ode_log_likelihood", "prior_log_prob", "divergence", "SOLVERS", "likelihood_nfe"]

SOLVERS = ("heun", "rk4")
_EVALS_PER_STEP = {"heun": 2, "rk4": 4}


def likelihood_nfe(solver: str, steps: int) -> int:
    """Score evaluations of :func:`ode_log_likelihood` (each with its divergence): the only count
    of them, like dc.nfe for the samplers."""
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {', '.join(SOLVERS)}; got {solver!r}")
    return _EVALS_PER_STEP[solver] * int(steps)


def prior_log_prob(sde: SDE, x: torch.Tensor) -> torch.Tensor:
    """log N(x; 0, prior_std^2 I), shape (N,)."""
    s = sde.prior_std()
    d = x.shape[1]
    return -0.5 * (x * x).sum(1) / s ** 2 - d * math.log(s) - 0.5 * d * math.log(2 * math.pi)


def divergence(fn, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(fn(x), div_x fn(x)) for fn mapping (N, d) -> (N, d) point by point, by d backward passes.

    Gradients are taken even when called under torch.no_grad or inference mode."""
    with torch.inference_mode(False), torch.enable_grad():
        x = x.detach().clone().requires_grad_(True)
        y = fn(x)
        div = torch.zeros(x.shape[0], dtype=x.dtype, device=x.device)
        for i in range(x.shape[1]):
            (gi,) = torch.autograd.grad(y[:, i].sum(), x, retain_graph=i < x.shape[1] - 1)
            div = div + gi[:, i]
    return y.detach(), div.detach()


def ode_log_likelihood(score_fn, sde: SDE, x, steps: int = 100, t_eps: float = 1e-3,
                       solver: str = "heun", grid: str = "karras", prior_logp=None,
                       return_terms: bool = False):
    """log p_{t_eps}(x) of the model whose score is `score_fn`, by the PF ODE, shape (N,).

    steps: grid intervals from t_eps to 1 (Heun: 2 drift evaluations per step, RK4: 4, each with
    d backward passes); grid: "karras" (small steps at small noise, where the drift changes
    fastest) or "uniform"; prior_logp: callable x_1 -> (N,) log-density at t = 1 (default: the
    prior N(0, prior_std^2 I)). With return_terms, returns (log p, prior term, integral, x_1).
    For the exact score of a mixture the result approaches gmm.diffuse(sde, t_eps).log_prob(x),
    which is log p_0(x) up to the blur of std sigma(t_eps).
    """
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {', '.join(SOLVERS)}; got {solver!r}")
    if grid not in GRIDS:
        raise ValueError(f"grid must be one of {', '.join(GRIDS)}; got {grid!r}")
    if int(steps) < 1:
        raise ValueError(f"steps must be >= 1; got {steps}")
    if not 0 < t_eps < 1:
        raise ValueError(f"t_eps must be in (0, 1); got {t_eps}")
    x = torch.as_tensor(x)
    if not x.is_floating_point():
        x = x.to(torch.get_default_dtype())
    if x.ndim != 2:
        raise ValueError(f"points must have shape (N, d); got {tuple(x.shape)}")
    n = x.shape[0]
    ts = time_grid(sde, int(steps), grid, t_eps).flip(0).tolist()     # ascending t_eps -> 1

    def field(y, t):          # (drift, its divergence) at time t for every point
        tv = torch.full((n,), t, dtype=y.dtype, device=y.device)
        return divergence(lambda z: reverse_drift(sde, score_fn, z, tv, ode=True), y)

    x = x.detach().clone()
    integral = torch.zeros(n, dtype=x.dtype, device=x.device)
    for t0, t1 in zip(ts[:-1], ts[1:]):
        h = t1 - t0
        k1, d1 = field(x, t0)
        if solver == "heun":
            k2, d2 = field(x + h * k1, t1)
            x = x + 0.5 * h * (k1 + k2)
            integral = integral + 0.5 * h * (d1 + d2)
        else:
            tm = 0.5 * (t0 + t1)
            k2, d2 = field(x + 0.5 * h * k1, tm)
            k3, d3 = field(x + 0.5 * h * k2, tm)
            k4, d4 = field(x + h * k3, t1)
            x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            integral = integral + h / 6 * (d1 + 2 * d2 + 2 * d3 + d4)
    prior = prior_logp(x) if prior_logp is not None else prior_log_prob(sde, x)
    prior = torch.as_tensor(prior, dtype=x.dtype, device=x.device).reshape(n)
    logp = prior + integral
    return (logp, prior, integral, x) if return_terms else logp
