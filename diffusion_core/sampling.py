"""Samplers for the reverse process, in k-diffusion's shape: small grid functions, one short
function per sampler, one registry.

Every sampler steps in the coordinates x~ = x / alpha_t and r = sigma_t / alpha_t, in which every
SDE here is the VE process x~_t = x_0 + r_t z. There the denoiser (data prediction) is

    D(x~, r) = x~ + r^2 alpha_t s(alpha_t x~, t)          (Tweedie: E[x_0 | x_t])

the probability-flow ODE is dx~/dr = (x~ - D) / r, and the reverse SDE is Brownian motion in
tau = r^2 with drift -(x~ - D) / r^2. Exponential integrators (DPM-Solver++) take steps
h = log(r_i / r_j) in lambda = -log r and solve the linear part exactly.

A grid is a descending tensor of times t_0 = 1 > ... > t_N = t_eps (float64). A sampler is a
function (score_fn, sde, x, grid, generator=None, callback=None, **options) -> x that maps prior
draws x at grid[0] to samples at grid[-1], calling callback(i, t_{i+1}, x) after every step.
`@register_sampler(name, label, short, help, ...)` on that function puts everything the sampler
is into :data:`SAMPLERS` (name -> :class:`SamplerSpec`: its names on pages, what it costs, its
options, whether it is stochastic, its measured settings per budget): adding a sampler is one
function and its decorator. :data:`GRID_SPECS` (name -> :class:`GridSpec`) holds the grids;
:func:`nfe` is the only place a number of score evaluations is computed; :data:`OPTIONS` the
samplers' options (default, help, check), :data:`FINALS` the last step to sigma = 0 and
:data:`NOISES` the stochastic samplers' noise, with one-line help; :func:`recommended` gives
the measured settings of a sampler at a budget, which pages and the benchmark share.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch

from ._numbers import read_number
from .sde import SDE, VESDE, reverse_drift

__all__ = ["SampleResult", "SamplerSpec", "Option", "GridSpec", "SAMPLERS", "GRID_SPECS", "METHODS",
           "GRIDS", "OPTIONS", "FINALS", "NOISES", "RECOMMENDED", "recommended", "register_sampler",
           "time_grid", "sample", "nfe", "steps_for_nfe", "T_EPS", "SNR"]

T_EPS = 1e-4    # default end time: sigma(t_eps) = 0.01 for VESDE(25), 0.003 for VPSDE()
SNR = 0.13      # default Langevin corrector signal-to-noise ratio (see `sample_pc`)


@dataclass
class SampleResult:
    """x (N, d) final samples; trajectory (steps+1, N, d) or None, its last entry x (denoised
    when asked); times (steps+1,) the grid; nfe, the number of score evaluations (each on the
    whole batch). The "tutorial" method takes steps-1 steps: trajectory (steps, N, d), times
    (steps,), nfe steps-1."""
    x: torch.Tensor
    trajectory: torch.Tensor | None
    times: torch.Tensor
    nfe: int


# ============================================================================ argument checks
def _whole(v, least: int) -> bool:
    """Whether v is a whole number >= least (3 and 3.0 are; True, 2.5, NaN and "3" are not)."""
    f = read_number(v, text=False)[0]
    return f is not None and f.is_integer() and f >= least


def _check_steps(steps, least: int):
    if not _whole(steps, least):
        raise ValueError(f"steps must be an integer >= {least}; got {steps!r}")


def _check_t_eps(t_eps):
    f = read_number(t_eps, text=False)[0]
    if f is None or not 0 < f < 1:
        raise ValueError(f"t_eps must be a number in (0, 1); got {t_eps!r}")


def _check_choice(what: str, value, choices):
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{what} must be one of {', '.join(choices)}; got {value!r}")


# ============================================================================ grids
def _ends(sde: SDE, t_eps: float) -> torch.Tensor:
    """r = sigma / alpha at t = 1 and t = t_eps (float64)."""
    return sde.noise_ratio(torch.tensor([1.0, t_eps], dtype=torch.float64))


def _times_of_ratios(sde: SDE, r: torch.Tensor, t_eps: float) -> torch.Tensor:
    """The times of noise ratios r, with the ends pinned to exactly 1 and t_eps."""
    t = sde.t_of_noise_ratio(r)
    t[0], t[-1] = 1.0, t_eps
    return t


def grid_uniform(sde: SDE, steps: int, t_eps: float) -> torch.Tensor:
    """t_i = 1 - i (1 - t_eps) / steps: uniform in t (the tutorial's)."""
    return torch.linspace(1.0, t_eps, steps + 1, dtype=torch.float64)


def grid_karras(sde: SDE, steps: int, t_eps: float, rho: float = 7.0) -> torch.Tensor:
    """r_i = (r_max^(1/rho) + i/steps (r_min^(1/rho) - r_max^(1/rho)))^rho, r = sigma / alpha
    (Karras et al. 2022, rho = 7): dense at small noise, where the data's detail is decided."""
    hi, lo = _ends(sde, t_eps) ** (1 / rho)
    u = torch.linspace(0, 1, steps + 1, dtype=torch.float64)
    return _times_of_ratios(sde, (hi + u * (lo - hi)) ** rho, t_eps)


def _log_ratio_grid(sde: SDE, u: torch.Tensor, t_eps: float) -> torch.Tensor:
    """The times of log r_i = log r_max + u_i (log r_min - log r_max), u from 0 (t = 1) to 1 (t_eps)."""
    hi, lo = _ends(sde, t_eps).log()
    return _times_of_ratios(sde, torch.exp(hi + u * (lo - hi)), t_eps)


def grid_exponential(sde: SDE, steps: int, t_eps: float) -> torch.Tensor:
    """log r_i uniform from log r_max to log r_min: equal steps h in lambda = -log r, the
    natural grid of exponential integrators (Lu et al. 2022; rho -> infinity in Karras's)."""
    return _log_ratio_grid(sde, torch.linspace(0, 1, steps + 1, dtype=torch.float64), t_eps)


# Interior positions u_1 < ... < u_{steps-1} in (0, 1) of the fitted grid, per number of steps:
# fitted for "unipc" at its recommended settings (the final step and r_noise of the same budget),
# by benchmarks/bench_few_step.py --fit unipc (Nelder-Mead over the positions and t_eps on
# ring8 and the tutorial mixture, prior seeds 0-2; the benchmark checks them on seeds 11-15).
FITTED: dict[int, tuple] = {4: (0.5256, 0.5924, 0.8233),              # 5 NFE with the last step
                            5: (0.2257, 0.4447, 0.6627, 0.8104)}      # 6 NFE


def grid_fitted(sde: SDE, steps: int, t_eps: float) -> torch.Tensor:
    """log r_i = log r_max + u_i (log r_min - log r_max) at the positions u_i of FITTED[steps]:
    with a handful of steps, where each step lands matters more than the integrator's order, and
    equal steps in log r (grid_exponential) are not the best; grid_exponential where no fit exists."""
    if steps not in FITTED:
        return grid_exponential(sde, steps, t_eps)
    return _log_ratio_grid(sde, torch.tensor((0.0, *FITTED[steps], 1.0), dtype=torch.float64), t_eps)


def grid_tutorial(sde: SDE, steps: int, t_eps: float) -> torch.Tensor:
    """The tutorial loop's times 1, 1 - dt, ..., dt with dt = 1 / steps (steps - 1 intervals;
    t_eps is not used: the loop stops at t = dt)."""
    return 1 - torch.arange(steps, dtype=torch.float64) / steps


@dataclass(frozen=True)
class GridSpec:
    """A named time grid: fn(sde, steps, t_eps) -> descending float64 times; label and help for
    pages."""
    fn: Callable
    label: str
    help: str


GRID_SPECS: dict[str, GridSpec] = {
    "karras": GridSpec(grid_karras, "Karras (rho = 7)",
                       "Uniform in (sigma/alpha)^(1/7): small steps at low noise (Karras et al. 2022, "
                       "Elucidating the Design Space of Diffusion-Based Generative Models)."),
    "uniform": GridSpec(grid_uniform, "uniform in t",
                        "Equal steps in time t, as in the tutorial (Song et al. 2021)."),
    "exponential": GridSpec(grid_exponential, "log-uniform sigma",
                            "Equal steps in log(sigma/alpha), the step size of exponential "
                            "integrators (Lu et al. 2022, DPM-Solver)."),
    "fitted": GridSpec(grid_fitted, "log-sigma, fitted per step count",
                       "Steps in log(sigma/alpha) placed where they were measured best for a few "
                       "steps on two mixtures (log-uniform where no fit exists)."),
}
GRIDS = tuple(GRID_SPECS)


def time_grid(sde: SDE, steps: int, kind: str = "karras", t_eps: float = T_EPS,
              rho: float = 7.0) -> torch.Tensor:
    """steps+1 descending times from 1 to t_eps (float64) on the grid `kind` (dc.GRIDS)."""
    _check_steps(steps, 1)
    _check_t_eps(t_eps)
    _check_choice("grid", kind, GRIDS)
    if kind == "karras":
        return grid_karras(sde, int(steps), float(t_eps), rho)
    return GRID_SPECS[kind].fn(sde, int(steps), float(t_eps))


# ============================================================================ the shared walk
class Walk:
    """A grid in the sampler's coordinates: r_i = sigma/alpha and alpha_i at every time, the
    denoiser, fresh noise (of the kind `noise`, see NOISES), and the per-step callback.
    x~ = x / alpha_0 at the start."""

    def __init__(self, score_fn, sde: SDE, x: torch.Tensor, grid: torch.Tensor, generator, callback,
                 noise: str = "iid"):
        self.fn, self.x, self.gen, self.cb = score_fn, x, generator, callback
        self.t = grid.tolist()
        self.r = sde.noise_ratio(grid).tolist()
        self.a = sde.mean_scale(grid).tolist()
        self.at = (self.t, self.r, self.a)      # where D_i is evaluated: (t, r, alpha) per index
        self.steps = len(self.t) - 1
        self.kind, self.draws, self.sobol = noise, 0, None

    def shift(self, sde: SDE, grid: torch.Tensor, shifts) -> None:
        """Evaluate D_i (i < len(shifts)) at a shifted noise level instead of at r_i:
        log r'_i = log r_i + delta_i log(r_{i+1} / r_i), delta_i = shifts[i] (0: at r_i; 1: at
        r_{i+1}; above 1: past it; below 0: before r_i), at the time t'_i of r'_i (time-shifted
        evaluations, as AMED-Solver's and time-shift samplers' are). The steps keep the grid's r_i."""
        if len(shifts) > self.steps:
            raise ValueError(f"{len(shifts)} shifts for {self.steps} steps")
        t, r, a = (list(v) for v in self.at)
        for i, d in enumerate(shifts):
            if d:
                r[i] = math.exp((1 - d) * math.log(self.r[i]) + d * math.log(self.r[i + 1]))
                ti = sde.t_of_noise_ratio(torch.tensor(r[i], dtype=torch.float64))
                t[i], a[i] = float(ti), float(sde.mean_scale(ti))
        self.at = (t, r, a)

    def start(self) -> torch.Tensor:
        return self.x / self.a[0]

    def grad(self, xt: torch.Tensor, i: int) -> torch.Tensor:
        """The score in x~ coordinates, alpha_i s(alpha_i x~, t_i): one evaluation."""
        t, _, a = self.at
        tv = torch.full((xt.shape[0],), t[i], dtype=xt.dtype, device=xt.device)
        return a[i] * self.fn(xt * a[i], tv)

    def denoised(self, xt: torch.Tensor, i: int) -> torch.Tensor:
        """D(x~, r_i) = x~ + r_i^2 alpha_i s: one evaluation (at the shifted r'_i, see shift)."""
        return xt + self.at[1][i] ** 2 * self.grad(xt, i)

    def h(self, i: int) -> float:
        """Step i in lambda = -log r: h = log(r_i / r_{i+1})."""
        return math.log(self.r[i] / self.r[i + 1])

    def noise(self, xt: torch.Tensor) -> torch.Tensor:
        """N(0, I) draws shaped like xt: independent ("iid"), in opposite pairs z, -z across the
        batch ("antithetic"), or scrambled Sobol points mapped by the normal quantile ("qmc"),
        the k-th call taking the k-th block of d coordinates of one point per sample, so that
        all the steps' noise of a sample is one low-discrepancy point."""
        if self.kind == "antithetic":
            z = torch.randn(((xt.shape[0] + 1) // 2, *xt.shape[1:]), generator=self.gen,
                            dtype=xt.dtype, device=xt.device)
            return torch.cat([z, -z])[:xt.shape[0]]
        if self.kind == "qmc":
            n, d = xt.shape[0], xt[0].numel()
            if self.sobol is None:       # up to 2 draws a step (pc); Sobol's dimension limit
                dims = min(2 * self.steps, torch.quasirandom.SobolEngine.MAXDIM // d) * d
                seed = int(torch.randint(0, 2 ** 31 - 1, (1,), generator=self.gen))
                self.sobol = torch.quasirandom.SobolEngine(dims, scramble=True, seed=seed).draw(
                    n, dtype=torch.float64)
            k, self.draws = (self.draws * d) % self.sobol.shape[1], self.draws + 1
            u = self.sobol[:, k:k + d].clamp(1e-10, 1 - 1e-10)
            z = math.sqrt(2) * torch.erfinv(2 * u - 1)
            return z.reshape(xt.shape).to(dtype=xt.dtype, device=xt.device)
        return torch.randn(xt.shape, generator=self.gen, dtype=xt.dtype, device=xt.device)

    def done(self, i: int, xt: torch.Tensor) -> torch.Tensor:
        """After step i: report x = alpha_{i+1} x~ to the callback; returns x~."""
        if self.cb is not None:
            self.cb(i, self.t[i + 1], xt * self.a[i + 1])
        return xt

    def end(self, xt: torch.Tensor) -> torch.Tensor:
        return xt * self.a[-1]


# ============================================================================ the registry
@dataclass(frozen=True)
class Option:
    """A sampler option: its default, one line of help, and check(value) -> the value to use
    (ValueError naming the option when it is not allowed)."""
    default: object
    help: str
    check: Callable


def _finite_at_least_zero(name: str):
    def check(v):
        f = read_number(v, text=False)[0]
        if f is None or not 0 <= f < float("inf"):
            raise ValueError(f"{name} must be a finite number >= 0; got {v!r}")
        return f
    return check


def _one_of(name: str, choices: dict):
    def check(v):
        _check_choice(name, v, tuple(choices))
        return v
    return check


NOISES = {
    "iid": "Independent N(0, I) draws at every step (the usual).",
    "antithetic": "Draws in opposite pairs z, -z across the batch: the batch's noise has mean "
                  "zero exactly (antithetic variates, Hammersley and Morton 1956); paired "
                  "samples then share |z|, so spreads such as log p are measured worse.",
    "qmc": "Scrambled Sobol points mapped to N(0, I), one point per sample over all steps: "
           "the batch covers the noise evenly (randomized quasi-Monte Carlo, Owen 1995).",
}
R_NOISE = 2.0   # "dpm2m_sa": stochastic steps while sigma/alpha > R_NOISE, in data units
ODE_ONLY = 1e3  # an r_noise above sigma_1/alpha_1 of every SDE here (VE lambda <= 50: 18; VP: 151)
OPTIONS: dict[str, Option] = {
    "snr": Option(SNR, "the Langevin corrector's signal-to-noise ratio", _finite_at_least_zero("snr")),
    "noise": Option("iid", "the stochastic samplers' noise (NOISES)", _one_of("noise", NOISES)),
    "r_noise": Option(R_NOISE, "sigma/alpha above which steps are stochastic",
                      _finite_at_least_zero("r_noise")),
}


@dataclass(frozen=True)
class SamplerSpec:
    """Everything a sampler is. fn (score_fn, sde, x, grid, generator, callback, **options) -> x;
    label and short, its names on pages; help, one sentence with its reference; per_step score
    evaluations per step and extra ones beyond those (-1: the tutorial's loop takes steps - 1
    steps); denoise, whether it ends with the optional last step to sigma = 0 (+1 evaluation);
    min_steps; grid, a grid function it always uses (else the caller's grid); options, the names
    in OPTIONS it takes; stochastic, whether it draws noise along the way; recommended, measured
    settings per budget ((from_budget, sample() keywords), ...), see :func:`recommended`."""
    name: str
    fn: Callable
    label: str
    short: str
    help: str
    per_step: int = 1
    extra: int = 0
    denoise: bool = True
    min_steps: int = 1
    grid: Callable | None = None
    options: tuple = ()
    stochastic: bool = False
    recommended: tuple = ()

    def nfe(self, steps: int, denoise: bool = True) -> int:
        """per_step * steps + extra (+1 for the final denoising step)."""
        return self.per_step * int(steps) + self.extra + int(self.denoise and bool(denoise))

    def take(self, options: dict) -> dict:
        """The keyword options this sampler's function takes: each checked (OPTIONS[name].check),
        the defaults where not given. Options of other samplers are checked and left out, so one
        call can sweep every method; a name no sampler knows is a ValueError."""
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            raise ValueError(f"unknown sampler option {unknown[0]!r}; options are {', '.join(OPTIONS)}")
        checked = {k: OPTIONS[k].check(v) for k, v in options.items()}
        return {k: checked.get(k, OPTIONS[k].default) for k in self.options}


SAMPLERS: dict[str, SamplerSpec] = {}


def register_sampler(name: str, label: str, short: str, help: str, **spec):
    """Decorator: register the function below as sampler `name` (SamplerSpec's fields in spec).
    The name, the code and what it costs live together; every page, test and benchmark reads
    SAMPLERS."""
    def add(fn):
        SAMPLERS[name] = SamplerSpec(name, fn, label, short, help, **spec)
        return fn
    return add


# Measured settings per budget, in each sampler's `recommended`: the entry with the largest
# from_budget <= the budget applies. Chosen once per budget in 10, 15, 20, 30, 50, 100, 200
# among 3-9 candidates (grid karras / exponential; t_eps 1e-4 with Tweedie's step, or 3e-4 ...
# 3e-2 with the "ode" final step; r_noise 2 or 6) by the lowest sum over ring8 and the tutorial
# mixture of logp_w1 / (its true-vs-true level), each the mean over 3 seeds (prior seeds 0-2,
# true sets 5000-5002; exact score, VESDE(25), 20,000 samples). The benchmark checks them on
# other seeds (benchmarks/bench_samplers.py). Larger budgets favour smaller t_eps. "unipc" was
# chosen the same way at 4, 5, 6, 8, 10, 15, 20, 30, 50 among 48 candidates (grid karras /
# exponential; t_eps 3e-3, 1e-2, 3e-2; final ode / tweedie; r_noise 0, 2, 6 or ODE_ONLY), the
# true-vs-true level from true sets 7000-7002; benchmarks/bench_few_step.py checks it on other seeds
# (and its --select re-runs this choice; "dpm2m" at 4-8 was re-chosen with it). At 5 and 6 "unipc"
# runs on the fitted grid (FITTED, fitted with t_eps, final and r_noise by --fit on the same measure):
# with 4-5 steps where the steps fall decides more than the order (bench_few_step.py measures it);
# "unipc_shift" shares unipc's table but at 5 (t_eps fitted with its SHIFTS).
# "dpm2m_sde" at 20 was re-chosen by --select --portfolio at 60,000 samples: the sum over the two
# mixtures of min(its ratio, every other sampler's best ratio), as "ours best" is the best sampler
# per mixture (UniPC already wins the tutorial mixture there; ring8 1.42 against 2.21 before).
def _s(grid: str, t_eps: float, final: str = "ode", **options) -> dict:
    return dict(grid=grid, t_eps=t_eps, final=final, **options)


# ============================================================================ samplers
@register_sampler("sde", "reverse SDE (Euler-Maruyama)", "reverse SDE",
                  "The reverse-time SDE with Euler-Maruyama steps (Song et al. 2021, Score-Based "
                  "Generative Modeling through SDEs).",
                  options=("noise",), stochastic=True,
                  recommended=((1, _s("exponential", 1e-2)), (15, _s("exponential", 3e-3))))
def sample_euler_maruyama(score_fn, sde, x, grid, generator=None, callback=None, noise="iid"):
    """Reverse SDE, Euler-Maruyama in tau = r^2 (Song et al. 2021):
    x~ <- x~ + (r_i^2 - r_j^2) alpha s(x, t_i) + sqrt(r_i^2 - r_j^2) z."""
    w = Walk(score_fn, sde, x, grid, generator, callback, noise)
    xt = w.start()
    for i in range(w.steps):
        d = w.r[i] ** 2 - w.r[i + 1] ** 2
        xt = w.done(i, xt + d * w.grad(xt, i) + d ** 0.5 * w.noise(xt))
    return w.end(xt)


@register_sampler("ode", "PF ODE (Heun)", "PF ODE (Heun)",
                  "The probability-flow ODE with Heun's 2nd-order method, 2 evaluations per step "
                  "(Karras et al. 2022).",
                  per_step=2, recommended=((1, _s("exponential", 1e-2)),))
def sample_heun(score_fn, sde, x, grid, generator=None, callback=None):
    """Probability-flow ODE dx~/dr = -r alpha s, Heun's method (Karras et al. 2022, 2nd order):
    d_i = -r_i alpha s(x_i), x~' = x~ + (r_j - r_i) d_i, x~ <- x~ + (r_j - r_i) (d_i + d'_j) / 2."""
    w = Walk(score_fn, sde, x, grid, generator, callback)
    xt = w.start()
    for i in range(w.steps):
        dr = w.r[i + 1] - w.r[i]
        d = -w.r[i] * w.grad(xt, i)
        d2 = -w.r[i + 1] * w.grad(xt + dr * d, i + 1)
        xt = w.done(i, xt + dr * 0.5 * (d + d2))
    return w.end(xt)


@register_sampler("pc", "predictor-corrector", "pred.–corr.",
                  "An Euler-Maruyama step, then one Langevin correction step (Song et al. 2021).",
                  per_step=2, options=("snr", "noise"), stochastic=True,
                  recommended=((1, _s("exponential", 3e-3)), (50, _s("exponential", 1e-3)),
                               (200, _s("karras", 1e-4, "tweedie"))))
def sample_pc(score_fn, sde, x, grid, generator=None, callback=None, snr: float = SNR, noise="iid"):
    """Predictor-corrector (Song et al. 2021): an Euler-Maruyama step to t_j, then one Langevin
    step there, x~ <- x~ + e g + sqrt(2 e) z with g = alpha s and e = 2 (snr mean|z| / mean|g|)^2."""
    w = Walk(score_fn, sde, x, grid, generator, callback, noise)
    xt = w.start()
    for i in range(w.steps):
        d = w.r[i] ** 2 - w.r[i + 1] ** 2
        xt = xt + d * w.grad(xt, i) + d ** 0.5 * w.noise(xt)
        g, z = w.grad(xt, i + 1), w.noise(xt)
        e = 2 * (snr * z.norm(dim=-1).mean() / g.norm(dim=-1).mean().clamp_min(1e-12)) ** 2
        xt = w.done(i, xt + e * g + (2 * e).sqrt() * z)
    return w.end(xt)


@register_sampler("tutorial", "the tutorial's loop", "tutorial's loop",
                  "The tutorial's own Euler-Maruyama loop: uniform in t, steps - 1 updates, "
                  "no denoising; kept for comparison.",
                  extra=-1, denoise=False, min_steps=2, grid=grid_tutorial, stochastic=True,
                  recommended=((1, _s("karras", T_EPS, "tweedie")),))     # its own grid
def sample_tutorial(score_fn, sde, x, grid, generator=None, callback=None):
    """The tutorial's loop on its own grid (grid_tutorial), defects included: at each post-step
    time t_j, x <- x - [f(t_j) x - g(t_j)^2 s(x, t_j)] dt + g(t_j) sqrt(dt) z, no denoising."""
    t = grid.tolist()
    for i in range(len(t) - 1):
        dt, tv = t[i] - t[i + 1], torch.full((x.shape[0],), t[i + 1], dtype=x.dtype, device=x.device)
        z = torch.randn(x.shape, generator=generator, dtype=x.dtype, device=x.device)
        x = x - reverse_drift(sde, score_fn, x, tv) * dt + sde.g(tv)[:, None] * dt ** 0.5 * z
        if callback is not None:
            callback(i, t[i + 1], x)
    return x


def _phi2(u: float) -> float:
    """phi_2(u) = (e^-u - 1 + u) / u^2, stable for small u (1/2 - u/6 + u^2/24)."""
    return (math.expm1(-u) + u) / (u * u) if u > 1e-4 else 0.5 - u / 6 + u * u / 24


def _phi3(u: float) -> float:
    """(phi_2(u) - 1/2) / u, stable for small u (-1/6 + u/24)."""
    return (_phi2(u) - 0.5) / u if u > 1e-3 else -1 / 6 + u / 24


@register_sampler("dpm2m", "DPM-Solver++(2M)", "DPM++ 2M",
                  "Second-order multistep exponential integrator of the PF ODE in data "
                  "prediction (Lu et al. 2022, DPM-Solver++).",
                  recommended=((1, _s("exponential", 3e-2, "tweedie")), (5, _s("exponential", 1e-2)),
                               (20, _s("karras", 1e-3)), (30, _s("exponential", 1e-2))))
def sample_dpmpp_2m(score_fn, sde, x, grid, generator=None, callback=None):
    """DPM-Solver++(2M) for the PF ODE (Lu et al. 2022; k-diffusion's sample_dpmpp_2m). With
    h = log(r_i / r_j) and q = h_{i-1} / h:
    x~_j = (r_j / r_i) x~_i + (1 - e^-h) [(1 + 1/(2q)) D_i - 1/(2q) D_{i-1}]; first step order 1."""
    w = Walk(score_fn, sde, x, grid, generator, callback)
    xt, old_denoised = w.start(), None
    for i in range(w.steps):
        denoised, h = w.denoised(xt, i), w.h(i)
        if old_denoised is None:
            d = denoised
        else:
            q = w.h(i - 1) / h
            d = (1 + 1 / (2 * q)) * denoised - (1 / (2 * q)) * old_denoised
        xt = w.done(i, (w.r[i + 1] / w.r[i]) * xt - math.expm1(-h) * d)
        old_denoised = denoised
    return w.end(xt)


@register_sampler("dpm2m_sde", "SDE-DPM-Solver++(2M)", "DPM++ 2M SDE",
                  "Second-order multistep exponential integrator of the reverse SDE "
                  "(Lu et al. 2022, DPM-Solver++).",
                  options=("noise",), stochastic=True,
                  recommended=((1, _s("exponential", 1e-3)), (15, _s("exponential", 1e-2)),
                               (20, _s("karras", 1e-2)), (30, _s("exponential", 3e-3)), (50, _s("karras", 3e-3)),
                               (100, _s("karras", 1e-4, "tweedie"))))
def sample_dpmpp_2m_sde(score_fn, sde, x, grid, generator=None, callback=None, noise="iid",
                        r_noise: float = 0.0):
    """SDE-DPM-Solver++(2M) (Lu et al. 2022; k-diffusion's sample_dpmpp_2m_sde, "midpoint",
    eta = 1). With h = log(r_i / r_j), q = h_{i-1} / h and u = 2h (the SDE's extra decay):
    x~_j = e^-u x~_i + (1 - e^-u) [D_i + (D_i - D_{i-1}) / (2q)] + r_j sqrt(1 - e^-2h) z.
    Steps that start at r_i <= r_noise are the ODE's (u = h, no noise)."""
    w = Walk(score_fn, sde, x, grid, generator, callback, noise)
    xt, old_denoised = w.start(), None
    denoised = w.denoised(xt, 0)
    for i in range(w.steps):
        h = w.h(i)
        eta = 1.0 if w.r[i] > r_noise else 0.0
        u = h * (1 + eta)
        xt = math.exp(-u) * xt - math.expm1(-u) * denoised
        if old_denoised is not None:
            q = w.h(i - 1) / h
            xt = xt - math.expm1(-u) * (denoised - old_denoised) / (2 * q)
        nz = w.r[i + 1] * math.sqrt(-math.expm1(-2 * h)) * w.noise(xt) if eta else 0.0
        xt = xt + nz
        if i + 1 < w.steps:
            old_denoised, denoised = denoised, w.denoised(xt, i + 1)
        xt = w.done(i, xt)
    return w.end(xt)


@register_sampler("dpm3m_sde", "DPM-Solver++(3M) SDE", "DPM++ 3M SDE",
                  "Third-order multistep exponential integrator of the reverse SDE "
                  "(k-diffusion, after Lu et al. 2022).",
                  options=("noise",), stochastic=True,
                  recommended=((1, _s("exponential", 1e-2)), (20, _s("exponential", 3e-3)),
                               (30, _s("exponential", 1e-3)), (50, _s("karras", 1e-3)),
                               (100, _s("karras", 1e-4, "tweedie"))))
def sample_dpmpp_3m_sde(score_fn, sde, x, grid, generator=None, callback=None, noise="iid",
                        eta: float = 1.0):
    """DPM-Solver++(3M) SDE (k-diffusion's sample_dpmpp_3m_sde, after Lu et al. 2022), u = (1 + eta) h
    (eta = 1 here; eta = 0 is the ODE's DPM-Solver++(3M)):
    x~_j = e^-u x~_i + (1 - e^-u) D_i + u phi_2(u) D1 - u phi_3(u) D2 + r_j sqrt(1 - e^-2 eta h) z,
    with r0 = h_{i-1} / h, r1 = h_{i-2} / h, d0 = (D_i - D_{i-1}) / r0, d1 = (D_{i-1} - D_{i-2}) / r1,
    D2 = (d0 - d1) / (r0 + r1), D1 = d0 + r0 D2 (after two steps; after one, D1 = d0, D2 = 0)."""
    w = Walk(score_fn, sde, x, grid, generator, callback, noise)
    xt, denoised_1, denoised_2 = w.start(), None, None
    for i in range(w.steps):
        denoised, h = w.denoised(xt, i), w.h(i)
        u = (1 + eta) * h
        xt = math.exp(-u) * xt - math.expm1(-u) * denoised
        if denoised_2 is not None:
            r0, r1 = w.h(i - 1) / h, w.h(i - 2) / h
            d0, d1 = (denoised - denoised_1) / r0, (denoised_1 - denoised_2) / r1
            d2 = (d0 - d1) / (r0 + r1)
            xt = xt + u * _phi2(u) * (d0 + r0 * d2) - u * _phi3(u) * d2
        elif denoised_1 is not None:
            xt = xt + u * _phi2(u) * (denoised - denoised_1) / (w.h(i - 1) / h)
        if eta:
            xt = xt + w.r[i + 1] * math.sqrt(-math.expm1(-2 * eta * h)) * w.noise(xt)
        xt = w.done(i, xt)
        denoised_1, denoised_2 = denoised, denoised_1
    return w.end(xt)


@register_sampler("dpm2m_sa", "DPM-Solver++(2M), stochastic start", "DPM++ 2M, noisy start",
                  "SDE-DPM-Solver++(2M) steps at high noise (sigma/alpha > 2), which wash out the "
                  "prior's mismatch, then DPM-Solver++(2M) ODE steps (after Lu et al. 2022 and "
                  "Karras et al. 2022's noise window).",
                  options=("noise", "r_noise"), stochastic=True,
                  recommended=((1, _s("exponential", 1e-2, r_noise=6.0)),
                               (15, _s("karras", 3e-3, r_noise=2.0)),
                               (20, _s("karras", 3e-3, r_noise=6.0)), (50, _s("karras", 3e-3, r_noise=2.0)),
                               (100, _s("exponential", 3e-3, r_noise=2.0))))
def sample_dpmpp_2m_sa(score_fn, sde, x, grid, generator=None, callback=None, noise="iid",
                       r_noise: float = R_NOISE):
    """DPM-Solver++(2M) with a stochastic start: SDE-DPM-Solver++(2M) steps while r_i > r_noise,
    then the ODE's. The prior N(0, sigma_1^2 I) is not p_1 (its mean and covariance miss the
    data's); the noisy steps contract that mismatch by (r_j / r_i)^2 per step, where the ODE keeps
    a factor r_j / r_i of it to the end; at low noise the ODE's steps are the more accurate
    (noise only in a window of sigma, as in Karras et al. 2022's stochastic sampler)."""
    return sample_dpmpp_2m_sde(score_fn, sde, x, grid, generator, callback, noise, r_noise)


_UNIPC = ((1, _s("exponential", 3e-2, "tweedie", r_noise=ODE_ONLY)),
          (5, _s("fitted", 5.2e-3, "ode", r_noise=ODE_ONLY)),
          (6, _s("fitted", 2.49e-3, "tweedie", r_noise=0.0)),
          (8, _s("exponential", 1e-2, "tweedie", r_noise=6.0)),
          (10, _s("karras", 1e-2, "tweedie", r_noise=2.0)),
          (15, _s("exponential", 3e-3, r_noise=0.0)),
          (20, _s("exponential", 3e-3, r_noise=0.0)),
          (30, _s("karras", 3e-3, r_noise=6.0)),
          (50, _s("exponential", 3e-3, r_noise=0.0)))


def _int_s2(h: float) -> float:
    """int_0^h e^-(h-s) s^2 ds = h^2 - 2h + 2 - 2e^-h (its series for small h: no cancellation)."""
    return h ** 3 / 3 - h ** 4 / 12 + h ** 5 / 60 if h < 1e-2 else h * h - 2 * h - 2 * math.expm1(-h)


@register_sampler("unipc", "UniPC-style multistep solver, stochastic start", "UniPC, noisy start",
                  "Multistep exponential steps (SDE at high noise, third-order ODE after) each "
                  "corrected with the score the next step evaluates anyway, at no extra cost "
                  "(after Zhao et al. 2023, UniPC).",
                  options=("noise", "r_noise"), stochastic=True, recommended=_UNIPC)
def sample_unipc(score_fn, sde, x, grid, generator=None, callback=None, noise="iid",
                 r_noise: float = R_NOISE, shifts: tuple = ()):
    """A predictor-corrector pair of exponential integrators in data prediction (after Zhao et al.
    2023, UniPC), with h = log(r_i / r_j), u = 2h on SDE steps (r_i > r_noise, fresh noise as in
    sample_dpmpp_2m_sde) and u = h on ODE steps:

    predictor: x~_j = e^-u x~_i + (1 - e^-u) D_i + the multistep terms, those of SDE-DPM-Solver++(2M)
    on SDE steps and of DPM-Solver++(3M) on ODE steps (sample_dpmpp_3m_sde with eta = 0);
    corrector: with D_j = D(x~_j, r_j), which the next step needs anyway, the step is re-done as the
    exact integral x~_j = e^-u x~_i + int_0^u e^-(u-s) D(s) ds with D interpolated through D_i and
    D_j (linear; SDE steps and the first step) or through D_{i-1}, D_i and D_j (quadratic; ODE steps):
    D(s) = D_i + a s + b s^2, int = (1 - e^-h) D_i + a (h - 1 + e^-h) + b (h^2 - 2h + 2 - 2e^-h).
    D_j is not re-evaluated at the corrected point (UniPC's trick: no extra evaluation) and the last
    step is not corrected (it would cost one). On sharp modes with few steps the corrected steps
    land nearer the modes; benchmarks/bench_few_step.py measures where it wins and where not.
    shifts: D_i evaluated at shifted r'_i (Walk.shift; sample_unipc_shifted), the steps unchanged."""
    w = Walk(score_fn, sde, x, grid, generator, callback, noise)
    w.shift(sde, grid, shifts)
    xt, d1, d2 = w.start(), None, None          # D_{i-1}, D_{i-2}
    den = w.denoised(xt, 0)
    for i in range(w.steps):
        h = w.h(i)
        sto = w.r[i] > r_noise
        u = 2 * h if sto else h
        base = math.exp(-u) * xt - math.expm1(-u) * den
        xt = base
        if d2 is not None and not sto:                  # DPM-Solver++(3M)'s terms
            r0, r1 = w.h(i - 1) / h, w.h(i - 2) / h
            e0, e1 = (den - d1) / r0, (d1 - d2) / r1
            dd = (e0 - e1) / (r0 + r1)
            xt = xt + u * _phi2(u) * (e0 + r0 * dd) - u * _phi3(u) * dd
        elif d1 is not None:                            # SDE-DPM-Solver++(2M)'s term
            xt = xt - math.expm1(-u) * (den - d1) / (2 * w.h(i - 1) / h)
        nz = w.r[i + 1] * math.sqrt(-math.expm1(-2 * h)) * w.noise(xt) if sto else 0.0
        xt = xt + nz
        if i + 1 < w.steps:
            dn = w.denoised(xt, i + 1)
            if d1 is not None and not sto:              # quadratic through D_{i-1}, D_i, D_j
                hp = w.h(i - 1)
                b = (d1 - den + hp * (dn - den) / h) / (hp * (h + hp))
                a = (dn - den) / h - b * h
                xt = base + a * (h + math.expm1(-h)) + b * _int_s2(h)
            else:                                       # linear through D_i, D_j
                xt = base + (u + math.expm1(-u)) / u * (dn - den) + nz
            d2, d1, den = d1, den, dn
        xt = w.done(i, xt)
    return w.end(xt)


# Shifts delta_i of the evaluation times of "unipc_shift" per number of steps (Walk.shift), fitted
# on top of "unipc"'s recommended setting at the same budget (its grid, FITTED positions, final step
# and r_noise kept; t_eps fitted with them) by benchmarks/bench_few_step.py --fit unipc_shift
# (Nelder-Mead from delta = 0 on the registry's measure: ring8 and the tutorial mixture, prior seeds
# 0-2; the benchmark checks them on seeds 11-15). At 4 steps the measure goes from 3.97 (unipc)
# to 2.88; D_1 is evaluated well past r_2 (delta_1 = 2.46: r' = 0.38 where r_1 = 0.82, r_2 = 0.60
# for VESDE(25)).
SHIFTS: dict[int, tuple] = {4: (0.0281, 2.4566, -0.0705, 0.1405)}     # 5 NFE with the last step
SHIFTS_SDE = VESDE(25.0)     # the process they were fitted for: under any other, no shift


@register_sampler("unipc_shift", "UniPC-style solver, fitted evaluation times", "UniPC, shifted D",
                  "The UniPC-style solver with each denoiser evaluated at a fitted noise level near "
                  "its step, where a fit exists for the number of steps (after Zhou et al. 2024, "
                  "AMED-Solver, and Li et al. 2024, time-shift sampler).",
                  options=("noise", "r_noise"), stochastic=True,
                  recommended=(*_UNIPC[:1], (5, _s("fitted", 7.51e-3, "ode", r_noise=ODE_ONLY)), *_UNIPC[2:]))
def sample_unipc_shifted(score_fn, sde, x, grid, generator=None, callback=None, noise="iid",
                         r_noise: float = R_NOISE):
    """sample_unipc with D_i = D(x~_i, r'_i) at log r'_i = log r_i + delta_i log(r_{i+1} / r_i),
    delta = SHIFTS[steps] (Walk.shift); the steps, their multistep and corrector weights keep the
    grid's r_i. With a handful of steps the denoiser's value at r_i is a poor average over a long
    step; a fitted noise level stands in for the mean value theorem's (as AMED-Solver's learned
    intermediate times do). Where SHIFTS has no entry, and under any process but SHIFTS_SDE (the
    VESDE(25) they were fitted for: under VPSDE() they did worse than UniPC, 1.8 against 0.07 on a
    Gaussian p0 at 4 steps), it is sample_unipc (the same samples, the same order). On a grid other
    than the fitted one (its recommended setting) the fit promises nothing."""
    shifts = SHIFTS.get(len(grid) - 1, ()) if sde == SHIFTS_SDE else ()
    return sample_unipc(score_fn, sde, x, grid, generator, callback, noise, r_noise, shifts)


METHODS = tuple(SAMPLERS)
RECOMMENDED = {name: spec.recommended for name, spec in SAMPLERS.items()}   # read-only view

FINALS = {
    "tweedie": "Tweedie's denoiser D = E[x_0 | x_t] at the last time (Efron 2011; Song et al. "
               "2021): removes the leftover noise and shrinks each mode by v / (v + sigma^2).",
    "ode": "Half of Tweedie's step, (x + D) / 2: an Euler step of the probability-flow ODE in "
           "sigma^2 to sigma = 0, which keeps each mode's width (exact as sigma^2 / v -> 0).",
}


def recommended(method: str, budget: int) -> dict:
    """Keyword arguments of :func:`sample` (grid, t_eps, final and the sampler's options)
    measured best for `method` at `budget` score evaluations: sample(..., **recommended(m, b))."""
    table = _spec(method).recommended
    chosen = table[0][1]
    for start, settings in table:
        if int(budget) >= start:
            chosen = settings
    return dict(chosen)


def _spec(method) -> SamplerSpec:
    _check_choice("method", method, tuple(SAMPLERS))
    return SAMPLERS[method]


def nfe(method: str, steps: int, denoise: bool = True) -> int:
    """Score evaluations `sample(method=method, steps=steps, denoise=denoise)` makes: the only
    NFE formula (per_step * steps + extra + denoise)."""
    return _spec(method).nfe(steps, denoise)


def injects_noise(method: str, sde: SDE, **settings) -> bool:
    """Whether `method` with these sample() settings draws fresh noise anywhere on its walk: a
    stochastic sampler, and for one with the r_noise option (noise only while r = sigma/alpha >
    r_noise) an r_noise below r_1 = sigma_1/alpha_1. A walk without noise is an ODE's: it carries
    the prior's mismatch with p_1 to the end."""
    spec = _spec(method)
    if not spec.stochastic:
        return False
    if "r_noise" not in spec.options:
        return True
    r_noise = OPTIONS["r_noise"].check(settings.get("r_noise", OPTIONS["r_noise"].default))
    return r_noise < float(sde.noise_ratio(torch.tensor(1.0, dtype=torch.float64)))


def steps_for_nfe(method: str, budget: int, denoise: bool = True) -> int:
    """The most steps whose cost is within `budget` evaluations (at least the method's minimum,
    so tiny budgets are exceeded rather than skipped)."""
    spec = _spec(method)
    fixed = spec.nfe(0, denoise)
    return max(spec.min_steps, (int(budget) - fixed) // spec.per_step)


# ============================================================================ entry point
def _validate(n, steps, spec: SamplerSpec, t_eps, grid, dim, final):
    if not _whole(n, 1):
        raise ValueError(f"number of samples must be an integer >= 1; got {n!r}")
    _check_steps(steps, spec.min_steps)
    _check_t_eps(t_eps)
    _check_choice("grid", grid, GRIDS)
    _check_choice("final", final, FINALS)
    if not _whole(dim, 1):
        raise ValueError(f"dim must be an integer >= 1; got {dim!r}")


def _start(sde, n, dim, x_init, generator, dtype, device):
    """x at t = 1: prior draws, or x_init (N, d) checked against n."""
    if x_init is None:
        return sde.prior_sample(n, dim, generator=generator, dtype=dtype or torch.float32,
                                device=device)
    x = torch.as_tensor(x_init, device=device)
    x = x.to(dtype or (x.dtype if x.is_floating_point() else torch.float32)).clone()
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] != n:
        raise ValueError(f"x_init must have shape ({n}, d), one row per sample; got {tuple(x.shape)}")
    return x


def _final(score_fn, sde, x, t: float, kind: str = "tweedie"):
    """The last step from t_eps to sigma = 0, one evaluation, with D = (x + sigma^2 s) / alpha:
    "tweedie": x_0 = D = E[x_0 | x_t] (shrinks a mode of variance v by v / (v + sigma^2));
    "ode": x_0 = (x~ + D) / 2 = x~ + (r^2 / 2) alpha s, an Euler step of the PF ODE
    dx~/d(r^2) = -alpha s / 2 to r = 0: exact to O(r^4 / v^2) on a Gaussian, where x~ = mu +
    sqrt(v + r^2) z -> mu + sqrt(v) z."""
    tt = torch.tensor([t], dtype=torch.float64)
    xt = x / float(sde.mean_scale(tt))
    d = Walk(score_fn, sde, x, tt, None, None).denoised(xt, 0)
    return d if kind == "tweedie" else 0.5 * (xt + d)


@torch.no_grad()
def sample(score_fn, sde: SDE, n: int, steps: int, method: str = "sde", generator=None,
           trajectory: bool = False, dim: int = 2, grid: str = "karras", t_eps: float = T_EPS,
           denoise: bool = True, x_init=None, dtype=None, device="cpu", callback=None,
           final: str = "tweedie", **options) -> SampleResult:
    """Draw n samples by integrating the reverse process from t = 1 to t_eps in `steps` steps
    with the sampler `method` (dc.METHODS; see dc.SAMPLERS[method].help and each sampler's
    docstring) on the time grid `grid` (dc.GRIDS).

    denoise: end with a last step to sigma = 0 (one more evaluation; not for "tutorial", which
    never denoises); final: its kind (dc.FINALS: "tweedie", x_0 = (x + sigma^2 s(x, t_eps)) /
    alpha, or "ode", half of it, a PF-ODE step to sigma = 0). options: the samplers' own options
    (dc.sampling.OPTIONS: snr, noise, r_noise), each checked; a sampler gets those it takes
    (dc.SAMPLERS[method].options). dc.recommended(method, budget) gives measured settings of
    grid, t_eps, final and the options. x_init: start from these points (N, d) instead of prior
    draws; dtype: float32 unless x_init has a floating dtype. callback(i, t, x) is called after
    every step. The number of score evaluations is nfe(method, steps, denoise), reported as
    result.nfe.

    Defaults, measured on the ring of 8 sharp modes with the exact score: t_eps = 1e-4 leaves
    noise of std sigma(t_eps) (0.01 for VESDE(25)), which the Tweedie step shrinks by a factor
    v / (v + sigma^2) ~ 0.996 in variance for mode variance v = 0.0225; at t_eps = 1e-3 it shrinks
    modes by 4% and over-sharpens. snr = 0.13: on a Gaussian N(mu, v I) the step size is
    eps = 2 snr^2 v, and repeated corrector steps hold the variance at v / (1 - snr^2) (+1.7%).
    The ODE samplers start from the prior N(0, sigma_1^2 I), not from p_1 (whose covariance is
    larger by the data's), and carry that mismatch to t_eps; the stochastic samplers contract it.
    """
    spec = _spec(method)
    _validate(n, steps, spec, t_eps, grid, dim, final)
    opts = spec.take(options)
    n, steps = int(n), int(steps)
    x = _start(sde, n, int(dim), x_init, generator, dtype, device)
    ts = spec.grid(sde, steps, t_eps) if spec.grid else time_grid(sde, steps, grid, t_eps)
    traj = [x] if trajectory else None

    def step_done(i, t, xi):
        if trajectory:
            traj.append(xi)
        if callback is not None:
            callback(i, t, xi)

    counted = _Counted(score_fn)
    x = spec.fn(counted, sde, x, ts, generator=generator, callback=step_done, **opts)
    if denoise and spec.denoise:
        x = _final(counted, sde, x, float(ts[-1]), final)
        if trajectory:
            traj[-1] = x
    return SampleResult(x, torch.stack(traj) if trajectory else None, ts, counted.calls)


class _Counted:
    """score_fn, counting its calls (each one evaluation on the batch)."""

    def __init__(self, fn):
        self.fn, self.calls = fn, 0

    def __call__(self, x, t):
        self.calls += 1
        return self.fn(x, t)
