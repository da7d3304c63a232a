"""Sample quality against cost: run samplers at matched numbers of score evaluations (NFE).

The cost of a sampler is the number of times it evaluates the score network, each on the whole
batch. The registry `dc.SAMPLERS` holds each sampler's evaluations per step and extras, and
`dc.nfe(method, steps, denoise)` is the one formula (e.g. with denoising on: sde steps + 1,
ode and pc 2 steps + 1, the DPM-Solver++ samplers steps + 1, tutorial steps - 1).

:func:`steps_for_nfe` inverts this, so every method gets (at most) the same budget, and
:func:`nfe_sweep` samples from the same prior draws with each, scoring the samples against true
samples of the mixture. The floor of a metric is its value between two independent sets of true
samples: the sampling noise below which no sampler can be told apart from the truth.
"""
from __future__ import annotations

import time

import pandas as pd
import torch

from .metrics import loglik_gap, logp_w1, sliced_w2
from .mixture import GaussianMixture
from .sampling import METHODS, recommended, sample, steps_for_nfe
from .sde import SDE

__all__ = ["METRICS", "METRIC_LABELS", "steps_for_nfe", "sample_metrics", "metric_floor",
           "metric_noise", "nfe_sweep"]

METRICS = ("logp_w1", "sliced_w2", "loglik_gap")
METRIC_LABELS = {
    "logp_w1": "W₁ of log p₀ (samples vs truth)",
    "sliced_w2": "sliced W₂ distance",
    "loglik_gap": "log-likelihood gap (nats)",
}


def sample_metrics(x, gmm: GaussianMixture, reference, metrics=METRICS) -> dict:
    """The chosen metrics of samples x against true samples `reference` of `gmm`."""
    out = {}
    for m in metrics:
        if m == "logp_w1":
            out[m] = logp_w1(x, gmm, reference)
        elif m == "sliced_w2":
            out[m] = sliced_w2(x, reference)
        elif m == "loglik_gap":
            out[m] = loglik_gap(x, gmm, reference)
        else:
            raise ValueError(f"metric must be one of {', '.join(METRICS)}; got {m!r}")
    return out


def _reference(gmm: GaussianMixture, n: int, seed: int, stream: int) -> torch.Tensor:
    x, _ = gmm.sample(n, torch.Generator().manual_seed(int(seed) + stream), dtype=torch.float64)
    return x


def metric_floor(gmm: GaussianMixture, n: int, seed: int = 0, metrics=METRICS) -> dict:
    """Each metric between two independent sets of n true samples: the level a perfect sampler
    reaches with n samples (the reference set is the one :func:`nfe_sweep` uses)."""
    return sample_metrics(_reference(gmm, n, seed, 2), gmm, _reference(gmm, n, seed, 1), metrics)


FLOOR_PAIRS = 5


def metric_noise(gmm: GaussianMixture, n: int, seed: int = 0, metrics=METRICS,
                 pairs: int = FLOOR_PAIRS) -> dict:
    """{metric: (mean, low, high)} of each metric between the reference set :func:`nfe_sweep`
    uses and `pairs` further independent sets of n true samples: the noise level of the measure
    at this sample size, with its spread. A sampler within [low, high] cannot be told apart from
    the truth; a single run may land below the mean by chance (it is not a strict lower bound)."""
    ref = _reference(gmm, n, seed, 1)
    runs = [sample_metrics(_reference(gmm, n, seed, 2 + i), gmm, ref, metrics) for i in range(int(pairs))]
    out = {}
    for m in metrics:
        v = torch.tensor([r[m] for r in runs], dtype=torch.float64)
        out[m] = (float(v.mean()), float(v.min()), float(v.max()))
    return out


def nfe_sweep(score_fn, sde: SDE, gmm: GaussianMixture, methods=("sde", "ode", "pc", "tutorial"),
              nfe_targets=(10, 20, 50, 100, 200), n: int = 2000, seed: int = 0, metrics=METRICS,
              grid: str = "karras", t_eps: float = 1e-3, dtype=torch.float32, device="cpu",
              callback=None, floor: bool = True) -> pd.DataFrame:
    """Sample n points with every method at every NFE budget and score them.

    grid and t_eps apply to every run; grid="recommended" gives each (method, budget) its own
    measured settings instead (:func:`diffusion_core.sampling.recommended`: grid, t_eps, final
    step and the sampler's options).

    Every run starts from the same prior draws (the generator is seeded with `seed` each time);
    the reference is n true samples drawn with seed + 1. Budgets that map to the same number of
    steps for a method are run once. callback(done, total) is called after every run.

    Returns a DataFrame with one row per run: method, budget, steps, nfe (the evaluations actually
    made), one column per metric, seconds (wall time of sampling). With `floor`, df.attrs["floor"]
    holds :func:`metric_floor` for the same n and seed.
    """
    methods, metrics = tuple(methods), tuple(metrics)
    for m in methods:
        if m not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}; got {m!r}")
    for m in metrics:
        if m not in METRICS:
            raise ValueError(f"metric must be one of {', '.join(METRICS)}; got {m!r}")
    budgets = sorted({int(b) for b in nfe_targets})
    if not budgets or budgets[0] < 1:
        raise ValueError(f"NFE budgets must be integers >= 1; got {list(nfe_targets)}")
    if int(n) < 2:
        raise ValueError(f"number of samples must be >= 2; got {n}")
    n = int(n)
    reference = _reference(gmm, n, seed, 1)
    plan = []                                        # (method, budget, steps), unique steps
    for m in methods:
        seen = set()
        for b in budgets:
            s = steps_for_nfe(m, b)
            if s not in seen:
                seen.add(s)
                plan.append((m, b, s))
    rows = []
    for i, (m, b, s) in enumerate(plan):
        t0 = time.perf_counter()
        kw = recommended(m, b) if grid == "recommended" else dict(grid=grid, t_eps=t_eps)
        res = sample(score_fn, sde, n, s, method=m, generator=torch.Generator().manual_seed(int(seed)),
                     dim=gmm.dim, dtype=dtype, device=device, **kw)
        seconds = time.perf_counter() - t0
        x = res.x.detach().to("cpu", torch.float64)
        if not torch.isfinite(x).all():
            raise FloatingPointError(f"{m} with {s} steps produced non-finite samples")
        rows.append({"method": m, "budget": b, "steps": s, "nfe": int(res.nfe),
                     **sample_metrics(x, gmm, reference, metrics), "seconds": seconds})
        if callback is not None:
            callback(i + 1, len(plan))
    df = pd.DataFrame(rows, columns=["method", "budget", "steps", "nfe", *metrics, "seconds"])
    if floor:
        df.attrs["floor"] = metric_floor(gmm, n, seed, metrics)
    return df
