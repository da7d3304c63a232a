"""Figures of the Guidance page. Pure: arrays in, Altair charts / matplotlib Figures out."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from matplotlib.figure import Figure

from dashboard.figures.common import TRUTH_COLOR, new_figure, outside, square_axes
from dashboard.figures.background import density_background

__all__ = ["samples_figure", "samples_background", "samples_chart", "sample_frame", "sweep_chart", "at_w", "fields_figure", "arrow_scale", "SOURCE_COLORS", "METRICS", "fields_background", "fields_chart", "arrow_frame", "NOISE_K", "TRUTH_DASH", "W_DASH", "W_WORDS",
           "TRUTH", "clip_floor", "left_out", "left_out_counts", "HOLLOW_WORDS", "outside", "log_ticks"]

TRUTH = "true samples of p(x | y)"
SOURCE_COLORS = {TRUTH: TRUTH_COLOR, "exact CFG": "#d62728", "learned CFG": "#1f77b4"}
OTHER_CLASS_LINE = "#555555"   # the samples panels' boundary of where another class is more likely
TRUTH_DASH = [6, 3]  # the sweep chart's truth line: dashed, drawn over the curves
W_DASH, W_COLOR = [1, 3], "#555555"   # the sweep chart's vertical line at the chosen w: dotted, grey
W_WORDS = "Grey dotted vertical line: the w chosen above"   # its words in the chart's caption
NOISE_K = 2.0        # the truth band: mean +- NOISE_K standard deviations of the truth-vs-truth noise
# column -> (chart title, what it measures, y scale)
METRICS = {
    "spread_ratio": ("spread ÷ the class's true spread (log scale)", "diversity: spread", "log"),
    "leak": ("share where another class is more likely", "fidelity: leak", "linear"),
    "logp_class": ("mean log p₀(x | y) of the samples", "fidelity: log-likelihood", "linear"),
}
# the y axes' tick formats. The log-likelihood axis is in fixed point ("f"): Vega-Lite takes the
# decimals from the tick step, so its ticks read −10, −800 or −2.85; "~g" took one significant
# digit from a step of 10 and read "−1e+1"
AXIS_FORMATS = {"spread_ratio": "~g", "leak": "%", "logp_class": ",~f"}
RULE_FIELD = "chosen_w"   # the field of the dashed rule's one-row data (at_w moves it)
LOG_PAD = 1.25       # a log axis reaches this factor beyond its lowest and highest values
LOGP_DEPTH = 10.0    # the log p chart shows at least this many nats below the truth's mean


def clip_floor(truth_mean: float, truth_sd: float) -> float:
    """The lowest mean log p₀(x | y) the sweep chart draws: LOGP_DEPTH nats (or 10 noise levels,
    if larger) below the truth's mean; lower values are drawn at this floor, as triangles."""
    return float(truth_mean - max(LOGP_DEPTH, 10 * truth_sd))


def log_ticks(lo: float, hi: float, most: int = 7) -> list[float]:
    """Tick values of a log axis from lo to hi (0 < lo < hi), at most `most` of them, 1 always
    among them when it is in range (the truth's spread ratio): on a narrow range (hi / lo < 4)
    multiples of the smallest of 0.01, 0.02, 0.05, ... that fits; else per decade 1-2-3-5, 1-2-5,
    1-3 or powers of ten, the first that fits (1-2-3-5 first, so a range ending just below 4 still
    gets a tick near its top, not only 1 and 2)."""
    if hi / lo < 4:
        for step in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0):
            ticks = [round(k * step, 2) for k in range(int(np.ceil(lo / step)), int(np.floor(hi / step)) + 1)]
            if len(ticks) <= most:
                return ticks
    lo_e, hi_e = int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi)))
    for mantissas in ((1, 2, 3, 5), (1, 2, 5), (1, 3), (1,)):
        ticks = [float(f"{m}e{e}") for e in range(lo_e, hi_e + 1) for m in mantissas]
        ticks = [t for t in ticks if lo <= t <= hi]
        if len(ticks) <= most:
            break
    return ticks


