"""The score-field page's computations, cached: the score of pₜ at samples or on a grid, and the
rendered figure."""
from __future__ import annotations

from dashboard import state
from dashboard.figures import score_field as sfig
from dashboard.figures.common import figure_png, mode_colors


DENSITY_GRID = 100


@state.cache_data
def score_field(gmm, sde, t: float, where: str, n: int, seed: int):
    """pₜ = gmm diffused to t; its log density (total and per mode) on a grid, points where the
    arrows start (samples of pₜ or a grid), and the scores there. All numpy."""
    return sfig.field_data(gmm, sde, t, where, n, seed, DENSITY_GRID)


def key_magnitude(gmm, sde, t: float, where: str, n: int, seed: int, scale: str) -> float:
    """The |score| drawn as the key arrow: a robust size of the t = 0 field (fixed: the same
    for every t, so the arrows shrink with the score) or of this picture's (fitted)."""
    f = score_field(gmm, sde, 0.0 if scale == "fixed" else t, where, n, seed)
    return sfig.reference_magnitude(f["total"], f["resp"])


@state.cache_data
def score_png(gmm, sde, t: float, where: str, n: int, seed: int, view: str, lengths: str,
              scale: str) -> bytes:
    """The chosen view as PNG bytes (rendering is the slow part: cache it too)."""
    f = score_field(gmm, sde, t, where, n, seed)
    m = key_magnitude(gmm, sde, t, where, n, seed, scale)
    colors = mode_colors(gmm.n_components)
    title = f"t = {t:.2f},  σₜ = {f['sigma']:.3g}"
    fixed = scale == "fixed"
    if view == "total":
        fig = sfig.total_score_figure(f["xx"], f["yy"], f["logp"], f["pts"], f["total"], lengths,
                                      title="score ∇ log pₜ,  " + title, resp=f["resp"],
                                      magnitude=m, fixed=fixed)
    elif view == "modes":
        fig = sfig.mode_scores_figure(f["xx"], f["yy"], f["comp_logp"], f["pts"], f["comp_scores"],
                                      colors, lengths=lengths, title="per-mode scores,  " + title,
                                      resp=f["resp"], magnitude=m, fixed=fixed)
    else:
        fig = sfig.weighted_scores_figure(f["xx"], f["yy"], f["comp_logp"], f["pts"],
                                          f["comp_scores"], f["resp"], f["total"], colors,
                                          title="weighted modes vs total,  " + title,
                                          magnitude=m, fixed=fixed)
    return figure_png(fig, dpi=100)
