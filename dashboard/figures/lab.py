"""Figures of the classroom lab: mixture editor preview, sampler race, ODE likelihood maps.

Pure functions: arrays (and mixtures) in, Altair charts or matplotlib Figures out.
"""
from __future__ import annotations

import math

import altair as alt
import matplotlib
import numpy as np
import pandas as pd
import torch
from matplotlib.collections import EllipseCollection
from matplotlib.patches import Ellipse

from diffusion_core.mixture import std_angle_from_cov
from diffusion_core.mixture import GaussianMixture
from diffusion_core.sampling import SAMPLERS
from dashboard import vocabulary
from .common import (as_numpy, auto_limits, density_grid, log_axis, log_domain, log_tick_labels, log_ticks,
                     mode_colors, new_figure, nice_down)
from .background import density_background

__all__ = ["METHOD_LABELS", "METHOD_SHORT", "METHOD_COLORS", "GRID_LABELS", "methods_help", "grids_help",
           "mixture_preview", "preview_density", "badge_anchor", "nfe_chart", "likelihood_maps",
           "shown_cells", "grey_rule", "cell_extent", "likelihood_scatter"]

METHOD_LABELS = {m: vocabulary.label(m) for m in SAMPLERS}      # the registry's words
METHOD_SHORT = {m: vocabulary.short(m) for m in SAMPLERS}
METHOD_COLORS = vocabulary.colors()
SAMPLE_FILL, SAMPLE_EDGE = "#ffd23f", "#222222"   # mixture_preview's samples: light dots with a dark
                                                # edge read on the white and on the darkest contours
MAX_NUMBERED = 24     # mixture_preview numbers each component and draws 1 and 2 std up to this many
GRID_LABELS = vocabulary.GRID_LABELS
methods_help, grids_help = vocabulary.methods_help, vocabulary.grids_help


# ------------------------------------------------------------------------------- mixture editor
def preview_density(gmm: GaussianMixture, xlim, ylim, n_grid: int = 120):
    """xx, yy, log p on the preview's grid, with every mode narrower than the grid kept visible:
    near a component whose smallest std is under two grid steps, each node holds the largest log p
    of its cell (at the cell's point nearest the component's mean), so a sharp peak that falls
    between nodes is still drawn at its height."""
    xx, yy, logp = density_grid(gmm, xlim, ylim, n_grid)
    hx, hy = float(xx[0, 1] - xx[0, 0]), float(yy[1, 0] - yy[0, 0])
    reach = 3                                            # nodes on each side of the mean
    for mu, cov in zip(gmm.means.tolist(), gmm.covs):
        if std_angle_from_cov(cov)[1] >= 2 * min(hx, hy):
            continue
        i = int(round((mu[1] - yy[0, 0]) / hy))
        j = int(round((mu[0] - xx[0, 0]) / hx))
        rows = slice(max(i - reach, 0), min(i + reach + 1, n_grid))
        cols = slice(max(j - reach, 0), min(j + reach + 1, n_grid))
        bx, by = xx[rows, cols], yy[rows, cols]
        if bx.size == 0:
            continue
        pts = np.stack([np.clip(mu[0], bx - hx / 2, bx + hx / 2).ravel(),
                        np.clip(mu[1], by - hy / 2, by + hy / 2).ravel()], 1)
        peak = gmm.log_prob(torch.from_numpy(pts)).numpy().reshape(bx.shape)
        logp[rows, cols] = np.maximum(logp[rows, cols], peak)
    return xx, yy, logp


def _badge_directions(cov) -> list[np.ndarray]:
    """The directions badge_anchor tries from a mode's mean, in order: an elongated mode's short
    axis (both sides) first, so its badge sits beside it, not past its long end; then the four
    diagonals (up-right first); then 16 directions around."""
    vals, vecs = np.linalg.eigh(np.asarray(cov, dtype=float))
    short = vecs[:, 0] * (1.0 if vecs[:, 0].sum() >= 0 else -1.0)
    diag = [np.array([sx, sy]) / math.sqrt(2.0) for sx, sy in ((1, 1), (-1, 1), (1, -1), (-1, -1))]
    around = [np.array([math.cos(a), math.sin(a)]) for a in np.linspace(0, 2 * math.pi, 16, endpoint=False)]
    first = [short, -short] if vals[1] > 2.25 * vals[0] else []
    return first + diag + around