def _contours(ax, xx, yy, logp):
    density_background(ax, xx, yy, logp, clip=True)


def samples_figure(panels, xx, yy, logp_class, xlim, ylim, other=None):
    """One panel per (title, samples (n, 2), colour) over the contours of log p₀(x | y), side by
    side (three panels at most). other (same shape as xx, boolean): where another class is more
    likely, hatched behind a dashed boundary."""
    fig, axes = new_figure(4.0, 4.1, ncols=len(panels))
    axes = np.atleast_1d(axes)
    for ax, (title, x, color) in zip(axes, panels):
        _contours(ax, xx, yy, logp_class)
        _other_region(ax, xx, yy, other)
        x = np.asarray(x, dtype=float)
        x = x[np.isfinite(x).all(1)]
        ax.scatter(x[:, 0], x[:, 1], s=7, c=color, alpha=0.6, linewidths=0)
        square_axes(ax, np.asarray(xlim), np.asarray(ylim), title)
    return fig


SAMPLES_DATA = "guidance_samples"   # samples_chart's named dataset: columns panel, x, y (sample_frame)


def _other_region(ax, xx, yy, other):
    """samples_figure's region where another class is more likely: hatched behind a dashed line."""
    if other is not None and np.any(other):
        region = np.asarray(other, dtype=float)
        hatched = ax.contourf(xx, yy, region, levels=[0.5, 1.5], colors="none", hatches=["///"])
        hatched.set_hatchcolor(OTHER_CLASS_LINE)
        hatched.set_hatch_linewidth(0.6)
        ax.contour(xx, yy, region, levels=[0.5], colors=OTHER_CLASS_LINE, linewidths=1.0,
                   linestyles="dashed")


def samples_background(xx, yy, logp_class, xlim, ylim, other=None, px: int = 400) -> Figure:
    """What samples_figure draws under the samples of every panel, alone: the contours of
    log p₀(x | y) and, where another class is more likely (other), the hatched region behind its
    dashed boundary; no axes or margins, px pixels wide at dpi 100, exactly the box xlim × ylim.
    samples_chart lays its PNG under the samples."""
    h = px * (ylim[1] - ylim[0]) / (xlim[1] - xlim[0])
    fig = Figure(figsize=(px / 100, h / 100))
    ax = fig.add_axes((0, 0, 1, 1))
    _contours(ax, xx, yy, logp_class)
    _other_region(ax, xx, yy, other)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_axis_off()
    return fig


def sample_frame(panels) -> pd.DataFrame:
    """samples_chart's dataset: panels = [(key, samples (n, 2))] as rows panel, x, y (float32),
    the finite samples of each panel."""
    parts = []
    for key, x in panels:
        x = np.asarray(x, dtype=np.float32)
        x = x[np.isfinite(x).all(1)]
        parts.append(pd.DataFrame({"panel": key, "x": x[:, 0], "y": x[:, 1]}))
    return pd.concat(parts, ignore_index=True)


