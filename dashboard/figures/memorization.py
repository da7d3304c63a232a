"""Figures of the classroom-lab page "Memorization".

Pure functions: arrays / DataFrames in, Altair charts or matplotlib Figures out.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .common import TRUTH_COLOR, as_numpy, new_figure, nice_up
from .background import density_background
from .training import FIT_X

# the colours of the "Train & sample" page: learned red, exact-score blue, truth green
LEARNED_COLOR = "#d62728"
EXACT_COLOR = "#1f77b4"
POINT_COLOR = "#111111"
POINT_SIZE = 60                   # training points: hollow rings of this marker area (points²)
SAMPLE_SIZE = 7                   # samples: dots of this marker area (points²)
POINT_ZORDER, SAMPLE_ZORDER = 2, 3  # samples are drawn over the training points


# ============================================================================ memorization
def memorization_figure(panels, points, radius: float, xlim, ylim, xx=None, yy=None, logp=None,
                        max_points: int = 2000):
    """One panel per (title, samples (N, 2), colour): the samples as dots drawn on top, the
    training points as hollow black rings under them (so a sample that sits on a training point
    shows), a circle of `radius` around each (the memorization zone), and optionally the contours
    of the true log-density logp on the grid xx, yy. Equal aspect, shared limits."""
    pts = as_numpy(points, float)
    fig, axes = new_figure(3.3, 3.75, ncols=len(panels))
    axes = np.atleast_1d(axes)
    for ax, (title, x, color) in zip(axes, panels):
        x = as_numpy(x, float)
        x = x[np.isfinite(x).all(1)][:max_points]
        if logp is not None:
            density_background(ax, xx, yy, logp, depth=9.0, step=1.5, cmap=None, lines="#b0b0b0",
                               linewidths=0.7, zorder=0)
        for p in pts:
            ax.add_patch(_circle(p, radius))
        ax.scatter(pts[:, 0], pts[:, 1], marker="o", s=POINT_SIZE, facecolors="none",
                   edgecolors=POINT_COLOR, linewidths=1.3, zorder=POINT_ZORDER, label="training points")
        ax.scatter(x[:, 0], x[:, 1], s=SAMPLE_SIZE, color=color, alpha=0.6, linewidths=0,
                   zorder=SAMPLE_ZORDER, label="samples")
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal")
        ax.set_title(title, fontsize=10.5)
        ax.set_xlabel("x₁")
        ax.grid(alpha=0.2)
    axes[0].set_ylabel("x₂")
    # the radius in points on the page, to say when its circle hides inside the ring
    width_pt = 72 * 3.3 * 0.8
    handles = [Line2D([], [], marker="o", color="w", markerfacecolor="none", markeredgecolor=POINT_COLOR,
                      markeredgewidth=1.3, markersize=9, label="training point (under the samples)"),
               Line2D([], [], marker="o", color="w", markeredgecolor="#555", markerfacecolor="none",
                      markersize=12, markeredgewidth=0.8,
                      label=radius_label(radius, xlim, width_pt, POINT_SIZE, SAMPLE_SIZE, "pt"))]
    if logp is not None:
        handles.append(Line2D([], [], color="#b0b0b0", label="true density p₀ (contours)"))
    # below the figure (the PNG is cropped to what is drawn): "outside lower center" sat on the x labels
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=len(handles),
               frameon=False, fontsize=9)
    return fig


SAMPLES_DATA, CIRCLES_DATA = "memo_samples", "memo_circles"   # memorization_chart's named datasets
CIRCLE_VERTICES = 64
RING_SIZE = 90                    # memorization_chart's training points: hollow rings of this area (px²)
LEGEND_POINTS = "training point (under the samples)"
LEGEND_DENSITY = "true density p₀ (contours)"


def contour_figure(xx, yy, logp, xlim, ylim, px: int = 460) -> Figure:
    """memorization_figure's density contours alone (transparent, no axes or margins), px pixels
    wide at dpi 100, exactly the box xlim × ylim: memorization_chart lays its PNG under the samples."""
    h = px * (ylim[1] - ylim[0]) / (xlim[1] - xlim[0])
    fig = Figure(figsize=(px / 100, h / 100))
    fig.set_facecolor("none")
    ax = fig.add_axes((0, 0, 1, 1))
    ax.patch.set_alpha(0)
    density_background(ax, xx, yy, logp, depth=9.0, step=1.5, cmap=None, lines="#b0b0b0",
                       linewidths=1.4, zorder=0)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_axis_off()
    return fig


def sample_frame(sets: dict, max_points: int = 2000) -> pd.DataFrame:
    """memorization_chart's samples dataset: {name: samples (N, 2)} as rows set, x, y (float32),
    the first max_points finite samples of each set, as memorization_figure draws them."""
    parts = []
    for name, x in sets.items():
        x = as_numpy(x, float)
        x = x[np.isfinite(x).all(1)][:max_points].astype(np.float32)
        parts.append(pd.DataFrame({"set": name, "x": x[:, 0], "y": x[:, 1]}))
    return pd.concat(parts, ignore_index=True)


def circle_frame(points, radius: float, n: int = CIRCLE_VERTICES) -> pd.DataFrame:
    """memorization_chart's circles dataset: a closed polygon of n vertices of `radius` around
    each training point, rows j (point), m (vertex), x, y."""
    pts = as_numpy(points, float)
    a = np.linspace(0, 2 * np.pi, n + 1)
    x = pts[:, None, 0] + radius * np.cos(a)[None]
    y = pts[:, None, 1] + radius * np.sin(a)[None]
    j, m = np.meshgrid(np.arange(len(pts)), np.arange(n + 1), indexing="ij")
    return pd.DataFrame({"j": j.ravel(), "m": m.ravel(), "x": x.ravel(), "y": y.ravel()})


DOT_SIZE = 9                      # memorization_chart's samples: dots of this area (px²)


def radius_pixels(radius: float, xlim, size: float) -> float:
    """The radius r in pixels (or points) on a panel `size` pixels wide over xlim."""
    return radius / max(float(xlim[1] - xlim[0]), 1e-12) * size


def radius_hidden(radius: float, xlim, size: float, dot: float = DOT_SIZE) -> bool:
    """Whether a circle of `radius` is too small to see: its radius on the panel (radius_pixels) no
    larger than a sample's dot of area `dot`, which covers it (and its line fills it)."""
    return radius_pixels(radius, xlim, size) <= np.sqrt(dot / np.pi)


