"""Figures of the "Train & sample" page: training curves, score error against t, learned vs exact
score fields, and samples from the learned score against the exact score and the truth.

Pure functions: arrays / DataFrames in, Altair charts or matplotlib Figures out.
"""
from __future__ import annotations


import altair as alt
import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from matplotlib.figure import Figure

from .common import TRUTH_COLOR, log_axis, log_domain, log_ticks
from .background import density_background, peak_levels

# Only curves measured on the floor's own held-out draws are drawn against it: the minibatch
# training loss uses other points, times and noise, and sat below the floor.
LOSS_SERIES = {
    "dsm_loss": "held-out DSM loss of sθ",
    "irreducible_loss": "floor: the exact score's loss on the same draws",
}
LOSS_COLORS = ["#1f77b4", "#d62728"]
LOSS_DASH = [[1, 0], [6, 4]]
LEARNED_COLOR = "#d62728"
CONTOUR_DEPTH = 12.0     # the score maps' contours reach this many nats below log pₜ's peak in view
EXACT_COLOR = "#1f77b4"




# Height is the plotting area's; legends and titles add to it (Streamlit's default "fit" would
# squeeze the plot into the height together with a legend below it).
FIT_X = alt.AutoSizeParams(type="fit-x", contains="padding")


def _line_legend(label_limit: int) -> alt.Legend:
    """One legend below a line chart, given to both its colour and its dash channel (different
    legend settings on two channels of one field make Vega-Lite warn "Conflicting legend
    property")."""
    return alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=label_limit,
                      symbolType="stroke")


# --------------------------------------------------------------------------------- training curves
def loss_chart(history: pd.DataFrame, height: int = 200, max_step: int | None = None) -> alt.Chart:
    """Held-out DSM loss per logged step against its irreducible floor on the same draws (linear
    y, not from zero, so the approach to the floor shows); history needs the columns step,
    dsm_loss and irreducible_loss (the minibatch train_loss is not drawn: other draws). max_step fixes the x axis to [0, max_step] (a curve that grows while
    training runs)."""
    cols = [c for c in LOSS_SERIES if c in history.columns]
    long = history[["step", *cols]].melt("step", var_name="key", value_name="loss")
    long = long[np.isfinite(long["loss"].to_numpy(dtype=float))]
    long["series"] = long["key"].map(LOSS_SERIES)
    order = [LOSS_SERIES[c] for c in cols]
    colors = [LOSS_COLORS[list(LOSS_SERIES).index(c)] for c in cols]
    dashes = [LOSS_DASH[list(LOSS_SERIES).index(c)] for c in cols]
    xscale = alt.Scale(domain=[0, max_step]) if max_step else alt.Undefined
    legend = _line_legend(400)
    return alt.Chart(long).mark_line(strokeWidth=2).encode(
        x=alt.X("step:Q", title="training step", scale=xscale),
        y=alt.Y("loss:Q", title="loss", scale=alt.Scale(zero=False, nice=True)),
        color=alt.Color("series:N", sort=order, scale=alt.Scale(domain=order, range=colors), legend=legend),
        strokeDash=alt.StrokeDash("series:N", sort=order, scale=alt.Scale(domain=order, range=dashes),
                                  legend=legend),     # the same legend: Vega-Lite merges the two
        tooltip=["series:N", "step:Q", alt.Tooltip("loss:Q", format=".4f")],
    ).properties(height=height, title="Held-out DSM loss and its floor", autosize=FIT_X)


