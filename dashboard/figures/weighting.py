"""Figures of the classroom-lab page "Loss weighting lab".

Pure functions: DataFrames in, Altair charts out.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .common import log_domain, log_ticks

WEIGHTING_COLORS = {"sigma2": "#1f77b4", "uniform": "#ff7f0e", "g2": "#9467bd"}
WEIGHTING_LABELS = {"sigma2": "γₜ = σₜ² (the tutorial's)", "uniform": "γₜ = 1", "g2": "γₜ = g(t)²"}


def _weighting_color(order):
    labels = [WEIGHTING_LABELS.get(w, w) for w in order]
    return labels, [WEIGHTING_COLORS.get(w, "#7f7f7f") for w in order]


WEIGHTING_DASHES = {"sigma2": [1, 0], "uniform": [7, 4], "g2": [2, 3]}
WEIGHTING_SHAPES = {"sigma2": "circle", "uniform": "square", "g2": "triangle-up"}


# what the score-error chart draws, by error_by_t's column: (its words in the title, the y axis's)
ERROR_VIEWS = {"mse": ("score error", "score error E‖sθ − ∇log pₜ‖²/d"),
               "scaled": ("σₜ² × score error", "σₜ² × score error")}


def weighting_error_chart(df: pd.DataFrame, eps: float | None = None, view: str = "mse",
                          height: int = 400) -> alt.Chart:
    """Score error against t, one line per weighting: df with columns t, error, weighting
    (keys of WEIGHTING_LABELS); log-log. Each weighting has its own dash and its own open marker,
    so a curve that runs on top of another still shows (and the legend shows both). A dashed rule
    marks eps (no training time below it), its words above the plot area, off the data and the axis.
    The legend shows each weighting's marker. view: the key of ERROR_VIEWS that df's error is
    (the score error, or σₜ² × it), named in the title and on the y axis."""
    words, y_title = ERROR_VIEWS[view]
    order = list(dict.fromkeys(df["weighting"]))
    labels, colors = _weighting_color(order)
    d = df.assign(label=df["weighting"].map(lambda w: WEIGHTING_LABELS.get(w, w)))
    d = d.assign(dash=d["label"])          # its own field: the legend (markers) does not draw the dashes
    legend = alt.Legend(title=None, orient="top", columns=2, labelLimit=300, symbolSize=90, symbolStrokeWidth=2)
    base = alt.Chart(d).encode(
        x=alt.X("t:Q", title="diffusion time t (log scale)", scale=alt.Scale(type="log")),
        y=alt.Y("error:Q", title=f"{y_title} (log scale)",
                scale=alt.Scale(type="log", domain=log_domain(d["error"], 1.5)),
                axis=alt.Axis(values=log_ticks(log_domain(d["error"], 1.5)))),
        color=alt.Color("label:N", sort=labels, scale=alt.Scale(domain=labels, range=colors), legend=legend),
        tooltip=[alt.Tooltip("label:N", title="weighting"), alt.Tooltip("t:Q", format=".3g"),
                 alt.Tooltip("error:Q", format=".3g")])
    lines = base.mark_line(strokeWidth=1.8).encode(
        strokeDash=alt.StrokeDash("dash:N", sort=labels, legend=None, scale=alt.Scale(
            domain=labels, range=[WEIGHTING_DASHES.get(w, [1, 0]) for w in order])))
    points = base.mark_point(size=45, filled=False, strokeWidth=1.5).encode(
        shape=alt.Shape("label:N", sort=labels, legend=legend, scale=alt.Scale(
            domain=labels, range=[WEIGHTING_SHAPES.get(w, "circle") for w in order])))
    chart = alt.layer(lines, points)
    if eps is not None:
        rule_df = pd.DataFrame({"t": [float(eps)], "label": [f"ε = {eps:g}"]})
        chart = chart + alt.Chart(rule_df).mark_rule(color="#444", strokeDash=[3, 3]).encode(x="t:Q") + \
            alt.Chart(rule_df).mark_text(align="left", baseline="bottom", dx=2, dy=-4, color="#444",
                                         fontSize=11).encode(x="t:Q", y=alt.value(0), text="label:N")
    return chart.properties(height=height, title=f"Learned {words} by time, one network per weighting")


WEIGHT_TITLE = "Weight γₜ by time, over its mean"     # short: the chart stands in the narrower column


T_TICKS = 6      # at most this many 1-2-5 ticks above ε on the weight chart's t axis; beyond, powers of ten


def weight_axes(df: pd.DataFrame, pad: float = 1.2) -> tuple[list, list, list, list]:
    """weight_functions_chart's axes, from its frame (columns t, weight): the log t domain [ε, 1]
    (ε: its smallest t) and its ticks (ε itself, then the 1-2-5 ticks of log_ticks more than a
    factor 2 above it, powers of ten only where those are more than T_TICKS); the log y domain, from a power of ten at or below the smallest weight
    (so a labelled tick lies under every value drawn) to log_domain's top, and its ticks."""
    t = np.asarray(df["t"], float)
    lo_t, hi_t = float(t.min()), float(t.max())
    t_ticks = [v for v in log_ticks([lo_t, hi_t]) if v > 2 * lo_t]
    if len(t_ticks) > T_TICKS:                   # a narrow chart: powers of ten only
        t_ticks = [v for v in t_ticks if f"{v:e}".startswith("1.")]
    t_ticks = [lo_t] + t_ticks
    top = log_domain(df["weight"], pad)[1]
    w = np.asarray(df["weight"], float)
    w = w[np.isfinite(w) & (w > 0)]
    bottom = float(10.0 ** np.floor(np.log10(w.min() * (1 + 1e-12)))) if w.size else 1e-3
    y_domain = [bottom, top]
    return [lo_t, hi_t], t_ticks, y_domain, log_ticks(y_domain)


def weight_functions_chart(df: pd.DataFrame, height: int = 400) -> alt.Chart:
    """The weights γₜ over t, each divided by its mean over t ~ U[eps, 1] (so the curves show where
    each puts its emphasis): df with columns t, weight, weighting; log t from eps (weight_axes:
    t = eps is the first tick), log y down to a tick under the smallest weight."""
    order = list(dict.fromkeys(df["weighting"]))
    labels, colors = _weighting_color(order)
    d = df.assign(label=df["weighting"].map(lambda w: WEIGHTING_LABELS.get(w, w)))
    t_domain, t_ticks, y_domain, y_ticks = weight_axes(d)
    return alt.Chart(d).mark_line(strokeWidth=2.2).encode(
        x=alt.X("t:Q", title=f"diffusion time t (log scale, from ε = {t_domain[0]:g})",
                scale=alt.Scale(type="log", domain=t_domain, nice=False),
                axis=alt.Axis(values=t_ticks, format="~g")),
        y=alt.Y("weight:Q", title="γₜ / its mean over t ~ U[ε, 1] (log scale)",
                scale=alt.Scale(type="log", domain=y_domain, nice=False),
                axis=alt.Axis(values=y_ticks, format="~g")),
        color=alt.Color("label:N", sort=labels, scale=alt.Scale(domain=labels, range=colors),
                        legend=alt.Legend(title=None, orient="top", columns=1, labelLimit=300)),
        tooltip=[alt.Tooltip("label:N", title="weighting"), alt.Tooltip("t:Q", format=".3g"),
                 alt.Tooltip("weight:Q", format=".3g")],
    ).properties(height=height, title=WEIGHT_TITLE)