def radius_label(radius: float, xlim, size: float, ring: float = RING_SIZE, dot: float = DOT_SIZE,
                 unit: str = "px") -> str:
    """The legend's words for the circles; "(inside the ring)" when a circle of `radius`, on a panel
    `size` pixels (or points: unit) wide over xlim, is smaller than the ring of a training point (area
    `ring`), and its size on the panel when it is too small to see (radius_hidden: no larger than a dot)."""
    r_px = radius_pixels(radius, xlim, size)
    inside = r_px < np.sqrt(ring) / 2
    hidden = f", {r_px:.2g} {unit}: too small to see" if radius_hidden(radius, xlim, size, dot) else ""
    return f"radius r = {radius:.3g} around it" + hidden + (" (inside the ring)" if inside else "")


def memorization_chart(panels, points, xlim, ylim, contours: str | None = None, size: int = 230,
                       titles=None, radius_words: str = "radius r around it") -> alt.Chart:
    """memorization_figure as a Vega-Lite chart: one panel per (set name, colour), the samples of
    that set from the named dataset SAMPLES_DATA (sample_frame) as dots drawn on top, the training
    points as hollow black rings under them, the circles of the named dataset CIRCLES_DATA
    (circle_frame: the memorization zones) under those, and optionally the density contours, the
    transparent PNG at the URL `contours` (contour_figure over xlim × ylim). Equal aspect, shared
    limits; titles: one (list of lines) per panel; one legend below the panels, whose circle entry
    reads radius_words (radius_label)."""
    xlim, ylim = [float(v) for v in xlim], [float(v) for v in ylim]
    height = round(size * (ylim[1] - ylim[0]) / (xlim[1] - xlim[0]))
    pts = as_numpy(points, float)
    x = alt.X("x:Q", title="x₁", scale=alt.Scale(domain=xlim, nice=False, zero=False))
    labels = [LEGEND_POINTS, radius_words] + ([LEGEND_DENSITY] if contours else [])
    style = {LEGEND_POINTS: ("transparent", POINT_COLOR, "circle"), radius_words: ("transparent", "#555", "circle"),
             LEGEND_DENSITY: ("transparent", "#b0b0b0", "stroke")}
    what = dict(sort=labels, title=None)
    charts = []
    for n, (name, color) in enumerate(panels):
        y = alt.Y("y:Q", title="x₂" if n == 0 else None, scale=alt.Scale(domain=ylim, nice=False, zero=False))
        layers = []
        if contours:
            layers.append(alt.Chart(pd.DataFrame({"x": [xlim[0]], "y": [ylim[1]], "url": [contours]})).mark_image(
                width=size, height=height, align="left", baseline="top", aspect=False).encode(x=x, y=y, url="url:N"))
        layers.append(alt.Chart(alt.Data(name=CIRCLES_DATA)).mark_line(
            color="#555", strokeWidth=0.8, opacity=0.8, clip=True).encode(x=x, y=y, detail="j:N", order="m:Q"))
        layers.append(alt.Chart(pd.DataFrame({"x": pts[:, 0], "y": pts[:, 1]})).mark_point(
            shape="circle", filled=False, size=RING_SIZE, color=POINT_COLOR, strokeWidth=1.5, opacity=1,
            clip=True).encode(x=x, y=y))
        layers.append(alt.Chart(alt.Data(name=SAMPLES_DATA)).transform_filter(
            alt.FieldEqualPredicate(field="set", equal=name)).mark_circle(
            size=DOT_SIZE, color=color, opacity=0.6, clip=True).encode(x=x, y=y))
        if n == 0:
            legend_rows = pd.DataFrame({"x": [xlim[0] - 1.0] * len(labels), "y": [ylim[0] - 1.0] * len(labels),
                                        "what": labels})
            layers.append(alt.Chart(legend_rows).mark_point(size=80, strokeWidth=1.3, clip=True, opacity=1).encode(
                x=x, y=y,
                fill=alt.Fill("what:N", scale=alt.Scale(domain=labels, range=[style[v][0] for v in labels]),
                              legend=alt.Legend(orient="bottom", direction="horizontal", labelFontSize=12,
                                                labelLimit=480), **what),
                stroke=alt.Stroke("what:N", scale=alt.Scale(domain=labels, range=[style[v][1] for v in labels]), **what),
                shape=alt.Shape("what:N", scale=alt.Scale(domain=labels, range=[style[v][2] for v in labels]), **what),
                size=alt.Size("what:N", scale=alt.Scale(domain=labels, range=[70, 150, 150][:len(labels)]), **what),
                strokeWidth=alt.StrokeWidth("what:N", scale=alt.Scale(domain=labels, range=[1.5, 0.9, 1.2][:len(labels)]),
                                            **what)))
        title = list(titles[n]) if titles is not None else [name]
        charts.append(alt.layer(*layers).properties(
            width=size, height=height,
            title=alt.TitleParams(title, fontSize=12, anchor="middle", fontWeight="normal")))
    # autosize pad: panels keep their size (Vega-Lite's "fit" works only for single or layered views)
    return alt.hconcat(*charts, spacing=12).properties(
        autosize=alt.AutoSizeParams(type="pad")).configure_view(stroke="#888")