def score_mse_chart(history: pd.DataFrame, height: int = 200, t_min: float | None = None) -> alt.Chart:
    """Score MSE against the exact score of pₜ, per logged step (log y); t_min, when given, is
    the smallest time of the held-out draws (named in the title)."""
    df = history[["step", "score_mse"]]
    df = df[np.isfinite(df["score_mse"].to_numpy(dtype=float))]
    return alt.Chart(df).mark_line(point=alt.OverlayMarkDef(size=18), color="#9467bd", strokeWidth=2).encode(
        x=alt.X("step:Q", title="training step"),
        y=alt.Y("score_mse:Q", title="score MSE (log scale)",
                scale=alt.Scale(type="log", domain=log_domain(df["score_mse"])),
                axis=log_axis(log_ticks(log_domain(df["score_mse"])))),
        tooltip=["step:Q", alt.Tooltip("score_mse:Q", title="score MSE", format=".4g")],
    ).properties(height=height, autosize=FIT_X,
                 title="Score error: mean (sθ − ∇log pₜ)² at xₜ ~ pₜ"
                       + (f", t ~ U[{t_min:g}, 1]" if t_min is not None else ""))


def error_by_t_chart(df: pd.DataFrame, eps: float | None = None, height: int = 240) -> alt.Chart:
    """Score error against t: df with columns t, mse, series (one line per series, log-log).
    A vertical rule marks eps, below which no training time was drawn."""
    order = list(dict.fromkeys(df["series"]))
    palette = ["#9467bd", "#ff7f0e", "#7f7f7f", "#17becf"]
    dash = [[1, 0], [6, 4], [2, 2], [1, 0]]
    df = df[np.isfinite(df["mse"].to_numpy(dtype=float)) & (df["mse"].to_numpy(dtype=float) > 0)]
    t_domain = log_domain(np.append(df["t"].to_numpy(dtype=float), [] if eps is None else [eps]), 1.0)
    lines = alt.Chart(df).mark_line(point=alt.OverlayMarkDef(size=16), strokeWidth=2).encode(
        x=alt.X("t:Q", title="diffusion time t (log scale)",
                scale=alt.Scale(type="log", domain=t_domain, nice=False), axis=log_axis(log_ticks(t_domain))),
        y=alt.Y("mse:Q", title="squared error (log scale)",
                scale=alt.Scale(type="log", domain=log_domain(df["mse"])),
                axis=log_axis(log_ticks(log_domain(df["mse"])))),
        color=alt.Color("series:N", sort=order,
                        scale=alt.Scale(domain=order, range=palette[:len(order)]), legend=_line_legend(500)),
        strokeDash=alt.StrokeDash("series:N", sort=order,
                                  scale=alt.Scale(domain=order, range=dash[:len(order)]), legend=_line_legend(500)),
        tooltip=["series:N", alt.Tooltip("t:Q", format=".3f"), alt.Tooltip("mse:Q", format=".4g")],
    )
    chart = lines
    if eps is not None:
        rule_df = pd.DataFrame({"t": [float(eps)], "label": [f"ε = {eps:g}: training times start here"]})
        rule = alt.Chart(rule_df).mark_rule(color="#444", strokeDash=[3, 3]).encode(
            x="t:Q", tooltip=["label:N"])
        text = alt.Chart(rule_df).mark_text(align="left", dx=4, color="#444", fontSize=11).encode(
            x="t:Q", y=alt.value(height - 10), text="label:N")
        chart = lines + rule + text
    return chart.properties(height=height, title="Learned score vs exact score of pₜ, by time",
                            autosize=FIT_X)


# --------------------------------------------------------------------------------- score fields
def compress_arrows(u, v, ref: float, length: float):
    """Arrows of the field (u, v) with lengths length * m / (m + ref), m = |(u, v)|: monotone in
    the magnitude, so larger scores draw longer arrows, but bounded by `length`, so the huge scores
    far from the data do not hide the small ones near it. Zero stays zero."""
    m = np.hypot(u, v)
    f = np.where(m > 0, length / (m + ref), 0.0)
    return u * f, v * f


