"""Generated samples against the truth: KDEs over the true density, metrics, mode weights.

Builders any page that produces samples of a known mixture can use:
  samples_vs_truth   seaborn KDE contours of several sample sets on one Axes, or one panel per
                     set (explicit colours, a legend), over the shaded true log-density log p_0;
  metrics_table      a display table from {row name: diffusion_core.sweep.sample_metrics(...)
                     plus mode weights};
  mode_weights_chart recovered vs true mode weights, grouped bars (Altair).
"""
from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .common import TRUTH_COLOR, as_numpy, new_figure, square_axes
from .training import panel_row
from .background import density_background

__all__ = ["SET_COLORS", "TRUTH_COLOR", "samples_vs_truth", "kde_kernel_stds", "kde_data_stds", "samples_over_points", "metrics_table",
           "mode_weights_chart", "METRIC_COLUMNS"]

SET_COLORS = ["#1f77b4", "#d62728", "#9467bd", "#8c564b", "#e377c2"]
DENSITY_CMAP = "Greys"
TRUTH_ZORDER, SAMPLES_ZORDER = 2.5, 3    # on one Axes, the samples' KDE contours over the truth's


def _is_truth(label) -> bool:
    """Whether a sample set is the truth's ("true samples", ...), by its label."""
    return str(label).lower().startswith("true")


def _stride(pts: np.ndarray, m: int) -> np.ndarray:
    return pts[:: max(1, int(np.ceil(len(pts) / m)))] if m > 0 else pts[:0]


KDE_POINTS, BW_ADJUST = 1500, 0.6


def _kde_points(pts, kde_points: int) -> np.ndarray:
    """The finite points, evenly strided to at most kde_points, that samples_vs_truth's KDE uses."""
    pts = as_numpy(pts).astype(float).reshape(-1, 2)
    return _stride(pts[np.isfinite(pts).all(1)], kde_points)


def kde_data_stds(pts, kde_points: int = KDE_POINTS) -> tuple[float, float]:
    """The smallest and largest std of the points samples_vs_truth's KDE uses (the square roots of
    their covariance's eigenvalues): the data's spread the kernel follows (kde_kernel_stds is
    these times the kernel's factor); (0, 0) with fewer than 5 points."""
    kd = _kde_points(pts, kde_points)
    if len(kd) < 5:
        return 0.0, 0.0
    lo, hi = np.sqrt(np.clip(np.linalg.eigvalsh(np.cov(kd.T)), 0.0, None))
    return float(lo), float(hi)


def kde_kernel_stds(pts, kde_points: int = KDE_POINTS, bw_adjust: float = BW_ADJUST) -> tuple[float, float]:
    """The smallest and largest std of the Gaussian kernel samples_vs_truth's contours put on each
    point (seaborn's kdeplot, scipy's gaussian_kde: the points' covariance times
    (n^(-1/6) bw_adjust)^2, Scott's rule in 2D, n the points used): a mode narrower than the
    smallest is drawn that wide, and stretched when the two differ."""
    n = len(_kde_points(pts, kde_points))
    if n < 5:
        return 0.0, 0.0
    factor = n ** (-1 / 6) * bw_adjust
    lo, hi = kde_data_stds(pts, kde_points)
    return float(lo * factor), float(hi * factor)