def _badge_clear(centre, radius, ellipses, xlim, ylim, n_std: float = 2.0) -> bool:
    """Whether a badge (a disc) lies inside the frame and outside every (mean, cov) n_std-std
    ellipse, checked on its centre and 16 points of its rim."""
    rim = [centre + radius * np.array([math.cos(a), math.sin(a)])
           for a in np.linspace(0, 2 * math.pi, 16, endpoint=False)] + [centre]
    for q in rim:
        if not (xlim[0] <= q[0] <= xlim[1] and ylim[0] <= q[1] <= ylim[1]):
            return False
        for mu, c in ellipses:
            d = q - mu
            if float(d @ np.linalg.solve(c, d)) <= n_std ** 2:
                return False
    return True


def badge_anchor(mean, cov, xlim, ylim, room: float = 0.08, others=()) -> tuple[tuple[float, float], tuple[int, int]]:
    """Where a component's number badge goes: a point of its 2-std ellipse and the signs (sx, sy)
    of the side the badge is drawn on, just beyond that point (the badge about `room` of the
    panel's width across). The first of _badge_directions whose badge lies inside the frame and
    clears every 3-std ellipse (the shaded mode's reach), its own and those of `others` ((mean, cov)
    pairs), else every 2-std ellipse; where none does, the first diagonal with room in the frame."""
    c = np.asarray(cov, dtype=float)
    mu = np.asarray(mean, dtype=float)
    span = np.array([xlim[1] - xlim[0], ylim[1] - ylim[0]])
    ellipses = [(mu, c)] + [(np.asarray(m, dtype=float), np.asarray(v, dtype=float)) for m, v in others]
    tries = []
    for u in _badge_directions(c):
        p = mu + 2.0 * u / math.sqrt(float(u @ np.linalg.solve(c, u)))
        sx, sy = (1 if u[0] >= -1e-9 else -1), (1 if u[1] >= -1e-9 else -1)
        tries.append(((float(p[0]), float(p[1])), (sx, sy), p + np.array([sx, sy]) * room * span / 2))
    radius = room * float(span.min()) / 2.5
    for n_std in (3.0, 2.0):                   # clear of the shaded mode's reach where it can be
        for at, signs, centre in tries:
            if _badge_clear(centre, radius, ellipses, xlim, ylim, n_std):
                return at, signs
    fits = [(at, signs) for at, signs, centre in tries[-20:-16]       # the four diagonals
            if _badge_clear(centre, radius, [], xlim, ylim)]
    return (fits or [tries[0][:2]])[0]


BADGE_GAP = 6       # points between badge_anchor's point and the badge's near corner