def _circle(center, radius):
    from matplotlib.patches import Circle
    return Circle(center, radius, fill=False, edgecolor="#555", linewidth=0.8, alpha=0.8, zorder=1)


FRACTION_SCALE = alt.Scale(domainMin=0)     # a share of samples is never below 0 (no padding under it)
HEADROOM = 1.1          # the fraction axis reaches at least this many times the tallest bar


def fraction_top(largest: float) -> float:
    """The top of the fraction axis: the first multiple of a 1-2-5 step (nice_up of an eighth of
    the need) at or above HEADROOM × the tallest bar `largest`, so that bar stays clear of the
    plot's top edge (0.49 -> 0.6, 0.3 -> 0.35); never above 1, the whole of a series."""
    need = HEADROOM * max(float(np.nan_to_num(largest)), 1e-3)
    step = nice_up(need / 8)
    return min(1.0, float(f"{np.ceil(need / step * (1 - 1e-12)) * step:.12g}"))


def distance_histogram(distances: dict, radius: float, colors: dict | None = None,
                       n_bins: int = 30, height: int = 260) -> alt.Chart:
    """Histograms of nearest-training-point distances, one step line per series (log-x bins,
    y = fraction of that series' samples per bin), and a rule at `radius`. The log axis starts at
    the smallest positive distance drawn (the exact score's samples land within 1e-5 of a training
    point), so every sample is in the bin of its own distance.
    distances: {series name: distances (N,)}; zero distances (off a log axis) go to the lowest bin."""
    allv = np.concatenate([as_numpy(v, float).ravel() for v in distances.values()])
    allv = allv[np.isfinite(allv)]
    lo = float(allv[allv > 0].min()) if (allv > 0).any() else 1e-4
    hi = max(float(allv.max()) if allv.size else 1.0, lo * 10, radius * 2)
    edges = np.geomspace(lo, hi * 1.0001, n_bins + 1)
    rows = []
    for name, v in distances.items():
        v = as_numpy(v, float).ravel()
        v = np.clip(v[np.isfinite(v)], lo, hi)
        counts, _ = np.histogram(v, bins=edges)
        frac = counts / max(1, v.size)
        for a, b, f in zip(edges[:-1], edges[1:], frac):
            rows.append({"series": name, "lo": a, "hi": b, "mid": float(np.sqrt(a * b)), "fraction": f})
    df = pd.DataFrame(rows)
    order = list(distances)
    rng = [(colors or {}).get(n, c) for n, c in zip(order, [LEARNED_COLOR, EXACT_COLOR, TRUTH_COLOR] * 3)]
    x = alt.X("mid:Q", title="distance to the nearest training point (log scale)",
              scale=alt.Scale(type="log", domain=[lo, hi]))
    legend = alt.Legend(title=None, orient="top", labelLimit=320)   # one for both layers
    fraction = alt.Scale(**FRACTION_SCALE.to_dict(), domainMax=fraction_top(df["fraction"].max()), nice=False)
    bars = alt.Chart(df).mark_bar(opacity=0.35, binSpacing=0).encode(
        x=alt.X("lo:Q", scale=alt.Scale(type="log", domain=[lo, hi]),
                title="distance to the nearest training point (log scale)"),
        x2="hi:Q",
        y=alt.Y("fraction:Q", title="fraction of samples", stack=None, scale=fraction),
        color=alt.Color("series:N", sort=order, scale=alt.Scale(domain=order, range=rng),
                        legend=legend),
        tooltip=["series:N", alt.Tooltip("lo:Q", title="from", format=".3g"),
                 alt.Tooltip("hi:Q", title="to", format=".3g"), alt.Tooltip("fraction:Q", format=".1%")])
    lines = alt.Chart(df).mark_line(interpolate="step", strokeWidth=2).encode(
        x=x, y=alt.Y("fraction:Q", scale=fraction), color=alt.Color("series:N", sort=order, legend=legend,
                                             scale=alt.Scale(domain=order, range=rng)))
    rule_df = pd.DataFrame({"r": [float(radius)], "label": [f"radius {radius:.3g}"]})
    rule = alt.Chart(rule_df).mark_rule(color="#333", strokeDash=[4, 3]).encode(x="r:Q")
    text = alt.Chart(rule_df).mark_text(align="left", dx=4, dy=8, color="#333", fontSize=11).encode(
        x="r:Q", y=alt.value(0), text="label:N")
    return (bars + lines + rule + text).properties(
        height=height, title="How far is each sample from the training set?", autosize=FIT_X)


