"""Argument checks shared by the exact fields (guided scores, flow velocities)."""
from __future__ import annotations

from .mixture import as_points
from .sde import as_time


def points_and_times(x, t, dim: int):
    """x as (N, dim) points and t as a scalar or (N,) tensor of times in [0, 1] (ValueError else)."""
    x = as_points(x, dim)
    t = as_time(t, like=x)
    if t.ndim > 1 or (t.ndim == 1 and t.shape[0] not in (1, x.shape[0])):
        raise ValueError(f"t must be a scalar or one time per point ({x.shape[0]}); "
                         f"got shape {tuple(t.shape)}")
    if not bool(((t >= 0) & (t <= 1)).all()):
        raise ValueError("times t must be in [0, 1] (no NaN)")
    return x, t