def mixture_preview(gmm: GaussianMixture, samples=None, xlim=None, ylim=None, title: str | None = None,
                    n_grid: int = 120):
    """Filled log-density contours of a 2D mixture (preview_density: narrow modes stay visible),
    its samples, and each component's 1- and 2-std ellipses labelled with its row number (1-based),
    on a badge beside the 2-std ellipse, so table rows map to blobs."""
    if xlim is None or ylim is None:
        xlim, ylim = auto_limits(gmm)
    xx, yy, logp = preview_density(gmm, xlim, ylim, n_grid)
    fig, ax = new_figure(6.2, 5.6)
    cs = density_background(ax, xx, yy, logp, depth=12.0, ceil=True, clip=True, extend="min", alpha=0.85)
    cb = fig.colorbar(cs, ax=ax, shrink=0.85, pad=0.02)
    cb.set_label("log p₀(x)")
    if samples is not None:
        s = as_numpy(samples)
        ax.scatter(s[:, 0], s[:, 1], s=12, c=SAMPLE_FILL, alpha=0.9, edgecolors=SAMPLE_EDGE,
                   linewidths=0.5, label="samples")
    colors = mode_colors(gmm.n_components)
    many = gmm.n_components > MAX_NUMBERED
    if many:      # one collection of 1-std ellipses, no numbers: fast and readable for ~1,000 modes
        sd = [std_angle_from_cov(cov) for cov in gmm.covs]
        ax.add_collection(EllipseCollection(
            [2 * a for a, _, _ in sd], [2 * b for _, b, _ in sd], [c for _, _, c in sd], units="xy",
            offsets=as_numpy(gmm.means).astype(float), offset_transform=ax.transData,
            facecolors="none", edgecolors=colors, linewidths=0.8))
    for k, (mu, cov, w) in enumerate(zip(gmm.means.tolist(), gmm.covs, gmm.weights.tolist())):
        if many:
            break
        s1, s2, ang = std_angle_from_cov(cov)
        for n_std, ls in ((1, "-"), (2, "--")):
            ax.add_patch(Ellipse(mu, 2 * n_std * s1, 2 * n_std * s2, angle=ang, fill=False,
                                 ec=colors[k], lw=1.8, ls=ls))
        at, (sx, sy) = badge_anchor(mu, cov, xlim, ylim, others=[(m, v) for j, (m, v) in enumerate(
            zip(gmm.means.tolist(), gmm.covs.tolist())) if j != k])
        ax.annotate(f"{k + 1}", at, xytext=(sx * BADGE_GAP, sy * BADGE_GAP), textcoords="offset points",
                    ha="left" if sx > 0 else "right", va="bottom" if sy > 0 else "top",
                    fontsize=10, fontweight="bold",
                    color="white", bbox=dict(boxstyle="circle,pad=0.2", fc=colors[k], ec="none"))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(title or (f"{gmm.n_components:,} components: ellipses at 1 std (unnumbered)" if many else
                           f"{gmm.n_components} component(s): ellipses at 1 and 2 std"), fontsize=11)
    if samples is not None:     # under the axes: inside, it hid a heavy mode in the frame's corner
        ax.legend(loc="upper right", bbox_to_anchor=(1.0, -0.07), fontsize=8, markerscale=3, frameon=False)
    return fig


# ------------------------------------------------------------------------------- sampler race
def symlog_constant(values, band=None) -> float:
    """Where a symmetric log axis (y = sign(v) log(1 + |v|/c)) turns from linear to logarithmic:
    the 1-2-5 number at or below a quarter of the noise band's reach from 0 (band: mean, low,
    high), so that the band fills a readable share of the axis; without a band, at or below the
    smallest nonzero |value|."""
    reach = max(abs(float(band[1])), abs(float(band[2]))) / 4 if band else 0.0
    if not reach > 0:
        v = np.abs(as_numpy(values, float).ravel())
        v = v[np.isfinite(v) & (v > 0)]
        reach = float(v.min()) if v.size else 1.0
    return nice_down(reach)


def symlog_ticks(values, c: float) -> list[float]:
    """Ticks of a symmetric log axis with constant c: 0 and ±c × 10^k out to the first at or past
    the largest value on each side (the axis' domain is their span, so every value lies inside)."""
    v = as_numpy(values, float).ravel()
    v = v[np.isfinite(v)]
    ticks = [0.0]
    for sign, far in ((1.0, v.max(initial=0.0)), (-1.0, -v.min(initial=0.0))):
        t = c
        while far > 0:
            ticks.append(sign * float(f"{t:.12g}"))
            if t >= far * (1 - 1e-12):
                break
            t *= 10
    return sorted(ticks)


