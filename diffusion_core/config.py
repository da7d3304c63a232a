"""The training recipe as data: TrainConfig (frozen, hashable, validated) and the choices it
names. Its own module so that the network (which saves and loads a model's config) and the
training loop both import it, and neither imports the other."""
from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, fields

__all__ = ["TrainConfig", "check_network", "ACTIVATION_NAMES", "PRECONDITIONINGS", "LR_SCHEDULES",
           "WEIGHTINGS"]

# Names only, without torch: the settings schema and the Home page import this module on a fresh
# server before torch is loaded. network.ACTIVATIONS maps these names to torch modules.
ACTIVATION_NAMES = ("tanh", "silu", "relu", "gelu")
WEIGHTINGS = ("sigma2", "uniform", "g2")       # gamma_t of score.dsm_loss (score.py imports it)
PRECONDITIONINGS = ("none", "edm")
LR_SCHEDULES = ("constant", "cosine")

INT_RANGES = {"n_data": (1, 100_000), "steps": (1, 20_000), "batch_size": (0, 20_000),
               "width": (1, 512), "depth": (1, 8), "fourier_dim": (0, 256), "warmup": (0, 20_000),
               "seed": (0, 2 ** 31 - 1), "log_every": (1, 20_000), "n_eval": (1, 20_000)}
# name: (the allowed interval as the error message writes it, its test)
FLOAT_RANGES = {"lr": ("(0, 1]", lambda v: 0 < v <= 1),
                 "fourier_scale": ("[0, 100]", lambda v: 0 <= v <= 100),
                 "eps": ("(0, 0.5]", lambda v: 0 < v <= 0.5),
                 "ema": ("[0, 1)", lambda v: 0 <= v < 1)}
CHOICES = {"activation": ACTIVATION_NAMES, "precond": PRECONDITIONINGS,
            "weighting": WEIGHTINGS, "lr_schedule": LR_SCHEDULES}


def _as_int(name: str, v, lo: int, hi: int) -> int:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or not lo <= v <= hi:
        raise ValueError(f"{name} must be an integer in {lo}..{hi}; got {v!r}")
    return int(v)


def _as_float(name: str, v, interval: str, ok) -> float:
    try:
        good = not isinstance(v, bool) and isinstance(v, numbers.Real) and math.isfinite(v) and ok(v)
    except OverflowError:          # an integer too large for a float
        good = False
    if not good:
        raise ValueError(f"{name} must be a number in {interval}; got {v!r}")
    return float(v)


def check_network(**hp) -> dict:
    """Network hyperparameters (width, depth, activation, fourier_dim, fourier_scale, precond:
    any of them) checked against the ranges TrainConfig uses, the one place they are written;
    returns them as int / float / str, ValueError naming the first one out of its range."""
    out = {}
    for name, v in hp.items():
        if name in INT_RANGES:
            out[name] = _as_int(name, v, *INT_RANGES[name])
        elif name in FLOAT_RANGES:
            out[name] = _as_float(name, v, *FLOAT_RANGES[name])
        elif name in CHOICES and v not in CHOICES[name]:
            raise ValueError(f"{name} must be one of {', '.join(CHOICES[name])}; got {v!r}")
        else:
            out[name] = v
    if out.get("fourier_dim", 0) % 2:
        raise ValueError(f"fourier_dim must be even (sin and cos pairs); got {out['fourier_dim']}")
    return out


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a trained score model; the defaults are the best recipe.

    n_data: fixed clean training samples; steps: optimizer steps; batch_size: minibatch size
    (0 or None = the whole data set every step); lr, lr_schedule ("constant" | "cosine" decay to 0),
    warmup: linear lr warmup steps; ema: decay of an exponential moving average of the weights that
    is returned (0 = off); width, depth, activation, fourier_dim, fourier_scale, precond: the
    ScoreNet; eps: t ~ U[eps, 1]; weighting: gamma_t of dc.dsm_loss; stratified: one t per
    equal-width bin of [eps, 1] in each batch; seed: data, initial weights and noise; log_every:
    steps between history rows; n_eval: held-out points for the logged metrics.
    """
    n_data: int = 10_000
    steps: int = 800
    batch_size: int | None = 1000
    lr: float = 1.5e-2
    lr_schedule: str = "cosine"
    warmup: int = 50
    ema: float = 0.99
    width: int = 64
    depth: int = 3
    activation: str = "silu"
    fourier_dim: int = 0
    fourier_scale: float = 1.0
    precond: str = "edm"
    eps: float = 1e-3
    weighting: str = "sigma2"
    stratified: bool = True
    seed: int = 0
    log_every: int = 100
    n_eval: int = 2000

    def __post_init__(self):
        put = lambda name, v: object.__setattr__(self, name, v)
        if self.batch_size is None:
            put("batch_size", 0)
        for name, (lo, hi) in INT_RANGES.items():
            put(name, _as_int(name, getattr(self, name), lo, hi))
        for name, (interval, ok) in FLOAT_RANGES.items():
            put(name, _as_float(name, getattr(self, name), interval, ok))
        for name, choices in CHOICES.items():
            if getattr(self, name) not in choices:
                raise ValueError(f"{name} must be one of {', '.join(choices)}; got {getattr(self, name)!r}")
        if not isinstance(self.stratified, bool):
            raise ValueError(f"stratified must be True or False; got {self.stratified!r}")
        if self.fourier_dim % 2:
            raise ValueError(f"fourier_dim must be even (sin and cos pairs); got {self.fourier_dim}")
        if self.batch_size > self.n_data:
            raise ValueError(f"batch_size must be <= n_data ({self.n_data}), or 0 for full batch; "
                             f"got {self.batch_size}")
        if self.warmup > self.steps:
            raise ValueError(f"warmup must be <= steps ({self.steps}); got {self.warmup}")

    @classmethod
    def tutorial(cls) -> "TrainConfig":
        """The tutorial's recipe: Fourier features of t (10 dims, scale 1), MLP 12-50-50-2 tanh,
        output / sigma_t; 10,000 samples, full batch, Adam lr 5e-3 constant, 500 steps, eps 0.01,
        weight sigma_t^2, t ~ U[eps, 1], no EMA; logged every 25 steps."""
        return cls(n_data=10_000, steps=500, batch_size=0, lr=5e-3, lr_schedule="constant", warmup=0,
                   ema=0.0, width=50, depth=2, activation="tanh", fourier_dim=10, fourier_scale=1.0,
                   precond="none", eps=0.01, weighting="sigma2", stratified=False, log_every=25)

    def to_dict(self) -> dict:
        """Plain JSON-ready values, field by field."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        """Inverse of to_dict; unknown keys are refused, missing keys take the defaults."""
        if not isinstance(d, dict):
            raise ValueError(f"a training config must be a dict; got {type(d).__name__}")
        known = {f.name for f in fields(cls)}
        extra = sorted(set(d) - known)
        if extra:
            raise ValueError(f"unknown training-config fields: {', '.join(extra)}")
        return cls(**d)
