"""Figures of the Flow matching page. Pure: arrays in, Altair charts / matplotlib Figures out."""
from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from dashboard.figures.common import square_axes
from dashboard.figures.background import density_background
from dashboard.figures.guidance import log_ticks

__all__ = ["paths_figure", "paths_chart", "background_figure", "quality_chart", "error_chart", "FIELD_COLORS"]

FIELD_COLORS = {"exact flow": "#2ca02c", "VE PF-ODE": "#d62728", "learned flow": "#1f77b4",
                "rectified flow": "#9467bd"}
METHOD_DASH = {"euler": [6, 4], "heun": [1, 0]}
METHOD_DASHES = [METHOD_DASH["heun"], METHOD_DASH["euler"]]     # Heun, Euler (the legend's order)
TOP_FIELD = "exact flow"                                        # quality_chart draws it on top
TOP_POINT = dict(shape="diamond", filled=False, size=70, strokeWidth=1.6)
NET_FIELDS = ("learned flow", "rectified flow")                 # a network's flow: close to the exact one
NET_LINE = dict(strokeWidth=5.5, opacity=0.6)                   # a wide band around the exact flow's line
_NICE = [v * 10.0 ** e for e in range(-4, 5) for v in (1, 2, 5)]


PAIR_COLOR = "#ff7f0e"
PATH_LINE = dict(strokeWidth=1.4, opacity=0.9)   # the flows' paths: wide and dark enough to follow over the contours
PATHS_BACKGROUND = 0.3                            # the density's opacity under the paths (light: the paths lead)
PATHS_DATA = "flow_paths"      # paths_chart's named dataset: columns panel, i (path), k (step), x, y
LEGEND = {"start (noise, t = 1)": ("white", "black", "circle"), "end (data, t = 0)": ("#444", "#444", "circle"),
          "path": ("transparent", "#444", "stroke")}     # label: (fill, stroke, shape), as paths_figure's legend


def background_figure(xx, yy, logp, xlim, ylim, px: int = 400) -> Figure:
    """The density background of paths_figure's panels alone (filled log p₀ contours, opaque, no
    axes or margins), px pixels wide at dpi 100, exactly the box xlim × ylim: paths_chart lays its
    PNG under the paths, with paths_figure's alpha as the image's opacity."""
    h = px * (ylim[1] - ylim[0]) / (xlim[1] - xlim[0])
    fig = Figure(figsize=(px / 100, h / 100))
    ax = fig.add_axes((0, 0, 1, 1))
    density_background(ax, xx, yy, logp, clip=True, alpha=1.0)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_axis_off()
    return fig


def path_frame(panels) -> pd.DataFrame:
    """The rows of paths_chart's dataset: panels = [(key, trajectory (steps+1, n, 2))], one row per
    (panel, path i, step k) with the point x, y (float32). frame[frame.i < n] holds n paths."""
    parts = []
    for key, traj in panels:
        tr = np.asarray(traj, dtype=np.float32)
        k, i = np.meshgrid(np.arange(tr.shape[0]), np.arange(tr.shape[1]), indexing="ij")
        parts.append(pd.DataFrame({"panel": key, "i": i.ravel().astype(np.int32), "k": k.ravel().astype(np.int32),
                                   "x": tr[..., 0].ravel(), "y": tr[..., 1].ravel()}))
    frame = pd.concat(parts, ignore_index=True)
    return frame.sort_values(["i", "panel", "k"], kind="stable", ignore_index=True)


GRID_MOST = 3                  # the most panels the paths figure lays in one row
PANEL_SIZES = {1: 320, 2: 320, 3: 240}   # a panel's width (px) at that many columns: three fit the page