def samples_vs_truth(xx, yy, logp, sets, colors=None, title: str | None = None,
                     kde_points: int = KDE_POINTS, scatter_points: int = 0, gridsize: int = 80,
                     levels: int = 6, bw_adjust: float = BW_ADJUST, size: float = 5.6, separate: bool = False):
    """KDE contours of every sample set over the true log-density: on one square Axes, or with
    separate, one panel per set (titled "label (count)", the sets' KDEs in the legend).

    xx, yy, logp: the true log p_0 on a grid (figures.common.density_grid), shaded over its top
    10 nats; sets: {legend label: points (N, 2)} or a sequence of (label, points), in drawing
    order (by convention the truth last); colors: one per set (default SET_COLORS, with
    TRUTH_COLOR for a label starting with "true"; on one Axes its contours are thin and dashed,
    under the other sets'). The KDE uses at most kde_points points of
    each set (evenly strided), with seaborn's bandwidth times bw_adjust (Scott's rule alone
    blurs small, well separated modes into rings); scatter_points > 0 adds a light scatter.
    Returns a matplotlib Figure.
    """
    items = list(sets.items()) if isinstance(sets, Mapping) else list(sets)
    if colors is None:
        it = iter(SET_COLORS * 4)
        colors = [TRUTH_COLOR if _is_truth(lab) else next(it) for lab, _ in items]
    xx, yy, logp = as_numpy(xx), as_numpy(yy), as_numpy(logp)
    if separate:
        fig, axes, _ = panel_row(len(items), top=0.35)
    else:
        fig, ax = new_figure(size, size + 0.5)
        axes = [ax] * len(items)
        density_background(ax, xx, yy, logp, cmap=DENSITY_CMAP, lines="#9a9a9a", linestyles=None)
    handles = []
    for ax, (label, pts), color in zip(axes, items, colors):
        pts = as_numpy(pts).astype(float).reshape(-1, 2)
        pts = pts[np.isfinite(pts).all(1)]
        if separate:
            density_background(ax, xx, yy, logp, alpha=0.4)
        if scatter_points:
            sc = _stride(pts, scatter_points)
            ax.scatter(sc[:, 0], sc[:, 1], s=3, color=color, alpha=0.3 if separate else 0.25, linewidths=0)
        kd = _kde_points(pts, kde_points)
        # on one Axes the truth's contours are thin, dashed and under the samples' (solid, on top),
        # so both show where they coincide
        under = not separate and _is_truth(label)
        line = dict(lw=1.1, ls="--") if under else dict(lw=1.4 if separate else 1.6, ls="-")
        if len(kd) >= 5 and np.ptp(kd, axis=0).min() > 0:
            sns.kdeplot(x=kd[:, 0], y=kd[:, 1], ax=ax, levels=levels, color=color,
                        linewidths=line["lw"], linestyles=line["ls"], gridsize=gridsize,
                        bw_adjust=bw_adjust, warn_singular=False,
                        zorder=TRUTH_ZORDER if under else SAMPLES_ZORDER)
        if separate:
            handles.append(Line2D([], [], color=color, lw=2, label=f"KDE: {label}"))
            square_axes(ax, xx, yy, f"{label} ({len(pts):,})")
        else:
            handles.append(Line2D([], [], color=color, lw=2 if not under else 1.5, ls=line["ls"],
                                  label=f"{label} ({len(pts):,})"))
    if separate:
        handles.append(Patch(facecolor="#8a8a8a", alpha=0.5, label="true density p₀"))
        fig.legend(handles=handles, loc="lower center", ncols=len(handles), frameon=False, fontsize=11)
        return fig
    handles.append(Patch(facecolor="#8a8a8a", alpha=0.5, label="true density p₀ (log scale)"))
    square_axes(ax, xx, yy, title)
    fig.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False, fontsize=10)
    return fig


def samples_over_points(xx, yy, logp, points, samples, label: str = "samples",
                        title: str | None = None, size: float = 5.6):
    """Samples as dots over the data points p₀ is built from (a point set: many narrow modes,
    where KDE contours would hide whether a sample is a copy of a data point), over the true
    log-density. Returns a matplotlib Figure."""
    xx, yy, logp = as_numpy(xx), as_numpy(yy), as_numpy(logp)
    pts = as_numpy(points).astype(float).reshape(-1, 2)
    x = as_numpy(samples).astype(float).reshape(-1, 2)
    x = x[np.isfinite(x).all(1)]
    fig, ax = new_figure(size, size + 0.5)
    density_background(ax, xx, yy, logp, cmap=DENSITY_CMAP, lines="#9a9a9a", linestyles=None)
    ax.scatter(pts[:, 0], pts[:, 1], s=26, facecolors="none", edgecolors="black", linewidths=0.7,
               zorder=3)
    ax.scatter(x[:, 0], x[:, 1], s=4, color=SET_COLORS[0], alpha=0.6, linewidths=0, zorder=4)
    handles = [Line2D([], [], ls="", marker="o", mfc="none", mec="black", label=f"data points ({len(pts):,})"),
               Line2D([], [], ls="", marker="o", color=SET_COLORS[0], ms=4, label=f"{label} ({len(x):,})")]
    square_axes(ax, xx, yy, title)
    fig.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False, fontsize=10)
    return fig