def panel_row(n: int, colorbar: bool = False, size: float = 2.8, top: float = 0.6, rows: int = 1):
    """A Figure with n square panels of `size` inches in a row (`rows` such rows, the first on top),
    placed at fixed positions (no layout engine: constrained layout costs more than the drawing
    itself), room for tick labels, titles and a legend below, and an optional colour-bar axis right
    of the last panel of the first row. Returns (fig, axes (row by row), cax or None)."""
    left, gap, bottom, cbar, row_gap = 0.6, 0.6, 0.85, (1.1 if colorbar else 0.2), 0.95
    width = left + n * size + (n - 1) * gap + cbar
    height = bottom + rows * size + (rows - 1) * row_gap + top
    fig = Figure(figsize=(width, height), layout=None)
    lows = [bottom + (rows - 1 - r) * (size + row_gap) for r in range(rows)]
    axes = [fig.add_axes(((left + i * (size + gap)) / width, low / height, size / width, size / height))
            for low in lows for i in range(n)]
    cax = None
    if colorbar:
        cax = fig.add_axes(((left + n * size + (n - 1) * gap + 0.12) / width, lows[0] / height,
                            0.12 / width, size / height))
    return fig, axes, cax


def _style(ax, extent):
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_xlabel("x₁", fontsize=12)
    ax.set_ylabel("x₂", fontsize=12)
    ax.tick_params(labelsize=10)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _colorbar_power(top: float) -> int:
    """The power of ten k that brings a colour bar's largest value `top` into [1, 1000) when it
    lies outside [0.01, 1000) (0 otherwise, and for 0 or a value that is not finite)."""
    if not (np.isfinite(top) and top > 0) or 0.01 <= top < 1000:
        return 0
    return int(np.floor(np.log10(top)))


def _ten_to(k: int) -> str:
    """10 to the power k in unicode superscripts: 10⁻⁹."""
    return "10" + str(int(k)).translate(_SUPERSCRIPT)


def share_text(p: float) -> str:
    """A share in percent for a title or a sentence: "100 %" only when it is 1 (99.5 % to 100 %
    exclusive keep a decimal, at most "99.9 %"), "<1 %" below one percent."""
    pct = 100 * float(p)
    if pct >= 100:
        return "100 %"
    if pct >= 99.5:
        return f"{min(pct, 99.9):.1f} %"
    return "<1 %" if pct < 1 else f"{pct:.0f} %"


def contours_drawn(logp, levels) -> bool:
    """Whether some contour level lies strictly inside logp's range, so that a line is drawn
    (at large t log pₜ is nearly flat over the view and none is)."""
    z = np.asarray(logp, dtype=float)
    z = z[np.isfinite(z)]
    lv = np.asarray(levels, dtype=float)
    tol = 1e-9 * max(1.0, float(np.abs(z).max())) if z.size else 0.0     # a level at the peak draws nothing
    return bool(z.size) and bool(np.any((lv > z.min() + tol) & (lv < z.max() - tol)))


