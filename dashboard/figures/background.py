"""The log-density background shared by the 2D figures: filled and/or line contours of log p on a
grid, with levels from the peak down (matplotlib)."""
from __future__ import annotations

import math

import numpy as np


def peak_levels(logp, depth: float = 10.0, step: float = 1.0, ceil: bool = False) -> np.ndarray:
    """Contour levels from `depth` nats below the peak of logp up to the peak, `step` apart (the
    peak rounded up to a whole number with ceil)."""
    top = float(np.nanmax(logp))
    if ceil:
        top = float(math.ceil(top))
    return np.arange(top - depth, top + step / 2, step)


def density_background(ax, xx, yy, logp, *, levels=None, depth: float = 10.0, step: float = 1.0,
                       ceil: bool = False, cmap: str | None = "Greys", alpha: float | None = 0.45,
                       clip: bool = False, extend: str = "neither", lines=None, linewidths: float = 0.5,
                       linestyles: str | None = "solid", line_alpha: float | None = None,
                       zorder: float | None = None):
    """Draw log p on ax: filled contours in `cmap` (none if cmap is None) and line contours in the
    colour `lines` (none if None). levels defaults to peak_levels(logp, depth, step, ceil); with
    clip, values below the lowest level are filled with it. Returns the filled ContourSet (or None)."""
    if levels is None:
        levels = peak_levels(logp, depth, step, ceil)
    extra = {} if zorder is None else {"zorder": zorder}
    filled = None
    if cmap is not None:
        z = np.maximum(logp, levels[0]) if clip else logp
        filled = ax.contourf(xx, yy, z, levels=levels, cmap=cmap, alpha=alpha, extend=extend, **extra)
    if lines is not None:
        ax.contour(xx, yy, logp, levels=levels, colors=lines, linewidths=linewidths,
                   linestyles=linestyles, alpha=line_alpha, **extra)
    return filled