def grid_columns(n: int, most: int = GRID_MOST) -> int:
    """Columns for n panels laid out evenly: the fewest rows of at most `most` panels, and as few
    columns as hold them, so that no row holds a lone panel under a full one (3: one row, 4: 2 × 2,
    5: 3 + 2, 6: 3 + 3)."""
    n = max(int(n), 1)
    rows = -(-n // most)
    return -(-n // rows)


def paths_chart(panels, xlim, ylim, background: str, steps: int, pairs=None, size: int = 320,
                ncols: int = 2) -> alt.Chart:
    """paths_figure as a Vega-Lite chart: one panel per (key, title, colour), `ncols` to a row, whose
    paths come from the named dataset PATHS_DATA (path_frame: rows of panel `key`, steps + 1 points
    per path), drawn from noise (hollow circle, step 0) to data (dot, step `steps`) over the density
    image `background` (a PNG's URL, the box xlim × ylim). pairs = (title, x₀ (m, 2), ε (m, 2)) adds
    a first panel of straight segments of independent training pairs. Equal aspect; one legend,
    below the panels. Which paths, and how many, is only the dataset's business."""
    xlim, ylim = [float(v) for v in xlim], [float(v) for v in ylim]
    height = round(size * (ylim[1] - ylim[0]) / (xlim[1] - xlim[0]))
    x = alt.X("x:Q", title="x₁", scale=alt.Scale(domain=xlim, nice=False, zero=False))
    y = alt.Y("y:Q", title="x₂", scale=alt.Scale(domain=ylim, nice=False, zero=False))
    image = pd.DataFrame({"x": [xlim[0]], "y": [ylim[1]], "url": [background]})
    labels = list(LEGEND)
    legend_rows = pd.DataFrame({"x": [xlim[0] - 1.0] * 3, "y": [ylim[0] - 1.0] * 3, "what": labels})
    what = dict(sort=labels, title=None)
    legend = alt.Chart(legend_rows).mark_point(size=45, strokeWidth=1.0, clip=True, opacity=1).encode(
        x=x, y=y,
        fill=alt.Fill("what:N", scale=alt.Scale(domain=labels, range=[v[0] for v in LEGEND.values()]),
                      legend=alt.Legend(orient="bottom", direction="horizontal", labelFontSize=12), **what),
        stroke=alt.Stroke("what:N", scale=alt.Scale(domain=labels, range=[v[1] for v in LEGEND.values()]), **what),
        shape=alt.Shape("what:N", scale=alt.Scale(domain=labels, range=[v[2] for v in LEGEND.values()]), **what))

    def panel(title, layers, opacity):
        if not charts:
            layers = [*layers, legend]                  # the one legend, of the first panel
        bg = alt.Chart(image).mark_image(width=size, height=height, align="left", baseline="top",
                                         aspect=False, opacity=opacity).encode(x=x, y=y, url="url:N")
        return alt.layer(bg, *layers).properties(
            width=size, height=height, title=alt.TitleParams(title.split("\n"), fontSize=13, anchor="middle", fontWeight="normal"))

    charts = []
    if pairs is not None:
        title, x0, eps = pairs
        x0, eps = np.asarray(x0, dtype=float), np.asarray(eps, dtype=float)
        seg = pd.DataFrame({"i": np.repeat(np.arange(len(x0)), 2), "k": np.tile([0, 1], len(x0)),
                            "x": np.stack([x0[:, 0], eps[:, 0]], 1).ravel(),
                            "y": np.stack([x0[:, 1], eps[:, 1]], 1).ravel()})
        base = alt.Chart(seg).encode(x=x, y=y)
        charts.append(panel(title, [
            base.mark_line(color=PAIR_COLOR, strokeWidth=1.3, opacity=0.9, clip=True).encode(detail="i:N", order="k:Q"),
            base.transform_filter("datum.k == 1").mark_point(shape="circle", filled=False, size=22, color="black",
                                                             strokeWidth=0.8, clip=True),
            base.transform_filter("datum.k == 0").mark_circle(size=18, color=PAIR_COLOR, opacity=1, clip=True)], 0.3))
    for key, title, color in panels:
        base = alt.Chart(alt.Data(name=PATHS_DATA)).transform_filter(
            alt.FieldEqualPredicate(field="panel", equal=key)).encode(x=x, y=y)
        charts.append(panel(title, [
            base.mark_line(color=color, clip=True, **PATH_LINE).encode(detail="i:N", order="k:Q"),
            base.transform_filter("datum.k == 0").mark_point(shape="circle", filled=False, size=22, color="black",
                                                             strokeWidth=0.8, clip=True),
            base.transform_filter(f"datum.k == {int(steps)}").mark_circle(size=18, color=color, opacity=1, clip=True)],
            PATHS_BACKGROUND))
    # autosize pad: panels keep their size (Vega-Lite's "fit" works only for single or layered views)
    return alt.concat(*charts, columns=min(ncols, len(charts))).properties(
        autosize=alt.AutoSizeParams(type="pad")).configure_view(stroke="#888")


def paths_figure(panels, xx, yy, logp, xlim, ylim, n_paths: int = 60, pairs=None, ncols: int = 2):
    """One panel per (title, trajectory (steps+1, n, 2), colour), `ncols` to a row: paths from
    noise (hollow circle) to data (dot) over log p₀ contours, in the data's box (paths from far
    away enter from the edge). pairs = (title, x₀ (m, 2), ε (m, 2)) adds a first panel: the
    straight segments of independent training pairs. One legend, below the panels."""
    n = len(panels) + (pairs is not None)
    cols = min(ncols, n)
    rows = -(-n // cols)
    fig = Figure(figsize=(4.4 * cols, 4.3 * rows + 0.5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    axes = list(axes[:n])
    if pairs is not None:
        title, x0, eps = pairs
        ax = axes.pop(0)
        density_background(ax, xx, yy, logp, clip=True, alpha=0.3)
        x0, eps = np.asarray(x0, dtype=float), np.asarray(eps, dtype=float)
        for a, b in zip(x0, eps):
            ax.plot([a[0], b[0]], [a[1], b[1]], color=PAIR_COLOR, lw=1.3, alpha=0.9)
        ax.scatter(eps[:, 0], eps[:, 1], s=14, facecolors="none", edgecolors="black", linewidths=0.6)
        ax.scatter(x0[:, 0], x0[:, 1], s=10, c=PAIR_COLOR)
        square_axes(ax, np.asarray(xlim), np.asarray(ylim), title)
    for ax, (title, traj, color) in zip(axes, panels):
        density_background(ax, xx, yy, logp, clip=True, alpha=PATHS_BACKGROUND)
        tr = np.asarray(traj, dtype=float)[:, :n_paths]
        for i in range(tr.shape[1]):
            ax.plot(tr[:, i, 0], tr[:, i, 1], color=color, lw=PATH_LINE["strokeWidth"], alpha=PATH_LINE["opacity"])
        ax.scatter(tr[0, :, 0], tr[0, :, 1], s=14, facecolors="none", edgecolors="black", linewidths=0.6)
        ax.scatter(tr[-1, :, 0], tr[-1, :, 1], s=10, c=color)
        square_axes(ax, np.asarray(xlim), np.asarray(ylim), title)
    handles = [Line2D([], [], ls="none", marker="o", mfc="none", mec="black", label="start (noise, t = 1)"),
               Line2D([], [], ls="none", marker="o", color="#444", label="end (data, t = 0)"),
               Line2D([], [], color="#444", lw=1.2, label="path")]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=10, frameon=False)
    return fig


def quality_chart(df: pd.DataFrame, height: int = 300, noise: float | None = None,
                  sees: tuple[float, float] | None = None) -> alt.Chart:
    """Sliced W₂ to true samples against velocity evaluations (both log scale), one colour per
    field, solid Heun and dashed Euler: the Sampler lab's chart style. The exact flow's curves
    are drawn last, thinner and with hollow diamonds, and the networks' flows (NET_FIELDS) as
    wide translucent bands under them, so where the two lie on each other both stay visible.
    noise: the measure's own value for true samples against true samples (true samples' level),
    a grey dotted rule. sees = (line, band): the line above which sliced W₂ sees a field miss
    (true samples' level + their spread, flow.sees_line), a darker dashed rule, and its edge
    line ± band (flow.sees_band), lightly shaded. All drawn first, inside the y domain. Columns
    "off" and "reading" (flow.with_readings: "match", "at the edge", "miss"), where present, join
    each point's tooltip, so a point near the band can be checked."""
    d = df[np.isfinite(df["sw2"].to_numpy(dtype=float)) & (df["sw2"] > 0)].copy()
    d["integrator"] = d["method"].map({"euler": "Euler", "heun": "Heun"})
    fields = [f for f in FIELD_COLORS if f in set(d["field"])]
    v, nfe = d["sw2"].to_numpy(dtype=float), d["nfe"].to_numpy(dtype=float)
    guides = _guide_rows(noise, sees)
    v = np.append(v, guides[["sw2", "lo", "hi"]].to_numpy(dtype=float).ravel())
    lo, hi = (float(v.min()) / 1.4, float(v.max()) * 1.4) if v.size else (0.01, 10.0)
    x_lo, x_hi = (float(nfe.min()) / 1.3, float(nfe.max()) * 1.3) if nfe.size else (1.0, 100.0)
    enc = dict(
        x=alt.X("nfe:Q", title="velocity evaluations (NFE, log scale)",
                scale=alt.Scale(type="log", domain=[x_lo, x_hi], nice=False),
                axis=alt.Axis(values=[u for u in _NICE if x_lo <= u <= x_hi], format="~g")),
        y=alt.Y("sw2:Q", title="sliced W₂ to true samples (log scale)",
                scale=alt.Scale(type="log", domain=[lo, hi], nice=False),
                axis=alt.Axis(values=[u for u in _NICE if lo <= u <= hi], format="~g")),
        color=alt.Color("field:N", title="velocity field", sort=fields,
                        scale=alt.Scale(domain=fields, range=[FIELD_COLORS[f] for f in fields]),
                        legend=alt.Legend(orient="right", labelFontSize=12, titleFontSize=12,
                                          symbolStrokeWidth=3)),
        detail="method:N",
        tooltip=["field:N", "integrator:N", alt.Tooltip("steps:Q"), alt.Tooltip("nfe:Q", title="NFE"),
                 alt.Tooltip("sw2:Q", title="sliced W₂", format=".4f")]
        + [alt.Tooltip(c, title=t) for c, t in (("off:Q", "samples off every mode"),
                                                ("reading:N", "against true samples")) if c[:-2] in d])
    dash = alt.StrokeDash("integrator:N", title="integrator", sort=["Heun", "Euler"],
                          scale=alt.Scale(domain=["Heun", "Euler"], range=METHOD_DASHES),
                          legend=alt.Legend(orient="right", labelFontSize=12, titleFontSize=12,
                                            symbolType="stroke", symbolSize=600, symbolStrokeWidth=2.5,
                                            symbolStrokeColor="#444"))
    # the points' shapes share the colour legend (same field, same title): a diamond there too
    shape = alt.Shape("field:N", title="velocity field", sort=fields,
                      scale=alt.Scale(domain=fields, range=["diamond" if f == TOP_FIELD else "circle"
                                                            for f in fields]))
    layers = _guide_layers(guides, alt.Scale(type="log", domain=[lo, hi], nice=False))
    nets = d["field"].isin(NET_FIELDS)
    filled = dict(filled=True, size=50)
    for part, line, point in ((d[~nets & (d["field"] != TOP_FIELD)], dict(strokeWidth=2.2), filled),
                              (d[nets], NET_LINE, filled),
                              (d[d["field"] == TOP_FIELD], dict(strokeWidth=1.3), TOP_POINT)):
        if len(part):
            base = alt.Chart(part).encode(**enc)
            layers += [base.mark_line(**line).encode(strokeDash=dash),
                       base.mark_point(**point).encode(shape=shape)]
    return alt.layer(*layers).properties(height=height)


GUIDE_LEVEL = "true samples' level (true against true)"
GUIDE_SEES = "true samples' level + their spread: above it sliced W₂ sees a field miss"
GUIDE_EDGE = "at the edge: within half the spread of that line"


def _guide_rows(noise: float | None, sees: tuple[float, float] | None) -> pd.DataFrame:
    """quality_chart's guides, one row each (what, sw2, lo, hi): true samples' level (noise) and
    the line above which sliced W₂ sees a field miss (sees[0]) with its edge band
    sees[0] ± sees[1] (lo, hi). Only positive, finite values (a log axis)."""
    rows = []
    if noise is not None and math.isfinite(noise) and noise > 0:
        rows.append({"what": GUIDE_LEVEL, "sw2": noise, "lo": noise, "hi": noise})
    if sees is not None and all(math.isfinite(x) for x in sees) and sees[0] - sees[1] > 0:
        line, band = float(sees[0]), float(sees[1])
        rows += [{"what": GUIDE_SEES, "sw2": line, "lo": line, "hi": line},
                 {"what": GUIDE_EDGE, "sw2": line, "lo": line - band, "hi": line + band}]
    return pd.DataFrame(rows, columns=["what", "sw2", "lo", "hi"])


def _guide_layers(guides: pd.DataFrame, scale: alt.Scale) -> list:
    """The layers of _guide_rows: the edge band (a light grey rect from lo to hi), true samples'
    level (grey dotted rule) and the sees line (darker dashed rule), each with a tooltip."""
    tip = ["what:N", alt.Tooltip("sw2:Q", title="sliced W₂", format=".3f"),
           alt.Tooltip("lo:Q", title="from", format=".3f"), alt.Tooltip("hi:Q", title="to", format=".3f")]
    marks = {GUIDE_EDGE: lambda c: c.mark_rect(color="#888", opacity=0.15).encode(
                 y=alt.Y("lo:Q", scale=scale), y2="hi:Q", tooltip=tip),
             GUIDE_LEVEL: lambda c: c.mark_rule(color="#888", strokeDash=[2, 3], strokeWidth=1.5).encode(
                 y=alt.Y("sw2:Q", scale=scale), tooltip=tip[:2]),
             GUIDE_SEES: lambda c: c.mark_rule(color="#555", strokeDash=[7, 4], strokeWidth=1.5).encode(
                 y=alt.Y("sw2:Q", scale=scale), tooltip=tip[:2])}
    return [marks[w](alt.Chart(guides[guides["what"] == w])) for w in (GUIDE_EDGE, GUIDE_LEVEL, GUIDE_SEES)
            if (guides["what"] == w).any()]


def error_chart(df: pd.DataFrame, height: int = 260) -> alt.Chart:
    """Mean squared velocity error against t (log y), one line per network: a plot `height` pixels
    tall (autosize fit-x: the width fits the column, the axes and the legend are added below), y ticks from log_ticks, and
    an x axis from the first t drawn to the last."""
    d = df[np.isfinite(df["mse"].to_numpy(dtype=float)) & (df["mse"] > 0)]
    fields = [f for f in FIELD_COLORS if f in set(d["field"])]
    v, t = d["mse"].to_numpy(dtype=float), d["t"].to_numpy(dtype=float)
    lo, hi = (float(v.min()) / 1.4, float(v.max()) * 1.4) if v.size else (1e-4, 1.0)
    t_lo, t_hi = (float(t.min()), float(t.max())) if t.size else (0.0, 1.0)
    return alt.Chart(d).mark_line(point=True, strokeWidth=2.2).encode(
        x=alt.X("t:Q", title="time t (0 = data, 1 = noise)",
                scale=alt.Scale(domain=[t_lo, t_hi], nice=False, zero=False), axis=alt.Axis(format="~g")),
        y=alt.Y("mse:Q", title="squared error (log scale)",
                scale=alt.Scale(type="log", domain=[lo, hi], nice=False),
                axis=alt.Axis(values=log_ticks(lo, hi) or None, format="~g", labelFontSize=12,
                              titleFontSize=12)),
        color=alt.Color("field:N", title="network", sort=fields,
                        scale=alt.Scale(domain=fields, range=[FIELD_COLORS[f] for f in fields]),
                        legend=alt.Legend(orient="bottom", labelFontSize=12, symbolStrokeWidth=3)),
        tooltip=["field:N", alt.Tooltip("t:Q", format=".2f"), alt.Tooltip("mse:Q", format=".4g")],
    ).properties(height=height, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


def straight_label(s: float) -> str:
    return f"straightness {s:.3f}" if math.isfinite(s) else "straightness: n/a"