def score_fields_figure(xx, yy, logp, qx, qy, learned, exact, err, t: float,
                        weighted: bool = True, window_mass: float | None = None):
    """Three panels at time t: the learned score, the exact score of pₜ (arrows on a coarse grid
    qx, qy over contours of log p_t on xx, yy), and the squared error err = ||s_theta - s||^2
    (on xx, yy) as a heat map: times p_t(x) = exp(logp) when weighted (where samples are),
    else plain on a log colour scale. window_mass: the share of pₜ's mass inside the plotted
    window, said in the error panel's title when given.

    learned, exact: (m, m, 2) arrays on the quiver grid; logp, err: (n, n) on the fine grid.
    Both arrow panels use the same length compression (compress_arrows, reference = the median
    exact magnitude), so lengths compare between them.
    """
    fig, axes, cax = panel_row(3, colorbar=True)
    spacing = float(qx[0, 1] - qx[0, 0]) if qx.shape[1] > 1 else 1.0
    mag = np.hypot(exact[..., 0], exact[..., 1])
    ref = float(np.nanmedian(mag)) if np.isfinite(mag).any() else 1.0
    ref = ref if ref > 0 else 1.0
    levels = peak_levels(logp, depth=CONTOUR_DEPTH, step=1.5)
    extent = (xx.min(), xx.max(), yy.min(), yy.max())
    for ax, field, title, color in ((axes[0], learned, "learned $s_\\theta$(x, t)", LEARNED_COLOR),
                                    (axes[1], exact, "exact ∇log pₜ(x)", EXACT_COLOR)):
        density_background(ax, xx, yy, logp, levels=levels, cmap=None, lines="#b0b0b0", linewidths=0.8)
        u, v = compress_arrows(np.nan_to_num(field[..., 0]), np.nan_to_num(field[..., 1]), ref,
                               1.1 * spacing)
        ax.quiver(qx, qy, u, v, color=color, angles="xy", scale_units="xy", scale=1,
                  width=0.006, headwidth=3.5, headlength=4)
        ax.set_title(title, fontsize=12)
    ax = axes[2]
    if weighted:
        err = np.exp(logp) * err
        top = float(np.nanmax(err)) if np.isfinite(err).any() else 0.0
        power = _colorbar_power(top)          # the colour bar's exponent, in its label
        im = ax.imshow(err / 10.0 ** power, origin="lower", extent=extent, cmap="magma", aspect="equal",
                       vmin=0, vmax=max(top / 10.0 ** power, 1e-12))
        label = "pₜ(x) · ‖$s_\\theta$ − ∇log pₜ‖²" + (f"  (× {_ten_to(power)})" if power else "")
        ax.set_title("error × pₜ (where samples are)" if window_mass is None else
                     f"error × pₜ ({share_text(window_mass)} of pₜ in view)", fontsize=12)
    else:
        pos = err[np.isfinite(err) & (err > 0)]
        lo = float(pos.min()) if pos.size else 1e-6
        hi = float(pos.max()) if pos.size else 1.0
        im = ax.imshow(np.clip(err, lo, None), origin="lower", extent=extent, cmap="magma",
                       aspect="equal", norm=LogNorm(vmin=max(lo, hi * 1e-8), vmax=max(hi, lo * 10)))
        label = "‖$s_\\theta$ − ∇log pₜ‖² (log colour)"
        ax.set_title("error everywhere" if window_mass is None else
                     f"error ({share_text(window_mass)} of pₜ in view)", fontsize=12)
    density_background(ax, xx, yy, logp, levels=levels, cmap=None, lines="white", line_alpha=0.6)
    cb = fig.colorbar(im, cax=cax)
    if weighted:      # no offset text ("1e−9") above the bar: it landed on the panel's title
        cb.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    cb.set_label(label, fontsize=11)
    cb.ax.tick_params(labelsize=9)
    for ax in axes:
        _style(ax, extent)
    handles = [Line2D([], [], color=LEARNED_COLOR, lw=2, label="learned score $s_\\theta$"),
               Line2D([], [], color=EXACT_COLOR, lw=2, label="exact score ∇log pₜ")]
    if contours_drawn(logp, levels):
        handles.append(Line2D([], [], color="#b0b0b0", lw=1, label="contours of log pₜ"))
    fig.legend(handles=handles, loc="lower center", ncols=len(handles), frameon=False, fontsize=11)
    fig.suptitle(f"t = {t:.2f}", fontsize=11, y=0.99)
    return fig


MAX_DOTS = 2000          # samples_dots_figure draws at most this many dots per panel (evenly strided)
MASS_LINE = "#333333"


def dots_stride(n: int, max_dots: int = MAX_DOTS) -> int:
    """Every how many-th of n samples samples_dots_figure draws (1: all of them)."""
    return max(1, int(np.ceil(n / max(1, max_dots))))


