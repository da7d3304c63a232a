"""The score-field page's computations, cached: the score of pₜ at samples or on a grid, and the
rendered figure."""
from __future__ import annotations

import numpy as np
import torch

from dashboard import state
from dashboard.yourdata import point_set
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


def median_magnitude(f: dict) -> float:
    """The median |score| at the arrow positions of a field from score_field() (the page's metric)."""
    return float(np.median(np.linalg.norm(f["total"], axis=1)))


def key_arrow(gmm, sde, t: float, where: str, n: int, seed: int, scale: str) -> float:
    """The |score| of the key arrow: the median |score| of the t = 0 field (fixed: the same for
    every t) or of this picture (fitted), the number the page's metric shows there; at most the
    clipping length."""
    f = score_field(gmm, sde, 0.0 if scale == "fixed" else t, where, n, seed)
    return sfig.key_value(key_magnitude(gmm, sde, t, where, n, seed, scale), median_magnitude(f))


def key_caption(gmm, sde, t: float, where: str, n: int, seed: int, scale: str) -> str:
    """The words under the metrics on the key arrow, from the numbers it is drawn with."""
    f0 = score_field(gmm, sde, 0.0 if scale == "fixed" else t, where, n, seed)
    key, median = key_arrow(gmm, sde, t, where, n, seed, scale), median_magnitude(f0)
    where_t = "at t = 0" if scale == "fixed" else "of this picture"
    what = (f"the median |score| {where_t} (the metric's value there)" if key == median else
            f"the clipping length: the median |score| {where_t}, {median:.3g}, is longer than the "
            "longest arrow drawn")
    return f"Key arrow: |score| = {key:.3g}, {what}: " + (
        "the same on-screen length at every t, so the arrows shrink as t grows; compare it with "
        "the median |score| now." if scale == "fixed" else "arrow lengths cannot be compared across t.")


def reach(gmm, sde, t: float, pts):
    """For a drawn point set (dashboard.yourdata.point_set): the distance from each point to the
    nearest data point as pₜ places it (alpha_t mu_k), which its score arrow points at; None for
    other mixtures (their arrows point at broad modes they do not overshoot)."""
    if not point_set(gmm):
        return None
    alpha = float(sde.mean_scale(torch.tensor(float(t), dtype=torch.float64)))
    pts = torch.as_tensor(np.asarray(pts, dtype=float))
    return torch.cdist(pts, alpha * gmm.means.to(torch.float64)).min(1).values.numpy()


@state.cache_data
def score_png(gmm, sde, t: float, where: str, n: int, seed: int, view: str, lengths: str,
              scale: str) -> bytes:
    """The chosen view as PNG bytes (rendering is the slow part: cache it too)."""
    f = score_field(gmm, sde, t, where, n, seed)
    m = key_magnitude(gmm, sde, t, where, n, seed, scale)
    key = key_arrow(gmm, sde, t, where, n, seed, scale)
    colors = mode_colors(gmm.n_components)
    title = f"t = {t:.2f},  σₜ = {f['sigma']:.3g}"
    fixed = scale == "fixed"
    if view == "total":
        fig = sfig.total_score_figure(f["xx"], f["yy"], f["logp"], f["pts"], f["total"], lengths,
                                      title="score ∇ log pₜ,  " + title, resp=f["resp"],
                                      magnitude=m, fixed=fixed, key=key, reach=reach(gmm, sde, t, f["pts"]))
    elif view == "modes":
        fig = sfig.mode_scores_figure(f["xx"], f["yy"], f["comp_logp"], f["pts"], f["comp_scores"],
                                      colors, lengths=lengths, title="per-mode scores,  " + title,
                                      resp=f["resp"], magnitude=m, fixed=fixed, key=key)
    else:
        fig = sfig.weighted_scores_figure(f["xx"], f["yy"], f["comp_logp"], f["pts"],
                                          f["comp_scores"], f["resp"], f["total"], colors,
                                          title="weighted modes vs total,  " + title,
                                          magnitude=m, fixed=fixed, key=key)
    return figure_png(fig, dpi=100)
