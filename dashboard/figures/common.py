"""Shared pieces of the figure builders: colours, plot limits, density grids, figures."""
from __future__ import annotations

import io

import altair as alt
import numpy as np
import pandas as pd
import torch
from matplotlib.figure import Figure

from diffusion_core.mixture import GaussianMixture

PALETTE = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
           "#bcbd22", "#7f7f7f"]


TRUTH_COLOR = "#2ca02c"      # true samples and the true density's curves, in every figure


def as_numpy(a, dtype=None) -> np.ndarray:
    """A tensor (on any device) or an array-like as a numpy array (of `dtype`, when given)."""
    if hasattr(a, "detach"):
        a = a.detach().cpu().numpy()
    return np.asarray(a, dtype=dtype)


def mode_colors(k: int) -> list[str]:
    """k distinct colours, cycling the palette."""
    return [PALETTE[i % len(PALETTE)] for i in range(k)]


def auto_limits(gmm: GaussianMixture, pad_std: float = 3.0, square: bool = True,
                margin: float = 0.0):
    """Plot limits covering every component to mean +- pad_std * its largest std (2D: xlim, ylim),
    widened by `margin` times the widest side on each side (so that narrow modes at the edge,
    whose shaded density reaches well beyond pad_std stds, are not cut by the frame)."""
    std = gmm.covs.diagonal(dim1=1, dim2=2).sqrt()
    lo = (gmm.means - pad_std * std).min(0).values
    hi = (gmm.means + pad_std * std).max(0).values
    h = margin * float((hi - lo).max())
    lo, hi = (lo - h).tolist(), (hi + h).tolist()
    if square and gmm.dim == 2:
        c = [(a + b) / 2 for a, b in zip(lo, hi)]
        h = max(b - a for a, b in zip(lo, hi)) / 2
        return (c[0] - h, c[0] + h), (c[1] - h, c[1] + h)
    return tuple(zip(lo, hi))


SAMPLES_MARGIN = 0.08        # samples panels: room around every mode's mean +- 3 std (a share of the width)


def samples_limits(gmm: GaussianMixture):
    """Plot limits of a panel of samples (scatter or KDE contours): every mode's mean +- 3 std and
    SAMPLES_MARGIN of the width around, so that the samples and KDE contours of the modes at the
    edge (ring8's at (+-4, 0) and (0, +-4)) are not cut by the frame."""
    return auto_limits(gmm, margin=SAMPLES_MARGIN)


def with_room(lims, centres, room: float):
    """The smallest widening of the box lims ((lo, hi) per axis) to one span S on every axis that
    keeps every point of centres (n, dim) at least room · S inside each edge: per axis
    S ≥ hi − lo, (hi − min c)/(1 − room), (max c − lo)/(1 − room), (max c − min c)/(1 − 2 room);
    each side then moves out to min c − room · S (max c + room · S) where needed, and the box is
    padded evenly to S. lims unchanged where every centre already lies room · its axis's span inside."""
    c = np.asarray(centres, dtype=float)
    lo_c, hi_c = c.min(0), c.max(0)
    need = max(max(hi - lo, (hi - a) / (1 - room), (b - lo) / (1 - room), (b - a) / (1 - 2 * room))
               for (lo, hi), a, b in zip(lims, lo_c, hi_c))
    if all(min(a - lo, hi - b) >= room * (hi - lo) for (lo, hi), a, b in zip(lims, lo_c, hi_c)):
        return tuple(lims)
    out = []
    for (lo, hi), a, b in zip(lims, lo_c, hi_c):
        lo, hi = min(lo, a - room * need), max(hi, b + room * need)
        pad = (need - (hi - lo)) / 2
        out.append((float(lo - pad), float(hi + pad)))
    return tuple(out)


def in_box(x, xlim, ylim):
    """Which points of x (n, 2) are finite and inside the box xlim x ylim (a boolean array)."""
    x = np.asarray(x, dtype=float)
    ok = np.isfinite(x).all(1)
    return ok & (x[:, 0] >= xlim[0]) & (x[:, 0] <= xlim[1]) & (x[:, 1] >= ylim[0]) & (x[:, 1] <= ylim[1])


def outside(x, xlim, ylim) -> int:
    """How many points of x (n, 2) lie outside the box xlim x ylim (or are not finite)."""
    return int(len(x) - in_box(x, xlim, ylim).sum())


def density_grid(gmm: GaussianMixture, xlim, ylim, n: int = 120):
    """xx, yy (n, n) and log p on that grid, as numpy arrays."""
    xs = np.linspace(*xlim, n)
    ys = np.linspace(*ylim, n)
    xx, yy = np.meshgrid(xs, ys)
    pts = torch.from_numpy(np.stack([xx.ravel(), yy.ravel()], 1))
    return xx, yy, gmm.log_prob(pts).reshape(n, n).numpy()


