"""Score-field figures: log-density contours with score arrows (matplotlib Figures).

Three views of the score of a Gaussian mixture at points x:
  total      grad log p(x), arrows coloured by their magnitude, over the log-density contours;
  per mode   every mode's own score -Sigma_k^{-1}(x - mu_k), in that mode's colour, over its contours;
  weighted   pi_k(x) * (mode k's score) for every k, and their sum, the total score (black).
Arrow lengths are either all equal (direction only; magnitude shown by colour) or proportional to
the score with one factor chosen so the longest arrows stay about a grid cell long; the figure says
which, and the factor.
"""
from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from matplotlib.figure import Figure

from .common import figure_png, mode_colors  # noqa: F401  (figure_png re-exported)

__all__ = ["LENGTHS", "arrow_vectors", "total_score_figure", "mode_scores_figure",
           "weighted_scores_figure", "figure_png"]

LENGTHS = ("equal", "proportional")


def _np(a) -> np.ndarray:
    return a.detach().cpu().numpy() if hasattr(a, "detach") else np.asarray(a)


def _base_length(xx, n_points: int) -> float:
    """A readable arrow length: about the spacing of n_points spread over the plot."""
    span = float(np.ptp(xx))
    return float(np.clip(0.6 * span / np.sqrt(max(n_points, 1)), span / 50, span / 12))


def arrow_vectors(vecs, base: float, lengths: str = "equal", ref=None):
    """Display vectors for quiver and the factor k used (None for equal lengths).

    equal:        v / |v| * base (zero vectors stay zero);
    proportional: k v with k = 1.4 base / q95(|ref|), ref defaulting to vecs (pass the same ref to
                  draw several vector sets on one scale).
    """
    v = _np(vecs).astype(float)
    if lengths not in LENGTHS:
        raise ValueError(f"arrow lengths must be one of {', '.join(LENGTHS)}; got {lengths!r}")
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    if lengths == "equal":
        return np.where(norm > 0, v / np.where(norm > 0, norm, 1.0), 0.0) * base, None
    r = np.linalg.norm(_np(ref if ref is not None else v).reshape(-1, v.shape[-1]), axis=-1)
    q = float(np.quantile(r, 0.95)) if r.size else 0.0
    k = 1.4 * base / q if q > 0 and np.isfinite(q) else 1.0
    return v * k, k


def _axes(ax, xx, yy, title):
    ax.set_xlim(float(xx.min()), float(xx.max()))
    ax.set_ylim(float(yy.min()), float(yy.max()))
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    if title:
        ax.set_title(title, fontsize=12)


def _note(ax, text):
    ax.text(0.01, 0.01, text, transform=ax.transAxes, fontsize=8.5, va="bottom", ha="left",
            bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="0.7", alpha=0.85))


def _length_note(k, what="score"):
    return (f"all arrows the same length (direction only)" if k is None
            else f"arrow length = {k:.3g} × |{what}|")


def _quiver(ax, pts, uv, c=None, width=0.0045, **kw):
    args = (pts[:, 0], pts[:, 1], uv[:, 0], uv[:, 1]) + (() if c is None else (c,))
    return ax.quiver(*args, angles="xy", scale_units="xy", scale=1, pivot="tail", width=width,
                     headwidth=3.8, headlength=4.5, **kw)


def _log_levels(logp, n: int = 14):
    lo = max(float(np.percentile(logp, 3)), float(logp.max()) - 25.0)
    hi = float(logp.max())
    return np.linspace(lo, hi, n) if hi > lo else np.array([hi - 1, hi])


def _mode_contours(ax, xx, yy, comp_logp, colors):
    """Each mode's 1, 2 and 3 standard-deviation ellipses, from its log density on the grid."""
    for k, lp in enumerate(comp_logp):
        top = float(lp.max())
        ax.contour(xx, yy, lp, levels=[top - 4.5, top - 2.0, top - 0.5], colors=colors[k],
                   linewidths=[0.8, 1.1, 1.5], linestyles="solid", alpha=0.9)


# One fixed layout (inches) for every view, so switching views does not move the plot: a square
# axes, and a strip on its right for the colour bar or the legend. No layout engine: fast to draw.
_W, _H, _LEFT, _BOTTOM, _SIDE, _GAP = 6.35, 5.4, 0.66, 0.56, 4.4, 0.14


def _figure():
    fig = Figure(figsize=(_W, _H))
    ax = fig.add_axes((_LEFT / _W, _BOTTOM / _H, _SIDE / _W, _SIDE / _H))
    return fig, ax


def _side_rect(width: float = 0.2):
    x = (_LEFT + _SIDE + _GAP) / _W
    return (x, _BOTTOM / _H, width / _W, _SIDE / _H)


