"""The home page's picture: a mixture blurred by forward diffusion, and sampled back."""
from __future__ import annotations


import numpy as np
import torch

from dashboard.home import LAM, PANEL_TIMES

from .background import density_background
from .common import figure_png, new_figure, samples_limits
from .lab import preview_density


MIN_DEPTH = 3.0   # nats of log pₜ the shading spans at least (about a linear scale's 1/12 of the peak)
SHADES = 10       # filled levels between the shading's floor and the peak
LOWEST_SHADE = 3.0  # nats the lowest mode's peak lies above the shading's floor


def shade_depth(pt) -> float:
    """How many nats below its peak the shading of pₜ reaches: MIN_DEPTH, or deeper where a mode's
    own peak (log pₜ at its mean) lies lower, down to LOWEST_SHADE nats below the lowest mode's peak: every
    mode shows, however light or narrow beside a heavy one, and similar modes keep a shallow scale
    that draws their shape."""
    peaks = pt.log_prob(pt.means.double()).double()
    return max(MIN_DEPTH, float(peaks.max() - peaks.min()) + LOWEST_SHADE)


def shade_density(ax, pt, xlim, ylim, grid: int):
    """Shade log pₜ in blues, shade_depth nats from its peak down (below: the palest tone). The grid
    is preview_density's, so a mode narrower than its cells is drawn at its peak, and the scale is
    logarithmic, so a light mode beside a heavy narrow one is shaded too (a linear scale left every
    mode under 1/12 of the peak density blank). Returns the filled ContourSet."""
    xx, yy, lp = preview_density(pt, xlim, ylim, grid)
    depth = shade_depth(pt)
    return density_background(ax, xx, yy, lp, depth=depth, step=depth / SHADES, cmap="Blues", alpha=None,
                              clip=True)


def diffusion_strip(gmm, sde, times=PANEL_TIMES, n_points: int = 300, seed: int = 0,
                    grid: int = 90):
    """One panel per time t: the density pₜ (shaded, shade_density) and samples xₜ = αₜ x₀ + σₜ z."""
    fig, axes = new_figure(2.6, 2.8, ncols=len(times))
    g = torch.Generator().manual_seed(seed)
    x0, _ = gmm.sample(n_points, g, dtype=torch.float64)
    z = torch.randn(x0.shape, generator=g, dtype=torch.float64)
    for ax, t in zip(np.atleast_1d(axes), times):
        pt = gmm.diffuse(sde, t)
        xlim, ylim = samples_limits(pt)      # every mode's mean +- 3 std and a margin: none is cut
        shade_density(ax, pt, xlim, ylim, grid)
        tt = torch.full((n_points,), float(t), dtype=torch.float64)
        xt = sde.perturb(x0, tt, z).numpy()
        ax.scatter(xt[:, 0], xt[:, 1], s=3, c="#d62728", alpha=0.6, linewidths=0)
        ax.set_title(f"t = {t:g},  σₜ = {float(sde.sigma(torch.tensor(t))):.2f}", fontsize=10)
        ax.set_xlim(xlim), ax.set_ylim(ylim), ax.set_aspect("equal")
        ax.tick_params(labelsize=8)
    fig.suptitle("Forward diffusion blurs p₀ into noise, t = 0 → 1 (note the growing axes); sampling "
                 "runs it backwards, from right to left", fontsize=11)
    return fig


def home_png(gmm) -> bytes:
    """The Home page's picture of `gmm` as PNG: blurred by the tutorial's process (VE, lambda = LAM)."""
    from diffusion_core.sde import VESDE
    return figure_png(diffusion_strip(gmm, VESDE(LAM)), dpi=110)