def samples_chart(panels, xlim, ylim, background: str, size: int | None = None) -> alt.Chart:
    """samples_figure as a Vega-Lite chart: one panel per (key, title, colour), side by side, whose
    samples come from the named dataset SAMPLES_DATA (sample_frame: rows of panel `key`), drawn
    over the image `background` (samples_background's PNG, as a URL, over the box xlim × ylim).
    Equal aspect, shared limits; samples outside the box are not drawn. size: each panel's width
    (default: 320 for two panels, 215 for three, which fit the page's column side by side); the x₂
    axis title on the first panel only."""
    size = size or (320 if len(panels) < 3 else 215)
    xlim, ylim = [float(v) for v in xlim], [float(v) for v in ylim]
    height = round(size * (ylim[1] - ylim[0]) / (xlim[1] - xlim[0]))
    x = alt.X("x:Q", title="x₁", scale=alt.Scale(domain=xlim, nice=False, zero=False))
    image = pd.DataFrame({"x": [xlim[0]], "y": [ylim[1]], "url": [background]})
    charts = []
    for n, (key, title, color) in enumerate(panels):
        y = alt.Y("y:Q", title="x₂" if n == 0 else None, scale=alt.Scale(domain=ylim, nice=False, zero=False))
        bg = alt.Chart(image).mark_image(width=size, height=height, align="left", baseline="top",
                                         aspect=False).encode(x=x, y=y, url="url:N")
        dots = alt.Chart(alt.Data(name=SAMPLES_DATA)).transform_filter(
            alt.FieldEqualPredicate(field="panel", equal=key)).mark_circle(
            size=12, color=color, opacity=0.6, clip=True).encode(x=x, y=y)
        charts.append(alt.layer(bg, dots).properties(
            width=size, height=height, title=alt.TitleParams(title, fontSize=13, anchor="middle",
                                                             fontWeight="normal")))
    # autosize pad: panels keep their size (Vega-Lite's "fit" works only for single or layered views)
    return alt.hconcat(*charts, spacing=16).properties(
        autosize=alt.AutoSizeParams(type="pad")).configure_view(stroke="#888")


def _panel(df: pd.DataFrame, truth: dict, col: str, sources) -> tuple:
    """One sweep panel's data (d: w, value, shown, clipped, source, and left_out of n: the learned
    samples left out of the point, left_out_counts, 0 for exact CFG, of the n samples drawn at that w
    (the table's n or learned_n; 0 where the table lacks it), of every curve in sources),
    its truth band (lo, hi: mean ± NOISE_K sd, the log panel's floored at mean / 10), its y domain
    (every value drawn and the band, LOG_PAD beyond on a log axis, 6 % of the range on a linear one)
    and its clipping note (None where no value lies below clip_floor)."""
    _, _, scale = METRICS[col]
    mean, sd = truth[col]
    lo_band, hi_band = mean - NOISE_K * sd, mean + NOISE_K * sd
    d = pd.concat([pd.DataFrame({"w": df["w"], "value": df[prefix + col], "source": name,
                                 "left_out": left_out_counts(df) if prefix else 0,
                                 "n": df[prefix + "n"] if prefix + "n" in df else 0})
                   for name, prefix in sources if prefix + col in df], ignore_index=True)
    d = d[np.isfinite(d["value"].to_numpy(dtype=float))].copy()
    d["shown"] = d["value"]
    d["clipped"] = False
    note = None
    if col == "logp_class":
        floor = clip_floor(mean, sd)
        d["clipped"] = d["value"] < floor
        d.loc[d["clipped"], "shown"] = floor
        note = f"▼: below {floor:.1f}, drawn at the edge" if d["clipped"].any() else None
    if scale == "log":
        d = d[d["shown"] > 0]
        lo_band = max(lo_band, mean / 10)
    v = np.r_[d["shown"].to_numpy(dtype=float), lo_band, hi_band]
    if scale == "log":
        domain = [float(v.min()) / LOG_PAD, float(v.max()) * LOG_PAD]
    else:
        pad = 0.06 * max(float(v.max() - v.min()), 1e-3)
        domain = [float(v.min()) - pad, float(v.max()) + pad]
        if col == "leak":
            domain = [max(-0.02, domain[0]), min(1.02, domain[1])]
    return d, lo_band, hi_band, domain, note


HOLLOW_WORDS = "measured on the samples kept, some left out"   # what a hollow learned point is (left_out_counts)


def left_out(row) -> int:
    """How many of a guidance table row's learned samples land outside the data's box and are left
    out of its learned measures (learned_n − learned_kept); 0 for a row without the counts."""
    return int(row["learned_n"]) - int(row["learned_kept"]) if "learned_kept" in row and "learned_n" in row else 0