def nfe_chart(df: pd.DataFrame, metric: str, floor=None, metric_label: str | None = None,
              log_y: bool = True, height: int | None = None) -> alt.Chart:
    """Metric against the number of score evaluations (log x), one line per method (named by its
    short name, as the page's sampler chips and table name it), and the
    noise level (true samples against true samples): floor is a number (a dashed line) or
    (mean, low, high) (a dashed line over a grey band: the spread over independent truth sets).
    log_y: a log y axis where every value is positive; otherwise (a signed measure) a symmetric
    log axis (symlog_constant, symlog_ticks), linear near 0 where the band lies, so that one huge
    value at few evaluations does not flatten the band and the other curves onto 0, every tick labelled.
    height: in px; None grows it with the number of curves (nfe_chart_height). The band's words and the
    scale's sit above the plot whatever their number of lines (note_dy)."""
    label = metric_label or metric
    d = df.copy()
    d["sampler"] = d["method"].map(lambda m: METHOD_SHORT.get(m, m))     # the page's chips' names
    d = d[np.isfinite(d[metric].to_numpy(dtype=float))]
    values = d[metric].to_numpy(dtype=float)
    band = tuple(float(v) for v in floor) if isinstance(floor, (tuple, list)) else None
    floor = band[0] if band else floor
    if band and all(math.isfinite(v) for v in band):
        values = np.append(values, band)
    elif floor is not None and math.isfinite(floor):
        values = np.append(values, floor)
    log_y = log_y and values.size > 0 and bool((values > 0).all())
    order = [METHOD_SHORT[m] for m in METHOD_SHORT if m in set(d["method"])]
    color = alt.Color("sampler:N", title="sampler", sort=order,
                      scale=alt.Scale(domain=order, range=[METHOD_COLORS[m] for m in METHOD_SHORT
                                                           if m in set(d["method"])]),
                      legend=alt.Legend(orient="right", labelLimit=240, titleFontSize=12,
                                        labelFontSize=12, symbolStrokeWidth=3))
    nice = [v * 10.0 ** e for e in range(-4, 5) for v in (1, 2, 5)]
    title, scale_note = label, ""
    if log_y:       # up to a labelled tick at or above the largest value drawn (log_domain, log_ticks)
        y_domain = log_domain(values, 1.4)
        y_scale = alt.Scale(type="log", domain=y_domain, nice=False)
        y_axis = log_axis(log_ticks(y_domain))
    elif values.size:   # signed: linear within ±c, logarithmic beyond
        c = symlog_constant(values, band if band and all(math.isfinite(v) for v in band) else None)
        ticks = symlog_ticks(values, c)
        y_scale = alt.Scale(type="symlog", constant=c, domain=[ticks[0], ticks[-1]], nice=False)
        y_axis = log_axis(ticks, labelOverlap=False)     # every gridline labelled (±c too, which the note names)
        size = dict(zip(np.abs(ticks), log_tick_labels(np.abs(ticks))))    # c as the axis labels it
        scale_note = f"y: symmetric log scale, linear within ±{size[c]}"
    else:
        y_scale, y_axis = alt.Scale(zero=False, nice=True), alt.Axis()
    y = alt.Y(f"{metric}:Q", title=title, axis=y_axis, scale=y_scale)
    nfe = d["nfe"].to_numpy(dtype=float)
    # from a labelled 1-2-5 tick below the fewest evaluations (points at 3 and 4 had no tick left of them)
    x_lo, x_hi = (nice_down(float(nfe.min()) / 1.3), float(nfe.max()) * 1.3) if nfe.size else (1.0, 1000.0)
    x = alt.X("nfe:Q", title="score evaluations (NFE, log scale)",
              scale=alt.Scale(type="log", domain=[x_lo, x_hi], nice=False),
              axis=log_axis([v for v in nice if x_lo <= v <= x_hi]))
    tips = [alt.Tooltip("sampler:N"), alt.Tooltip("nfe:Q", title="NFE"), alt.Tooltip("steps:Q"),
            alt.Tooltip(f"{metric}:Q", title=label, format=".4f"),
            alt.Tooltip("seconds:Q", format=".2f")]
    base = alt.Chart(d).encode(x=x, y=y, color=color, tooltip=tips)
    chart = base.mark_line(strokeWidth=2.2) + base.mark_point(filled=True, size=60)
    if floor is not None and math.isfinite(floor):
        what = "noise level: true vs true samples"
        shown = band if band and all(math.isfinite(v) for v in band) else (floor,)
        level, *edges = log_tick_labels([float(f"{v:.3g}") for v in shown])   # the axis' own format
        f = pd.DataFrame({"floor": [floor], "text": [f"dashed line: {what} ({level})"]})
        if edges:
            f = f.assign(low=band[1], high=band[2], text=f"dashed line and grey band: {what} ({level}, "
                                                         f"range {edges[0]}–{edges[1]})")
            chart = alt.Chart(f).mark_rect(color="#7f7f7f", opacity=0.18).encode(
                y=alt.Y("low:Q", scale=y_scale, axis=y_axis, title=title), y2="high:Q") + chart
        if scale_note:          # the scale's words beside the band's, off the axis (a long axis title squashed the plot)
            f = f.assign(text=f["text"] + f"\n{scale_note}")
        rule = alt.Chart(f).mark_rule(strokeDash=[6, 4], color="black", strokeWidth=1.5).encode(
            y=alt.Y("floor:Q", scale=y_scale, axis=y_axis, title=title))
        # the words go above the plot area, off the data (at the dashed line they sat on the curves)
        lines = f["text"].iloc[0].count("\n") + 1
        text = alt.Chart(f).mark_text(align="left", baseline="bottom", dy=note_dy(lines), fontSize=12,
                                      lineHeight=NOTE_LINE_HEIGHT, lineBreak="\n").encode(
            x=alt.value(0), y=alt.value(0), text="text:N")
        chart = chart + rule + text
    return chart.properties(height=height or nfe_chart_height(len(order)))


