"""Figures of the Guidance page. Pure: arrays in, Altair charts / matplotlib Figures out."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from dashboard.figures.common import new_figure, square_axes
from dashboard.figures.background import density_background

__all__ = ["samples_figure", "sweep_chart", "fields_figure", "SOURCE_COLORS", "METRICS"]

SOURCE_COLORS = {"exact CFG": "#d62728", "learned CFG": "#1f77b4"}
# column -> (title, what it measures)
METRICS = {
    "spread_ratio": ("spread / class's true spread", "diversity"),
    "coverage": ("coverage of the class (1 = all of it)", "diversity"),
    "logp_class": ("mean log p₀(x | y)", "fidelity"),
    "leak": ("share of samples in other classes", "fidelity"),
}


def _contours(ax, xx, yy, logp):
    density_background(ax, xx, yy, logp, clip=True)


def samples_figure(panels, xx, yy, logp_class, xlim, ylim):
    """One panel per (title, samples (n, 2), colour) over the contours of log p₀(x | y)."""
    fig, axes = new_figure(4.4, 4.2, ncols=len(panels))
    axes = np.atleast_1d(axes)
    for ax, (title, x, color) in zip(axes, panels):
        _contours(ax, xx, yy, logp_class)
        x = np.asarray(x, dtype=float)
        x = x[np.isfinite(x).all(1)]
        ax.scatter(x[:, 0], x[:, 1], s=7, c=color, alpha=0.6, linewidths=0)
        square_axes(ax, np.asarray(xlim), np.asarray(ylim), title)
    return fig


def sweep_chart(df: pd.DataFrame, w_now: float, learned: bool, width: int = 300,
                height: int = 170) -> alt.Chart:
    """Diversity (spread ratio, coverage) and fidelity (log p(x | y), leak) against w: one small
    chart per measure, exact CFG (and learned CFG) as lines, a dashed rule at the chosen w."""
    sources = [("exact CFG", "")] + ([("learned CFG", "learned_")] if learned else [])
    long = pd.concat([pd.DataFrame({"w": df["w"], "value": df[prefix + col], "source": name,
                                    "measure": col})
                      for col in METRICS for name, prefix in sources if prefix + col in df],
                     ignore_index=True)
    long = long[np.isfinite(long["value"].to_numpy(dtype=float))]
    color = alt.Color("source:N", title="samples", scale=alt.Scale(
        domain=[s for s, _ in sources], range=[SOURCE_COLORS[s] for s, _ in sources]),
        legend=alt.Legend(orient="bottom", labelFontSize=12, titleFontSize=12, symbolStrokeWidth=3))
    charts = []
    for col, (title, kind) in METRICS.items():
        d = long[long["measure"] == col]
        base = alt.Chart(d).encode(
            x=alt.X("w:Q", title="guidance scale w"),
            y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
            color=color, tooltip=["source:N", alt.Tooltip("w:Q"), alt.Tooltip("value:Q", format=".3f")])
        rule = alt.Chart(pd.DataFrame({"w": [float(w_now)]})).mark_rule(
            strokeDash=[5, 4], color="black").encode(x="w:Q")
        charts.append((base.mark_line(strokeWidth=2.2) + base.mark_point(filled=True, size=45) + rule)
                      .properties(width=width, height=height, title=f"{kind}: {title}"))
    return alt.concat(*charts, columns=2).resolve_scale(color="shared").properties(
        autosize=alt.AutoSizeParams(type="pad"))


def fields_figure(f: dict, w: float, t: float, label: str):
    """Guided score s_w (red) and conditional score s(. | y) (blue) at time t on the same grid,
    over log pₜ(x | y); arrows scaled together (the same length means the same size)."""
    fig, ax = new_figure(6.4, 5.6)
    _contours(ax, f["fx"], f["fy"], f["logp"])
    g, c = f["guided"], f["cond"]
    scale = float(np.percentile(np.hypot(c[..., 0], c[..., 1]), 90)) or 1.0
    span = float(f["xx"].max() - f["xx"].min()) / f["xx"].shape[0]
    k = span / scale
    ax.quiver(f["xx"], f["yy"], c[..., 0] * k, c[..., 1] * k, color="#1f77b4", angles="xy",
              scale_units="xy", scale=1, width=0.004, label="conditional score s(x, t | y)")
    ax.quiver(f["xx"], f["yy"], g[..., 0] * k, g[..., 1] * k, color="#d62728", angles="xy",
              scale_units="xy", scale=1, width=0.003, alpha=0.85,
              label=f"guided score, w = {w:g}")
    ax.set_xlim(float(f["fx"].min()), float(f["fx"].max()))
    ax.set_ylim(float(f["fy"].min()), float(f["fy"].max()))
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(f"{label} at t = {t:.2f} (grey: log pₜ(x | y))", fontsize=11)
    ax.legend(loc="upper right", fontsize=9, framealpha=0.9)
    return fig