def left_out_counts(df: pd.DataFrame) -> np.ndarray:
    """left_out of each row of a guidance table. sweep_chart draws a point measured with samples
    left out hollow."""
    return np.array([left_out(r) for _, r in df.iterrows()], dtype=int)


SWEEP_HEIGHT = 170      # the sweep panels' plot height (px)
MIN_BAND_PX = 3.0       # a truth band thinner than this on its panel hides under the dashed line


def band_heights(df: pd.DataFrame, truth: dict, learned: bool, height: int = SWEEP_HEIGHT) -> dict:
    """{column: pixels} of each sweep panel's truth band as sweep_chart draws it: its share of the
    panel's y domain (in log10 on a log axis) × the plot height."""
    sources = [("exact CFG", "")] + ([("learned CFG", "learned_")] if learned else [])
    out = {}
    for col, (_, _, scale) in METRICS.items():
        _, lo, hi, (a, b), _ = _panel(df, truth, col, sources)
        f = np.log10 if scale == "log" else (lambda x: x)
        out[col] = height * float(f(hi) - f(lo)) / float(f(b) - f(a))
    return out


def sweep_chart(df: pd.DataFrame, truth: dict, w_now: float, learned: bool, width: int = 230,
                height: int = SWEEP_HEIGHT) -> alt.Chart:
    """Diversity (spread ratio, log scale) and fidelity (leak, mean log p₀(x | y)) against w: one
    small chart per measure, exact CFG (and learned CFG) as lines, the truth (true samples of
    p(x | y): truth[col] = (mean, sd)) as a green band of +- NOISE_K sd under the curves and its
    mean as a green dashed line over them (visible where a curve runs along it), a grey dotted
    rule at the chosen w (W_DASH, told by W_WORDS). Mean log p values below clip_floor are drawn at the floor as triangles.
    A learned point measured with samples left out (left_out_counts > 0) is drawn hollow
    (HOLLOW_WORDS), its count in its tooltip."""
    sources = [("exact CFG", "")] + ([("learned CFG", "learned_")] if learned else [])
    names = [TRUTH] + [s for s, _ in sources]
    color = alt.Color("source:N", title=None, scale=alt.Scale(
        domain=names, range=[SOURCE_COLORS[s] for s in names]),
        legend=alt.Legend(orient="bottom", labelFontSize=12, symbolStrokeWidth=3, labelLimit=300))
    charts = []
    for col, (title, kind, scale) in METRICS.items():
        mean = truth[col][0]
        d, lo_band, hi_band, domain, note = _panel(df, truth, col, sources)
        # a log scale has no zero: Vega-Lite warns when the property is given at all
        yscale = dict(type=scale, domain=domain, nice=False, **({} if scale == "log" else {"zero": False}))
        ticks = {"values": log_ticks(*domain)} if scale == "log" else {}
        y = alt.Y("shown:Q", title=None, scale=alt.Scale(**yscale),
                  axis=alt.Axis(format=AXIS_FORMATS[col], **ticks))
        band = pd.DataFrame({"lo": [lo_band], "hi": [hi_band], "mean": [mean], "source": [TRUTH]})
        truth_band = alt.Chart(band).mark_rect(opacity=0.18, color=TRUTH_COLOR).encode(
            y=alt.Y("lo:Q", scale=alt.Scale(**yscale)), y2="hi:Q")
        # the truth's mean is drawn dashed over the curves: where exact CFG matches the truth its
        # red line runs along the green one, which would else lie hidden under it
        truth_line = alt.Chart(band).mark_rule(strokeWidth=2, strokeDash=TRUTH_DASH).encode(
            y=alt.Y("mean:Q", scale=alt.Scale(**yscale)), color=color)
        tips = ["source:N", alt.Tooltip("w:Q"), alt.Tooltip("value:Q", format=".3f")]
        if learned:
            tips += [alt.Tooltip("left_out:Q", title="samples left out"), alt.Tooltip("n:Q", title="of")]
        enc = dict(x=alt.X("w:Q", title="guidance scale w"), y=y, color=color, tooltip=tips)
        shape = alt.Shape("clipped:N", scale=alt.Scale(domain=[False, True], range=["circle", "triangle-down"]),
                          legend=None)
        # a point measured on the samples kept, some left out, is drawn hollow (HOLLOW_WORDS); a layer
        # only where it has points (an empty one gives Vega an infinite extent)
        layers = truth_band + alt.Chart(d).encode(**enc).mark_line(strokeWidth=2.2)
        for part, mark in ((d[d["left_out"] == 0], dict(filled=True, size=45)),
                           (d[d["left_out"] > 0], dict(filled=False, size=60, strokeWidth=2))):
            if len(part):
                layers += alt.Chart(part).encode(**enc).mark_point(**mark).encode(shape=shape)
        rule = alt.Chart(alt.InlineData(values=[{RULE_FIELD: float(w_now)}])).mark_rule(
            strokeDash=W_DASH, color=W_COLOR, strokeWidth=1.5).encode(x=alt.X(f"{RULE_FIELD}:Q"))
        charts.append((layers + truth_line + rule)
                      .properties(width=width, height=height,
                                  title=alt.TitleParams([kind, title] + ([note] if note else []),
                                                        anchor="start", fontSize=12)))
    return alt.hconcat(*charts).resolve_scale(color="shared", y="independent").properties(
        autosize=alt.AutoSizeParams(type="pad"))