def new_figure(width: float = 6.0, height: float = 6.0, ncols: int = 1):
    """A matplotlib Figure (no pyplot state) and its axes."""
    fig = Figure(figsize=(width * ncols, height), layout="constrained")
    axes = fig.subplots(1, ncols)
    return fig, axes


def square_axes(ax, xx, yy, title: str | None = None):
    """Limits of the grid xx, yy, equal aspect, x₁/x₂ labels and an optional title."""
    ax.set_xlim(float(xx.min()), float(xx.max()))
    ax.set_ylim(float(yy.min()), float(yy.max()))
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    if title:
        ax.set_title(title, fontsize=12)


def time_text(t: float) -> str:
    """A diffusion time as the pages print it: two decimals (0.31), or two significant digits
    below 0.01 so that a small time never reads as 0 (0.0031; 0 stays "0.00")."""
    t = float(t)
    return f"{t:.2f}" if t == 0 or abs(t) >= 0.01 else f"{t:.2g}"


def pct(p: float) -> str:
    """A percentage p in [0, 100] to whole numbers, or with the digits that keep it off 0 and 100
    when it is within half a point of them (0.13, 99.87: never a "0 %" for a nonzero count, nor a
    "100 %" beside a share of the rest)."""
    if 0.5 < p < 99.5:
        return f"{p:.0f}"
    return f"{p:.2g}" if p < 50 else f"{100 - float(f'{100 - p:.2g}'):g}"


def figure_png(fig, dpi: int = 100, tight: bool = False) -> bytes:
    """A matplotlib Figure as PNG bytes (to cache a rendered figure and show it with st.image, or
    to download it); tight: crop the canvas to what is drawn. The one PNG export of the app."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight" if tight else None)
    return buf.getvalue()


def pil_font(size: int):
    """matplotlib's DejaVu Sans at `size` pixels as a Pillow font (Pillow's own where it is
    missing): text drawn with Pillow in the figures' own typeface."""
    from PIL import ImageFont
    try:
        from matplotlib import font_manager
        return ImageFont.truetype(font_manager.findfont("DejaVu Sans"), size)
    except Exception:  # no matplotlib font: Pillow's own
        return ImageFont.load_default(size)


def _inline_data(chart):
    """A copy of an Altair chart whose data frames (its own and its layers' and panels') are inline
    values, so that serializing it needs none of Altair's global data transformers."""
    chart = chart.copy(deep=False)
    if isinstance(getattr(chart, "data", None), pd.DataFrame):
        chart.data = alt.InlineData(values=alt.to_values(chart.data)["values"])
    for part in ("layer", "hconcat", "vconcat", "concat"):
        children = getattr(chart, part, alt.Undefined)
        if children is not alt.Undefined and isinstance(children, list):
            setattr(chart, part, [_inline_data(c) for c in children])
    return chart


def chart_spec(chart) -> dict:
    """The Vega-Lite spec of an Altair chart with its data inline and no Altair theme, as
    st.altair_chart would draw it, as plain data that st.vega_lite_chart draws and a cache can
    hold (Altair's validation is the slow part of a rerun). It touches none of Altair's global
    settings (data transformer, theme), so other sessions may draw charts at the same time."""
    context = {"top_level": False, "datasets": {}}
    spec = _inline_data(chart).to_dict(context=context)
    spec["$schema"] = alt.SCHEMA_URL
    if context["datasets"]:
        spec.setdefault("datasets", {}).update(context["datasets"])
    return spec


def nice_up(x: float) -> float:
    """The smallest 1-2-5 number (1, 2 or 5 × a power of ten) at or above x > 0."""
    e = np.floor(np.log10(x))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10.0 ** e >= x * (1 - 1e-12):
            return float(f"{m * 10.0 ** e:.12g}")
    return float(10.0 ** (e + 1))


def nice_down(x: float) -> float:
    """The largest 1-2-5 number (1, 2 or 5 × a power of ten) at or below x > 0."""
    e = np.floor(np.log10(x))
    for m in (5.0, 2.0, 1.0):
        if m * 10.0 ** e <= x * (1 + 1e-12):
            return float(f"{m * 10.0 ** e:.12g}")
    return float(f"{5.0 * 10.0 ** (e - 1):.12g}")