def rate_top(df: pd.DataFrame) -> float:
    """The top of the sweep chart's rate axis: the next tenth (10 %) above its highest point or
    error bar (columns rate and, where present, high), at most 1; at least 0.1."""
    top = float(df[[c for c in ("rate", "high") if c in df.columns]].max().max())
    return float(min(1.0, max(0.1, np.ceil(round(top * 10, 9)) / 10)))


def rate_sweep_chart(df: pd.DataFrame, height: int = 300) -> alt.Chart:
    """Memorization rate against the number of training points: df with columns n_points, rate,
    series (network / true mixture: the fresh-draw baseline) and optionally low, high (an error
    bar per point, clipped to [0, 1]). height: of the plot area (autosize fit-x: the title, legend
    and axes come on top of it); its rate axis runs from 0 to rate_top."""
    order = list(dict.fromkeys(df["series"]))
    rng = [LEARNED_COLOR, TRUTH_COLOR, EXACT_COLOR][:len(order)]
    color = alt.Color("series:N", sort=order, scale=alt.Scale(domain=order, range=rng),
                      legend=alt.Legend(title=None, orient="top"))
    x = alt.X("n_points:Q", title="number of training points (log scale)", scale=alt.Scale(type="log"))
    tips = ["series:N", "n_points:Q", alt.Tooltip("rate:Q", format=".1%")]
    has_bars = {"low", "high"} <= set(df.columns)
    if has_bars:
        df = df.assign(low=df["low"].clip(0, 1), high=df["high"].clip(0, 1))
        tips += [alt.Tooltip("low:Q", format=".1%", title="error bar from"),
                 alt.Tooltip("high:Q", format=".1%", title="to")]
    lines = alt.Chart(df).mark_line(point=alt.OverlayMarkDef(size=50), strokeWidth=2).encode(
        x=x, y=alt.Y("rate:Q", title="memorization rate", axis=alt.Axis(format="%"),
                     scale=alt.Scale(domain=[0, rate_top(df)])),
        color=color, tooltip=tips)
    if has_bars:
        lines = alt.Chart(df).mark_errorbar(ticks=True, thickness=1.5).encode(
            x=x, y=alt.Y("low:Q", title="memorization rate"), y2="high:Q", color=color) + lines
    return lines.properties(height=height, title="Memorization rate of the network and of fresh draws (the baseline)",
                            autosize=FIT_X)