def at_w(spec: dict, w: float) -> dict:
    """A copy of a sweep_chart spec (common.chart_spec) with its dashed rule moved to w: the chart
    is built once per table, and a new w only edits the rule's one-row data."""
    def walk(node):
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            if len(node) == 1 and isinstance(node[0], dict) and set(node[0]) == {RULE_FIELD}:
                return [{RULE_FIELD: float(w)}]
            return [walk(v) for v in node]
        return node
    return walk(spec)


COND_WIDTH, GUIDED_WIDTH = 0.008, 0.003     # quiver shaft widths (share of the axes' width)


def arrow_scale(f: dict) -> float:
    """The score length fields_figure draws as one grid spacing: the longer field's 90th-percentile
    arrow length (f: guided and cond, (n, n, 2))."""
    return max(float(np.percentile(np.hypot(v[..., 0], v[..., 1]), 90)) for v in (f["guided"], f["cond"])) or 1.0


def fields_figure(f: dict, w: float, t: float, label: str, other_level: float = 0.5):
    """Guided score s_w (red) and conditional score s(. | y) (blue) at time t on the same grid,
    over log pₜ(x | y); arrows scaled together (the same length means the same size), the longer
    field's 90th-percentile length drawn as one grid spacing (long red arrows at large w do not
    run into each other). Dashed: pₜ(y | x) = other_level (f["post"]), beyond which another class
    is more likely, where the panel holds both sides of it."""
    fig, ax = new_figure(6.4, 5.6)
    _contours(ax, f["fx"], f["fy"], f["logp"])
    g, c = f["guided"], f["cond"]
    scale = arrow_scale(f)
    span = float(f["xx"].max() - f["xx"].min()) / f["xx"].shape[0]
    k = span / scale
    # blue wide underneath, red thin on top: where the two fields agree, a blue rim stays visible
    # around every red arrow (same widths they covered the blue entirely)
    ax.quiver(f["xx"], f["yy"], c[..., 0] * k, c[..., 1] * k, color="#1f77b4", angles="xy",
              scale_units="xy", scale=1, width=COND_WIDTH, headwidth=3.5, headlength=4.5,
              headaxislength=4, label="conditional score s(x, t | y)")
    ax.quiver(f["xx"], f["yy"], g[..., 0] * k, g[..., 1] * k, color="#d62728", angles="xy",
              scale_units="xy", scale=1, width=GUIDED_WIDTH, label=f"guided score, w = {w:g}")
    post = np.asarray(f["post"])
    if post.min() < other_level < post.max():
        ax.contour(f["xx"], f["yy"], post, levels=[other_level], colors="k", linestyles="--", linewidths=1.0)
        ax.plot([], [], "k--", lw=1.0, label=f"pₜ(y | x) = {other_level:g}: beyond it another class is more likely")
    ax.set_xlim(float(f["fx"].min()), float(f["fx"].max()))
    ax.set_ylim(float(f["fy"].min()), float(f["fy"].max()))
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(f"{label} at t = {t:.2f} (grey: log pₜ(x | y))", fontsize=11)
    fig.legend(loc="outside lower center", ncols=2, fontsize=9, frameon=False)
    return fig