def _legend(fig, handles, title):
    x = (_LEFT + _SIDE + _GAP * 0.5) / _W
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(x, (_BOTTOM + _SIDE) / _H),
               fontsize=9, title=title, title_fontsize=9, frameon=False, handlelength=1.4,
               alignment="left")


def total_score_figure(xx, yy, logp, pts, score, lengths: str = "equal", title: str | None = None):
    """Log-density contours of p with the score grad log p at pts, coloured by |score|."""
    xx, yy, logp, pts, score = (_np(a).astype(float) for a in (xx, yy, logp, pts, score))
    fig, ax = _figure()
    levels = _log_levels(logp)
    ax.contourf(xx, yy, logp, levels=levels, cmap="Greys", alpha=0.45, extend="min")
    ax.contour(xx, yy, logp, levels=levels, colors="0.45", linewidths=0.5, linestyles="solid")
    uv, k = arrow_vectors(score, _base_length(xx, len(pts)), lengths)
    mag = np.linalg.norm(score, axis=1)
    q = _quiver(ax, pts, uv, mag, cmap="plasma")
    ax.scatter(pts[:, 0], pts[:, 1], s=4, c="0.2", zorder=3, linewidths=0)
    _axes(ax, xx, yy, title)
    cb = fig.colorbar(q, cax=fig.add_axes(_side_rect()))
    cb.set_label("|∇ log p(x)|  (arrow colour)")
    _note(ax, _length_note(k))
    return fig


def mode_scores_figure(xx, yy, comp_logp, pts, comp_scores, colors=None, names=None,
                       lengths: str = "equal", title: str | None = None):
    """Every mode's own score -Sigma_k^{-1}(x - mu_k) at pts, in its colour, over its contours.

    comp_logp (K, n, n): each component's log density on the grid; comp_scores (K, N, 2).
    """
    xx, yy, comp_logp, pts, comp_scores = (_np(a).astype(float) for a in
                                           (xx, yy, comp_logp, pts, comp_scores))
    K = comp_scores.shape[0]
    colors = list(colors or mode_colors(K))
    names = list(names or [f"mode {k + 1}" for k in range(K)])
    fig, ax = _figure()
    _mode_contours(ax, xx, yy, comp_logp, colors)
    base = _base_length(xx, len(pts))
    handles = []
    for kk in range(K):
        uv, k = arrow_vectors(comp_scores[kk], base, lengths, ref=comp_scores)
        _quiver(ax, pts, uv, color=colors[kk], alpha=0.65)
        handles.append(Line2D([], [], color=colors[kk], lw=3, label=names[kk]))
    ax.scatter(pts[:, 0], pts[:, 1], s=4, c="0.2", zorder=3, linewidths=0)
    _axes(ax, xx, yy, title)
    handles.append(Line2D([], [], color="0.3", lw=1.1, label="1, 2, 3 σ\nellipses"))
    _legend(fig, handles, "score of")
    _note(ax, _length_note(k, "mode score"))
    return fig


def weighted_scores_figure(xx, yy, comp_logp, pts, comp_scores, resp, total, colors=None,
                           names=None, title: str | None = None):
    """pi_k(x) * s_k(x) for every mode (its colour) and their sum, the total score (black).

    Drawn on one proportional scale, so the coloured arrows add up to the black one.
    resp (N, K) responsibilities pi_k(x); total (N, 2).
    """
    xx, yy, comp_logp, pts, comp_scores, resp, total = (
        _np(a).astype(float) for a in (xx, yy, comp_logp, pts, comp_scores, resp, total))
    K = comp_scores.shape[0]
    colors = list(colors or mode_colors(K))
    names = list(names or [f"mode {k + 1}" for k in range(K)])
    weighted = resp.T[:, :, None] * comp_scores                        # (K, N, 2)
    fig, ax = _figure()
    _mode_contours(ax, xx, yy, comp_logp, colors)
    base = _base_length(xx, len(pts))
    ref = np.concatenate([weighted.reshape(-1, 2), total])
    handles = []
    for kk in range(K):
        uv, k = arrow_vectors(weighted[kk], base, "proportional", ref=ref)
        _quiver(ax, pts, uv, color=colors[kk], alpha=0.7, width=0.007)
        handles.append(Line2D([], [], color=colors[kk], lw=4, label=names[kk]))
    uv, k = arrow_vectors(total, base, "proportional", ref=ref)
    _quiver(ax, pts, uv, color="black", alpha=0.9, width=0.0022, zorder=4)
    handles.append(Line2D([], [], color="black", lw=1.2, label="total score\n(their sum)"))
    ax.scatter(pts[:, 0], pts[:, 1], s=4, c="0.2", zorder=3, linewidths=0)
    _axes(ax, xx, yy, title)
    _legend(fig, handles, "π_k(x) × score\nof each mode")
    _note(ax, _length_note(k))
    return fig