NOTE_LINE_HEIGHT = 15   # px between the lines of the note above the sampler chart


def note_dy(lines: int) -> int:
    """The vertical offset of a note of `lines` lines drawn at the plot's top edge (baseline bottom): each line
    after the first lifts it by a line's height, so that the whole note sits above the plot, off its frame."""
    return -6 - NOTE_LINE_HEIGHT * (lines - 1)


def nfe_chart_height(n_lines: int) -> int:
    """The sampler chart's height in px for n_lines curves: 300 for three or fewer, 20 px more per further
    curve, at most 400 (eight samplers' curves over four decades crowded each other at 300)."""
    return min(400, 300 + 20 * max(0, n_lines - 3))


# ------------------------------------------------------------------------------- likelihood
def shown_cells(ode_logp, true_logp, floor_nats: float = 15.0) -> np.ndarray:
    """Where the difference map shows ODE − true: where either density is within `floor_nats` of
    its own peak (the true one, or the model's by the ODE). Far below both there is nothing to
    read; a model that puts mass where the data has none (between ring8's modes, say) is most
    wrong exactly there, so the model's density keeps those cells shown."""
    ode_logp, true_logp = as_numpy(ode_logp).astype(float), as_numpy(true_logp).astype(float)
    shown = true_logp > float(np.max(true_logp)) - floor_nats
    ode_ok = np.isfinite(ode_logp)
    if ode_ok.any():
        shown |= ode_ok & (ode_logp > float(np.max(ode_logp[ode_ok])) - floor_nats)
    return shown


def grey_rule(floor_nats: float = 15.0, sentence: bool = False) -> str:
    """The difference map's rule for its grey cells, in words (shown_cells): the panel's short
    label, or (sentence) the page's explanation."""
    if sentence:
        return (f"Grey cells: both densities, the true one and the model's (by the ODE), are more "
                f"than {floor_nats:g} nats below their own peaks; where either is high the "
                "difference is shown, so mass the model puts where the data has none is seen.")
    return f"grey: both densities more than {floor_nats:g} nats below their peaks"


def cell_extent(xx, yy) -> tuple[float, float, float, float]:
    """The extent of an image whose cells are centred on the grid points xx, yy (n, m): the
    outer grid points and half a grid spacing beyond them."""
    xx, yy = as_numpy(xx, float), as_numpy(yy, float)
    hx = (xx.max() - xx.min()) / max(xx.shape[1] - 1, 1) / 2
    hy = (yy.max() - yy.min()) / max(yy.shape[0] - 1, 1) / 2
    return (float(xx.min() - hx), float(xx.max() + hx), float(yy.min() - hy), float(yy.max() + hy))


DOTS_LABEL = "dots in every panel: {n:,} true samples of p₀"