METRIC_COLUMNS = {
    "sliced_w2": "sliced W₂ to truth ↓",
    "sliced_w2_floor": "W₂ floor (truth vs truth)",
    "loglik_gap": "log-lik gap (nats) → 0",
    "logp_w1": "W₁ of log p ↓",
    "nfe": "score evaluations",
    "seconds": "time (s)",
}


def metrics_table(rows: Mapping[str, Mapping], true_weights=None) -> pd.DataFrame:
    """A display table, one row per sample set, from {name: diffusion_core.sweep.sample_metrics(...)
    plus optional "sliced_w2_floor", "mode_weights", "nfe" and "seconds"}. Mode weights become one "mode k %" column each; true_weights adds a
    "true p₀" row holding only those."""
    out = []
    for name, m in rows.items():
        r = {"samples": name}
        for k, col in METRIC_COLUMNS.items():
            if k in m and m[k] is not None:
                r[col] = float(m[k])
        for k, w in enumerate(np.asarray(as_numpy(m.get("mode_weights", [])), dtype=float)):
            r[f"mode {k + 1} %"] = 100 * w
        out.append(r)
    if true_weights is not None:
        out.append({"samples": "true p₀", **{f"mode {k + 1} %": 100 * float(w)
                                              for k, w in enumerate(as_numpy(true_weights))}})
    return pd.DataFrame(out).set_index("samples")


MANY_MODES = 40       # mode_weights_chart hides the mode labels of larger mixtures


PX_PER_PERCENT = 4.0      # the mode-weights bars: a 3 % deviation is 12 px tall


def mode_weights_chart(true_weights, recovered: Mapping[str, object], colors=None,
                       height: int | None = None) -> alt.Chart:
    """Grouped bars: for every mode, its true weight and the share of each sample set in it
    (the mode whose responsibility is largest, diffusion_core.metrics.mode_weights). height: of
    the plot area (legend and axes come on top of it); by default PX_PER_PERCENT pixels per
    percentage point of the tallest bar, within 200 to 400 px."""
    tw = np.asarray(as_numpy(true_weights), dtype=float)
    K = len(tw)
    series = {"true weight": tw, **{k: np.asarray(as_numpy(v), dtype=float) for k, v in recovered.items()}}
    for name, w in series.items():
        if w.shape != (K,):
            raise ValueError(f"{name}: mode weights must have one entry per mode ({K}); got {w.shape}")
    names = list(series)
    colors = list(colors) if colors is not None else ["#b0b0b0"] + SET_COLORS[:len(names) - 1]
    modes = [str(k + 1) for k in range(K)]
    df = pd.concat([pd.DataFrame({"mode": modes, "share": 100 * w, "series": s, "order": i})
                    for i, (s, w) in enumerate(series.items())])
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("mode:N", sort=modes, title="mode" if K <= MANY_MODES else f"mode (1 to {K:,}; labels hidden)",
                axis=alt.Axis(labelAngle=0, labels=K <= MANY_MODES, ticks=K <= MANY_MODES)),
        xOffset=alt.XOffset("series:N", sort=names),
        y=alt.Y("share:Q", title="share of samples (%)"),
        color=alt.Color("series:N", sort=names, scale=alt.Scale(domain=names, range=colors[:len(names)]),
                        legend=alt.Legend(title=None, orient="top", direction="vertical",
                                          labelLimit=0)),      # full sampler names, one a line
        tooltip=["mode:N", "series:N", alt.Tooltip("share:Q", format=".1f", title="%")],
    ).properties(height=height or int(np.clip(PX_PER_PERCENT * df["share"].max(), 200, 400)),
                 autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
