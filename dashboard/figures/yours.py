"""Figure of the Your data page. Pure: a mixture and points in, a matplotlib Figure out."""
from __future__ import annotations

import textwrap

import numpy as np

from dashboard.figures.common import auto_limits, density_grid, new_figure
from dashboard.figures.background import density_background

__all__ = ["points_figure", "empty_figure"]


def points_figure(gmm, points, title: str):
    """Filled contours of log p₀ (12 nats below its peak) and the points themselves, in a frame
    with a margin of MARGIN of its span beyond every mode's 4 std (a point on the edge shows), the
    legend under it."""
    xlim, ylim = (_widen(lim) for lim in auto_limits(gmm, pad_std=4.0))
    xx, yy, logp = density_grid(gmm, xlim, ylim, n=110)
    fig, ax = new_figure(6.0, 5.4)
    cs = density_background(ax, xx, yy, logp, depth=12.0, ceil=True, clip=True, alpha=0.85)
    fig.colorbar(cs, ax=ax, shrink=0.85, pad=0.02).set_label("log p₀(x)")
    p = np.asarray(points, dtype=float)
    ax.scatter(p[:, 0], p[:, 1], s=5, c="#d62728", linewidths=0, label="your points (the means)")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(title, fontsize=11)
    fig.legend(loc="outside lower center", fontsize=9, markerscale=2, frameon=False)
    return fig


MARGIN = 0.06


def _widen(lim):
    lo, hi = lim
    pad = MARGIN * (hi - lo)
    return lo - pad, hi + pad


def empty_figure(message: str, radius: float):
    """The preview of an empty canvas: the frame a point set of `radius` would get, no density, no
    points, and `message` in the middle."""
    fig, ax = new_figure(6.0, 5.4)
    lim = _widen((-1.3 * radius, 1.3 * radius))
    ax.set_xlim(*lim)
    ax.set_ylim(*lim)
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title("0 points: the canvas is empty", fontsize=11)
    ax.text(0.5, 0.5, textwrap.fill(message, 36), transform=ax.transAxes, ha="center",
            va="center", fontsize=11, color="#555555")
    return fig