FIELD_COLORS = ("#1f77b4", "#d62728")     # the conditional (blue) and the guided (red) score
FIELDS_DATA = "guidance_arrows"           # fields_chart's named dataset (arrow_frame)
LEGEND_BELOW = 58                         # fields_chart's legends start this many pixels below the plot
HEAD_FULL = 0.5                           # arrows this share of a grid spacing long, or longer, get a full head


def fields_background(f: dict, px: int = 420, other_level: float = 0.5) -> Figure:
    """What fields_figure draws under its arrows, alone: the contours of log pₜ(x | y) and the
    dashed line pₜ(y | x) = other_level where the panel holds both sides of it; no axes or
    margins, px pixels wide at dpi 100, exactly the box of f["fx"], f["fy"]. fields_chart lays
    its PNG under the arrows (it depends on t, not on w)."""
    xlim = (float(f["fx"].min()), float(f["fx"].max()))
    ylim = (float(f["fy"].min()), float(f["fy"].max()))
    fig = Figure(figsize=(px / 100, px * (ylim[1] - ylim[0]) / (xlim[1] - xlim[0]) / 100))
    ax = fig.add_axes((0, 0, 1, 1))
    _contours(ax, f["fx"], f["fy"], f["logp"])
    post = np.asarray(f["post"])
    if post.min() < other_level < post.max():
        ax.contour(f["xx"], f["yy"], post, levels=[other_level], colors="k", linestyles="--", linewidths=1.2)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_axis_off()
    return fig


def field_names(w) -> tuple[str, str]:
    """The legend's names of the conditional and the guided score, as fields_figure's (w: a
    number, or the words to write for it)."""
    return "conditional score s(x, t | y)", f"guided score, w = {w if isinstance(w, str) else f'{w:g}'}"


def arrow_frame(f: dict, w: float) -> pd.DataFrame:
    """fields_chart's arrows: one row per grid point and field (the conditional score first, the
    guided on top), from x, y to x2, y2 at fields_figure's shared scale (arrow_scale: one grid
    spacing), the heading of the arrow head in degrees clockwise from up (Vega-Lite's angle), and
    its area as a share of the full head's (head: arrows shorter than HEAD_FULL of a grid spacing get
    smaller heads, as quiver's do, so short arrows do not read as a field of triangles)."""
    k = float(f["xx"].max() - f["xx"].min()) / f["xx"].shape[0] / arrow_scale(f)
    parts = []
    for name, v in zip(field_names(w), (f["cond"], f["guided"])):
        u = np.asarray(v, dtype=float).reshape(-1, 2) * k
        x, y = np.asarray(f["xx"], dtype=float).ravel(), np.asarray(f["yy"], dtype=float).ravel()
        drawn = np.hypot(u[:, 0], u[:, 1]) * f["xx"].shape[0] / float(f["xx"].max() - f["xx"].min())
        parts.append(pd.DataFrame({"field": name, "x": x, "y": y, "x2": x + u[:, 0], "y2": y + u[:, 1],
                                   "angle": (90.0 - np.degrees(np.arctan2(u[:, 1], u[:, 0]))) % 360.0,
                                   "head": np.clip(drawn / HEAD_FULL, 0.0, 1.0) ** 2}))
    return pd.concat(parts, ignore_index=True)