def log_domain(values, pad: float = 1.3) -> list[float]:
    """A log-scale domain that covers every positive finite value (never empty, at least a decade
    wide): from the 1-2-5 number at or below the smallest over pad up to the 1-2-5 number at or
    above the largest × pad, so that ticks (log_ticks) label the bottom and the top and the
    smallest value never lies below the lowest tick. A domain whose 1-2-5 ticks would be more than
    LOG_TICKS (log_ticks labels only its powers of ten) starts and ends at powers of ten, so that
    its labels step evenly up to the top (…, 1,000, 10,000, 100,000, not 1,000 then 50,000)."""
    v = as_numpy(values, float).ravel()
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return [1e-3, 1.0]
    lo = nice_down(float(v.min()) / pad)
    hi = nice_up(max(float(v.max()) * pad, lo * 10))
    if len(_ladder(lo, hi)) > LOG_TICKS:
        lo, hi = (float(f"{10.0 ** e:.12g}") for e in (np.floor(np.log10(lo)), np.ceil(np.log10(hi) - 1e-12)))
    return [lo, hi]


LOG_TICKS = 12            # at most this many 1-2-5 ticks on a log axis; beyond, powers of ten


def _ladder(lo: float, hi: float) -> list[float]:
    """The 1-2-5 numbers from lo to hi."""
    ladder = [float(f"{m * 10.0 ** e:.12g}") for e in range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1)
              for m in (1, 2, 5)]
    return [t for t in ladder if lo <= t <= hi * (1 + 1e-12)]
TOP_GAP = 0.8             # a tick closer to the top than this share of the ticks' step is dropped


def log_ticks(domain) -> list[float]:
    """Tick values of a log axis over domain [lo, hi]: its 1-2-5 numbers (only its powers of ten
    when they would be more than LOG_TICKS), and always hi, the domain's top, and lo where it is a
    1-2-5 number (log_domain's bottom). A tick closer to hi (or to such a lo) than TOP_GAP of the
    ticks' step (a decade for powers of ten, log10 2 for the 1-2-5 ladder's smallest step) is
    dropped, so that its label does not crowd the end's."""
    lo, hi = float(domain[0]), float(domain[1])
    ticks = _ladder(lo, hi)
    step = np.log10(2.0)
    if len(ticks) > LOG_TICKS:
        ticks, step = [t for t in ticks if f"{t:e}".startswith("1.")], 1.0
    ticks = [t for t in ticks if np.log10(hi / t) >= TOP_GAP * step or t >= hi * (1 - 1e-12)]
    if lo == nice_down(lo):                         # a 1-2-5 bottom (log_domain's) is labelled too
        ticks = [t for t in ticks if np.log10(t / lo) >= TOP_GAP * step or t <= lo * (1 + 1e-12)] + [lo]
    return sorted(set(ticks) | {hi})


PLAIN_LOG_LABELS = (1e-3, 1e4)    # a log axis whose ticks all lie in this range is labelled 0.001 … 1000
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_label(v: float) -> str:
    """v as a power of ten (10⁻⁷) or a 1-2-5 multiple of one (2×10⁻⁷); 0 as 0, a sign kept."""
    if v == 0:
        return "0"
    sign, v = ("−" if v < 0 else ""), abs(v)
    e = int(np.floor(np.log10(v) + 1e-9))
    m = float(f"{v / 10.0 ** e:.3g}")
    power = "10" + str(e).translate(_SUPERSCRIPT)
    return sign + (power if m == 1 else f"{m:g}×{power}")


def log_tick_labels(ticks) -> list[str]:
    """One format for every label of a log (or symmetric log) axis with these ticks: plain numbers
    (0.001, 0.5, 1,000) where every nonzero tick lies in PLAIN_LOG_LABELS, else all as powers of
    ten (10⁻⁷, 2×10⁻⁷, 10⁰); never some of each (d3's ~g wrote 0.000001 beside 1e-7)."""
    ticks = [float(t) for t in ticks]
    nonzero = [abs(t) for t in ticks if t != 0]
    if all(PLAIN_LOG_LABELS[0] <= t <= PLAIN_LOG_LABELS[1] for t in nonzero):
        return [f"{t:,.12g}".replace("-", "−") for t in ticks]
    return [_power_label(t) for t in ticks]


def log_axis(ticks, **kwargs) -> alt.Axis:
    """An Altair axis at exactly these ticks, labelled by log_tick_labels (one format): each label
    is looked up by its tick (to a relative 10⁻⁶), so Vega's own number format is never used."""
    ticks = [float(t) for t in ticks]
    expr = "''"
    for t, label in reversed(list(zip(ticks, log_tick_labels(ticks)))):
        test = "datum.value == 0" if t == 0 else f"abs(datum.value / {t!r} - 1) < 1e-6"
        expr = f"{test} ? '{label}' : {expr}"
    return alt.Axis(values=ticks, labelExpr=expr, **kwargs)
