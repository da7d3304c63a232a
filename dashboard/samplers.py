"""The sampler lab's computations, cached: one sampler run at one NFE budget with the exact score,
and the noise level of the quality measures."""
from __future__ import annotations

import pandas as pd

import diffusion_core as dc
from diffusion_core import sweep
from dashboard import state


@state.cache_data(max_entries=256)
def run_one(gmm, lam: float, method: str, budget: int, n: int, seed: int, grid: str, t_eps: float,
            metrics: tuple) -> pd.DataFrame:
    """One sampler at one NFE budget with the exact score (cached run by run, so changing one
    setting only computes what is new)."""
    sde = dc.VESDE(lam)
    return sweep.nfe_sweep(dc.exact_score(gmm, sde), sde, gmm, methods=(method,), nfe_targets=(budget,),
                           n=n, seed=seed, metrics=metrics, grid=grid, t_eps=t_eps, floor=False)


@state.cache_data
def floor(gmm, n: int, seed: int, metrics: tuple) -> dict:
    return sweep.metric_noise(gmm, n, seed, metrics)