def fields_chart(xlim, ylim, background: str, names: tuple[str, str], title: str, dashed: str | None,
                 size: int = 340) -> alt.Chart:
    """fields_figure as a Vega-Lite chart: the arrows of the named dataset FIELDS_DATA (arrow_frame:
    field, x, y, x2, y2, angle), the conditional score (names[0]) blue and wide underneath, the
    guided score (names[1]) red and thin on top, each a shaft and a head, over the image
    `background` (fields_background's PNG, the box xlim × ylim). dashed: the legend's words for the
    background's dashed line (None: not drawn). The legends below the panel, one entry a line."""
    xlim, ylim = [float(v) for v in xlim], [float(v) for v in ylim]
    height = round(size * (ylim[1] - ylim[0]) / (xlim[1] - xlim[0]))
    x = alt.X("x:Q", title="x₁", scale=alt.Scale(domain=xlim, nice=False, zero=False))
    y = alt.Y("y:Q", title="x₂", scale=alt.Scale(domain=ylim, nice=False, zero=False))
    color = alt.Color("field:N", title=None, scale=alt.Scale(domain=list(names), range=list(FIELD_COLORS)),
                      legend=alt.Legend(orient="none", legendX=0, legendY=height + LEGEND_BELOW,
                                        direction="vertical", labelFontSize=12, labelLimit=500,
                                        symbolType="stroke", symbolStrokeWidth=3))
    layers = [alt.Chart(pd.DataFrame({"x": [xlim[0]], "y": [ylim[1]], "url": [background]})).mark_image(
        width=size, height=height, align="left", baseline="top", aspect=False).encode(x=x, y=y, url="url:N")]
    for name, shaft, head in ((names[0], 3.0, 60), (names[1], 1.2, 24)):
        base = alt.Chart(alt.Data(name=FIELDS_DATA)).transform_filter(
            alt.FieldEqualPredicate(field="field", equal=name))
        layers.append(base.mark_rule(strokeWidth=shaft, clip=True).encode(x=x, y=y, x2="x2:Q", y2="y2:Q",
                                                                          color=color))
        layers.append(base.mark_point(shape="triangle-up", filled=True, opacity=1, clip=True).encode(
            x=alt.X("x2:Q", scale=alt.Scale(domain=xlim, nice=False, zero=False)),
            y=alt.Y("y2:Q", scale=alt.Scale(domain=ylim, nice=False, zero=False)),
            angle=alt.Angle("angle:Q", scale=None), color=color,
            size=alt.Size("head:Q", scale=alt.Scale(domain=[0, 1], range=[0, head]), legend=None)))
    if dashed:
        rows = pd.DataFrame({"x": [xlim[0] - 1.0, xlim[0] - 2.0], "y": [ylim[0] - 1.0] * 2, "what": [dashed] * 2})
        layers.append(alt.Chart(rows).mark_line(color="black", strokeDash=[5, 3], clip=True).encode(
            x=x, y=y, strokeDash=alt.StrokeDash("what:N", title=None, scale=alt.Scale(range=[[5, 3]]),
                                                legend=alt.Legend(orient="none", legendX=0,
                                                                  legendY=height + LEGEND_BELOW + 40,
                                                                  labelFontSize=12, labelLimit=500,
                                                                  symbolType="stroke"))))
    # autosize pad: the plot keeps size × height (the background image's own pixels), the legend and
    # title are added around it (Streamlit otherwise fits the whole chart into that box)
    # each field's heads keep their own size range (a shared size scale would take the first's)
    return alt.layer(*layers).resolve_scale(size="independent").properties(
        width=size, height=height, title=alt.TitleParams(title, fontSize=13, anchor="middle", fontWeight="normal"),
        autosize=alt.AutoSizeParams(type="pad")).configure_view(stroke="#888")
