"""The sampler lab's computations, cached: one sampler run at one NFE budget with the exact or the
learned score, and the noise level of the quality measures."""
from __future__ import annotations

import pandas as pd

import diffusion_core as dc
from diffusion_core import sweep
from dashboard import models, state


@state.cache_data(max_entries=256)
def run_one(gmm, lam: float, method: str, budget: int, n: int, seed: int, grid: str, t_eps: float,
            metrics: tuple, learned=None, device: str = "cpu") -> pd.DataFrame:
    """One sampler at one NFE budget (cached run by run, so changing one setting only computes
    what is new). grid "recommended": the sampler's measured settings for this budget
    (dc.recommended). learned: (cfg, lam) of a model of the Train page (models.learned_model),
    whose score replaces the exact one (and whose lam is used)."""
    if learned is None:
        sde = dc.VESDE(lam)
        score = dc.exact_score(gmm, sde)
    else:
        sde = dc.VESDE(learned[1])
        score = models.trained_model(learned[0], gmm, learned[1], device).score
    return sweep.nfe_sweep(score, sde, gmm, methods=(method,), nfe_targets=(budget,),
                           n=n, seed=seed, metrics=metrics, grid=grid, t_eps=t_eps, floor=False)


@state.cache_data
def floor(gmm, n: int, seed: int, metrics: tuple) -> dict:
    return sweep.metric_noise(gmm, n, seed, metrics)