def samples_dots_figure(xx, yy, logp, sets, colors, levels, masses, max_dots: int = MAX_DOTS, zoom=None):
    """One panel per sample set: its samples as dots (at most max_dots, evenly strided) over the
    shaded true log-density and its contours at `levels` (log p₀ values, increasing), the lines that
    hold `masses` of p₀'s mass (the same order). Dots show how wide each mode is drawn, which a
    kernel density estimate wider than a narrow mode hides. sets: (label, points (N, 2)) pairs.
    zoom: a list of (xx, yy, logp, words) close-up grids: a row each below the first draws the same sets
    there (every dot inside it), titled with `words` (e.g. "mode 1, close up") and how many lie inside."""
    items, zoom = list(sets), list(zoom or [])
    fig, axes, _ = panel_row(len(items), top=0.35, rows=1 + len(zoom))
    order = np.argsort(levels)
    lv = np.asarray(levels, dtype=float)[order]
    widths = np.linspace(1.2, 0.6, len(lv))      # the outermost (lowest) level thickest
    grids = [(xx, yy, logp, None)] + [tuple(z) for z in zoom]
    for row, (gx, gy, glogp, words) in enumerate(grids):
        extent = (gx.min(), gx.max(), gy.min(), gy.max())
        for ax, (label, pts), color in zip(axes[row * len(items):], items, colors):
            pts = np.asarray(pts, dtype=float).reshape(-1, 2)
            pts = pts[np.isfinite(pts).all(1)]
            density_background(ax, gx, gy, glogp, alpha=0.3)
            ax.contour(gx, gy, glogp, levels=lv, colors=MASS_LINE, linewidths=widths, linestyles="solid", zorder=3)
            if words is not None:           # the close-up: every sample inside it, none on its frame
                inside = ((pts[:, 0] >= extent[0]) & (pts[:, 0] <= extent[1]) & (pts[:, 1] >= extent[2])
                          & (pts[:, 1] <= extent[3]))
                dots = pts[inside][::dots_stride(int(inside.sum()), max_dots)]
                title = f"{words} ({int(inside.sum()):,} inside)"
            else:
                dots, title = pts[::dots_stride(len(pts), max_dots)], f"{label} ({len(pts):,})"
            ax.scatter(dots[:, 0], dots[:, 1], s=2.5, color=color, alpha=0.7, linewidths=0, zorder=4)
            _style(ax, extent)
            ax.set_title(title, fontsize=12 if words is None else 10)
    shares = ", ".join(f"{100 * float(m):g}" for m in np.asarray(masses)[order][::-1])
    handles = [Line2D([], [], ls="", marker="o", color=c, ms=4, label=lab) for (lab, _), c in zip(items, colors)]
    handles.append(Line2D([], [], color=MASS_LINE, lw=1, label=f"p₀'s contours holding {shares} % of its mass"))
    fig.legend(handles=handles, loc="lower center", ncols=len(handles), frameon=False, fontsize=11)
    return fig


def metrics_frame(rows: dict, max_mode_columns: int = 4) -> pd.DataFrame:
    """A display table from {row name: {"sliced_w2": ..., "loglik_gap": ..., "logp_w1": ...,
    "mode_weights": sequence}} (diffusion_core.sweep.sample_metrics plus mode weights). Mode
    weights (in %) get one "mode k %" column each, or, with more
    than max_mode_columns modes, one text column "modes 1..K (%)" of rounded shares."""
    out = []
    for name, m in rows.items():
        r = {"samples": name, "sliced W₂ to truth": m["sliced_w2"],
             "log-likelihood gap (nats)": m["loglik_gap"], "W₁ of log p": m["logp_w1"]}
        w = 100 * np.asarray(m["mode_weights"], dtype=float)
        if len(w) <= max_mode_columns:
            for k, v in enumerate(w):
                r[f"mode {k + 1} %"] = v
        else:
            r[f"modes 1..{len(w)} (%)"] = " · ".join(f"{v:.0f}" for v in w)
        out.append(r)
    return pd.DataFrame(out).set_index("samples")