def likelihood_maps(xx, yy, ode_logp, true_logp, samples=None, floor_nats: float = 15.0,
                    title_ode: str = "log p₀ by the probability-flow ODE"):
    """Three panels on one grid: the ODE log-likelihood, the true log-density (same colour
    scale, floored `floor_nats` below the peak) and their difference (diverging, symmetric),
    greyed out only where both densities are more than `floor_nats` below their own peaks
    (shown_cells); samples (true samples of p₀) are drawn as dots in every panel, named under the first."""
    ode_logp, true_logp = as_numpy(ode_logp), as_numpy(true_logp)
    top = float(np.max(true_logp))
    lo = top - floor_nats
    fig, axes = new_figure(4.6, 4.4, ncols=3)
    extent = cell_extent(xx, yy)
    for ax, z, title in ((axes[0], ode_logp, title_ode), (axes[1], true_logp, "true log p₀ (exact)")):
        im = ax.imshow(np.clip(z, lo, top), origin="lower", extent=extent, cmap="viridis", vmin=lo,
                       vmax=top, interpolation="nearest", aspect="equal")
        ax.set_title(title, fontsize=11)
    cb = fig.colorbar(im, ax=axes[:2], shrink=0.8, pad=0.02, extend="min")
    cb.set_label(f"log p₀(x)  (floored {floor_nats:g} nats below the peak)")
    diff = ode_logp - true_logp
    inside = shown_cells(ode_logp, true_logp, floor_nats)
    ref = np.abs(diff[inside]) if inside.any() else np.abs(diff)
    vlim = max(1e-3, float(np.percentile(ref, 98)) if ref.size else 1e-3)
    cmap = matplotlib.colormaps["RdBu_r"].with_extremes(bad="0.82")
    im2 = axes[2].imshow(np.where(inside, np.clip(diff, -vlim, vlim), np.nan), origin="lower",
                         extent=extent, cmap=cmap, vmin=-vlim, vmax=vlim, interpolation="nearest",
                         aspect="equal")
    axes[2].set_title("difference: ODE − true (nats)", fontsize=11)
    cb2 = fig.colorbar(im2, ax=axes[2], shrink=0.8, pad=0.02, extend="both")
    cb2.set_label("nats (red: ODE too high, blue: too low)")
    for ax in axes:
        if samples is not None:
            s = as_numpy(samples)
            # black with a white rim: black alone vanished on the dark cells, white alone on yellow
            ax.scatter(s[:, 0], s[:, 1], s=6, c="black", alpha=0.6, edgecolors="white", linewidths=0.4)
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")
    if not inside.all():        # under the panel, off the data
        axes[2].set_xlabel(f"x₁\n{grey_rule(floor_nats)}")
    if samples is not None:     # the dots, named under the first panel in the same way
        axes[0].set_xlabel(f"x₁\n{DOTS_LABEL.format(n=len(samples))}")
    return fig


def likelihood_scatter(ode_logp, true_logp, height: int = 320) -> alt.Chart:
    """ODE log-likelihood against the true log-density at true samples, with the line y = x."""
    a, b = as_numpy(ode_logp).astype(float), as_numpy(true_logp).astype(float)
    d = pd.DataFrame({"true": b, "ode": a, "error": a - b})
    lo, hi = float(min(a.min(), b.min())), float(max(a.max(), b.max()))
    pad = 0.03 * (hi - lo + 1e-9)
    dom = [lo - pad, hi + pad]
    pts = alt.Chart(d).mark_circle(size=22, opacity=0.6, color="#1f77b4").encode(
        # x: labelFlush off: a flushed first label, pulled inside the axis, sat on the next one.
        # y: flushed, so a tick at the scale's top keeps its label inside the plot: one centred on
        # that edge stood above it, the chart (fitted to the column) did not count it, and the
        # title placed above it was drawn past the top of the chart and cut there
        x=alt.X("true:Q", title="true log p₀(x)", scale=alt.Scale(domain=dom), axis=alt.Axis(labelFlush=False)),
        y=alt.Y("ode:Q", title="ODE log-likelihood", scale=alt.Scale(domain=dom), axis=alt.Axis(labelFlush=True)),
        tooltip=[alt.Tooltip("true:Q", format=".3f"), alt.Tooltip("ode:Q", format=".3f"),
                 alt.Tooltip("error:Q", format="+.4f")])
    line = alt.Chart(pd.DataFrame({"true": dom, "ode": dom})).mark_line(
        color="black", strokeDash=[5, 4]).encode(x="true:Q", y="ode:Q")
    # room above the title: the chart fitted to its column places the title from its text's size,
    # which the drawn line of text exceeds by a few pixels at its top
    return (line + pts).properties(height=height, title="true samples: ODE vs exact (dashed: equal)",
                                   padding={"top": 10, "left": 5, "right": 5, "bottom": 5})
