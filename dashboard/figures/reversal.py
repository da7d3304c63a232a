"""Figures of the exact-score reversal page: the particle cloud along the reverse process over
the analytic p_t (browser-side slider), trajectories coloured by the mode they end in, and the
commitment of paths to their mode (responsibility against t, histogram of commitment times).

Pure functions: arrays in, Altair charts or matplotlib Figures out. Every time axis runs in the
direction of the reverse process, t = 1 (noise) on the left to t = 0 (data) on the right.
"""
from __future__ import annotations

import textwrap

import altair as alt
import numpy as np
import pandas as pd
import torch
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from diffusion_core.mixture import GaussianMixture
from .common import as_numpy, mode_colors, new_figure, outside, pct, time_text
from .training import FIT_X

__all__ = ["frame_indices", "ellipse_modes", "MAX_ELLIPSES", "MAX_LEGEND_MODES", "pt_ellipses", "plot_size", "cloud_chart", "trajectories_figure", "main_axis", "end_label",
           "paths_vs_time_figure", "responsibility_chart", "threshold_rows", "move_threshold", "commitment_hist_chart"]

T_AXIS = "time t  (reverse process: 1 → 0)"
MAX_ELLIPSES = 24          # the cloud chart draws pₜ's ellipses for at most this many modes
MAX_LEGEND_MODES = 24      # and lists at most this many modes in its legend
OUTSIDE_LABEL_Y = -6       # the cloud chart's "n of P points outside this view": just above the frame


def _t_scale():
    return alt.Scale(domain=[0, 1], reverse=True, nice=False)


_T_TICKS = alt.Axis(values=[1, 0.8, 0.6, 0.4, 0.2, 0], format=".1f")


def _mode_handles(colors, names, max_entries: int = 4):
    """Legend handles: one per mode ("ends in mode k", K = len(names), default len(colors)) for
    up to max_entries modes, else one entry saying that colour shows the final mode."""
    K = len(names) if names is not None else len(colors)
    names = list(names) if names is not None else [f"mode {k + 1}" for k in range(K)]
    if K <= max_entries:
        return [Line2D([], [], color=colors[k % len(colors)], lw=2, label=f"ends in {names[k]}")
                for k in range(K)]
    return [Line2D([], [], color=colors[0], lw=2,
                   label=f"colour: the mode the path ends in ({K} modes)")]


def frame_indices(n_frames: int, max_frames: int) -> np.ndarray:
    """At most max_frames indices of 0..n_frames-1, evenly spread, always the first and last."""
    if n_frames <= max_frames:
        return np.arange(n_frames)
    return np.unique(np.linspace(0, n_frames - 1, max(2, max_frames)).round().astype(int))


def ellipse_modes(labels, n_modes: int, weights=None, max_modes: int = MAX_ELLIPSES) -> np.ndarray:
    """Indices of the modes whose ellipses the cloud chart draws: all n_modes when they are at
    most max_modes, else the max_modes heaviest (by weights when given, else by how many paths end
    in them), ties by index; returned in increasing order."""
    if n_modes <= max_modes:
        return np.arange(n_modes)
    if weights is not None:
        w = as_numpy(weights).astype(float)
    else:
        w = np.bincount(as_numpy(labels).astype(int), minlength=n_modes)[:n_modes].astype(float)
    order = np.lexsort((np.arange(n_modes), -w))          # heaviest first, then by index
    return np.sort(order[:max(0, int(max_modes))])


def pt_ellipses(gmm: GaussianMixture, sde, times, n_std: float = 2.0, n_vertices: int = 48):
    """Mean +- n_std std ellipses of every component of pₜ, for each time: (F, K, V + 1, 2).

    pₜ's component k is N(alpha_t mu_k, alpha_t^2 Sigma_k + sigma_t^2 I) (GaussianMixture.diffuse);
    its ellipse is alpha_t mu_k + n_std U diag(sqrt(l)) (cos a, sin a), Sigma_t = U diag(l) U^T.
    The last vertex repeats the first (a closed line). 2D mixtures only.
    """
    if gmm.dim != 2:
        raise ValueError(f"ellipses need a 2D mixture; got {gmm.dim}D")
    a = torch.linspace(0, 2 * np.pi, n_vertices + 1, dtype=torch.float64)
    circle = torch.stack([torch.cos(a), torch.sin(a)], 1)                     # (V+1, 2)
    out = []
    for t in as_numpy(times).astype(float):
        pt = gmm.diffuse(sde, float(t))
        evals, evecs = torch.linalg.eigh(pt.covs)                             # (K, 2), (K, 2, 2)
        root = evecs * evals.clamp_min(0).sqrt()[:, None, :]
        out.append(pt.means[:, None, :] + n_std * torch.einsum("kij,vj->kvi", root, circle))
    return torch.stack(out).numpy()


def plot_size(xlim, ylim, size: int) -> tuple[int, int]:
    """The plot area (width, height) in pixels that draws xlim × ylim at equal scale on both axes,
    its longer side `size`."""
    xr, yr = float(xlim[1]) - float(xlim[0]), float(ylim[1]) - float(ylim[0])
    per_unit = size / max(xr, yr, 1e-12)
    return max(1, round(xr * per_unit)), max(1, round(yr * per_unit))


def cloud_chart(frames, times, labels, names, colors=None, sigmas=None, ellipses=None,
                xlim=(-5, 5), ylim=(-5, 5), size: int = 460, point_size: int = 22,
                weights=None, max_ellipses: int = MAX_ELLIPSES) -> alt.LayerChart:
    """The particle cloud at every shown frame of the reverse process, with a slider in the browser.

    frames (F, P, 2) positions at times (F,) (descending); labels (P,) the mode each path ends in,
    names/colors per mode; sigmas (F,) shown next to t; ellipses (F, K, V, 2) from pt_ellipses,
    drawn in the mode colours as the analytic p_t. Data go in wide form (one row per point, one
    column per frame), so moving the slider only re-reads columns. When points leave the view,
    a red line above the frame counts them.

    With more than max_ellipses modes only the heaviest max_ellipses get an ellipse
    (ellipse_modes: by weights when given, else by the paths ending in them), and with more than
    MAX_LEGEND_MODES modes the legend gives way to a title saying what the colours and dashes show,
    so the chart's data stay small (49 rows per drawn ellipse) for p₀ with ~1,000 modes.
    """
    frames, times = as_numpy(frames).astype(float), as_numpy(times).astype(float)
    labels = as_numpy(labels).astype(int)
    F, P, _ = frames.shape
    names = list(names)
    colors = list(colors) if colors is not None else mode_colors(len(names))
    K_all = len(names)
    cscale = alt.Scale(domain=names, range=[colors[k % len(colors)] for k in range(K_all)])
    notes = []
    # under the plot, outside the data area (it hid a mode at t = 0 when drawn inside)
    legend = None if K_all > MAX_LEGEND_MODES else alt.Legend(
        title="path ends in", orient="bottom", direction="horizontal", columns=min(4, K_all),
        labelFontSize=11, titleFontSize=11, symbolSize=60, padding=2)
    step = alt.param(name="frame", value=0,
                     bind=alt.binding_range(min=0, max=F - 1, step=1, name="frame (t: 1 → 0)  "))
    idx = "frame"
    xs = alt.Scale(domain=[float(xlim[0]), float(xlim[1])], nice=False)
    ys = alt.Scale(domain=[float(ylim[0]), float(ylim[1])], nice=False)
    layers = []
    if ellipses is not None:
        el = as_numpy(ellipses).astype(float)                                        # (F, K, V, 2)
        keep = ellipse_modes(labels, el.shape[1], weights, max_ellipses)
        if len(keep) < el.shape[1]:
            which = ("the heaviest" if weights is not None and np.ptp(as_numpy(weights)) > 0 else
                     "those most paths end in")
            notes.append(f"dashed: pₜ ellipses of {len(keep)} of {el.shape[1]:,} modes ({which})")
        el = el[:, keep]
        K, V = el.shape[1], el.shape[2]
        cols = {"mode": np.repeat(np.asarray(names, dtype=object)[keep], V), "v": np.tile(np.arange(V), K)}
        for j in range(F):
            cols[f"x{j}"] = el[j, :, :, 0].ravel().round(3)
            cols[f"y{j}"] = el[j, :, :, 1].ravel().round(3)
        layers.append(alt.Chart(pd.DataFrame(cols)).transform_calculate(
            px=f"datum['x' + {idx}]", py=f"datum['y' + {idx}]",
        ).mark_line(clip=True, strokeWidth=1.6, strokeDash=[5, 3], opacity=0.9).encode(
            x=alt.X("px:Q", scale=xs), y=alt.Y("py:Q", scale=ys),
            detail="mode:N", order="v:Q",
            color=alt.Color("mode:N", scale=cscale, legend=legend)))
    cols = {"ends in": np.asarray(names, dtype=object)[labels]}
    for j in range(F):
        cols[f"x{j}"] = frames[j, :, 0].round(3)
        cols[f"y{j}"] = frames[j, :, 1].round(3)
    layers.append(alt.Chart(pd.DataFrame(cols)).transform_calculate(
        px=f"datum['x' + {idx}]", py=f"datum['y' + {idx}]",
    ).mark_circle(size=point_size, opacity=0.75, clip=True).encode(
        x=alt.X("px:Q", title="x₁", scale=xs),
        y=alt.Y("py:Q", title="x₂", scale=ys),
        color=alt.Color("ends in:N", scale=cscale, legend=legend)))
    sig = as_numpy(sigmas).astype(float) if sigmas is not None else np.full(F, np.nan)
    outside = ((frames[..., 0] < xlim[0]) | (frames[..., 0] > xlim[1]) |
               (frames[..., 1] < ylim[0]) | (frames[..., 1] > ylim[1])).sum(axis=1)
    lab = pd.DataFrame({"j": np.arange(F), "t": times, "sigma": sig, "out": outside})
    # below 0.0005 three decimals would print the last frames' t = 1e-4 as "0.000" beside σₜ = 0.01
    txt = "'t = ' + (datum.t < 0.0005 ? format(datum.t, '.2~g') : format(datum.t, '.3f'))"
    if sigmas is not None:
        txt += " + ',  σₜ = ' + format(datum.sigma, '.3g')"
    layers.append(alt.Chart(lab).transform_filter(f"datum.j == {idx}").transform_calculate(
        label=txt).mark_text(align="left", baseline="top", x=8, y=8, fontSize=15,
                             fontWeight="bold").encode(text="label:N"))
    if outside.any():
        # above the frame, outside the data area (inside it, it overprinted the t label and the
        # points); an empty text where none is outside keeps the frame still as the slider moves
        layers.append(alt.Chart(lab).transform_filter(f"datum.j == {idx}").transform_calculate(
            label=f"datum.out > 0 ? datum.out + ' of {P} points outside this view' : ''").mark_text(
            align="left", baseline="bottom", x=0, y=OUTSIDE_LABEL_Y, fontSize=12,
            color="#aa3333").encode(text="label:N"))
    # equal aspect: one unit is as many pixels on x as on y, the longer side `size` px; autosize
    # "pad" makes width and height the plot area's (Streamlit's default "fit" shrinks the plot
    # area to fit the legend and axes into them, each side by its own amount)
    width, height = plot_size(xlim, ylim, size)
    chart = alt.layer(*layers).add_params(step).properties(
        width=width, height=height, autosize=alt.AutoSizeParams(type="pad", contains="padding"))
    if legend is None:
        notes.insert(0, f"colour: the mode each path ends in ({K_all:,} modes)")
    if notes:
        chart = chart.properties(title=alt.TitleParams(notes, fontSize=11, fontWeight="normal",
                                                       color="#555555", anchor="start"))
    return chart


def start_label(starts, xlim, ylim) -> str:
    """The legend's name for the paths' start points (P, 2), with how many of them lie outside the
    view xlim × ylim (at σ₁ ≫ the data's spread most start far outside it)."""
    out = outside(starts, xlim, ylim)
    return "start (t = 1)" + (f", {out:,} of {len(starts):,} outside this view" if out else "")


def end_label(t_end: float) -> str:
    """The legend's name for the paths' end points: "end (t = …)" at the run's last grid time t_end
    (Δt for the tutorial's loop, ε for the samplers that stop there), printed as time_text does."""
    return f"end (t = {time_text(t_end)})"


def trajectories_figure(paths, labels, colors, xx=None, yy=None, logp=None, xlim=None, ylim=None,
                        max_vertices: int = 250, title: str | None = None, names=None,
                        size: float = 5.6, t_end: float = 0.0):
    """Reverse-process paths (F, P, 2) as lines coloured by the mode each ends in (labels (P,)),
    over the true log p_0 on a grid (xx, yy, logp; optional). Paths are drawn with at most
    max_vertices points each (evenly strided, ends kept); start points grey, end points in colour,
    named in the legend at t_end, the time of the paths' last frame (end_label)."""
    paths = as_numpy(paths).astype(float)
    labels = as_numpy(labels).astype(int)
    F, P, _ = paths.shape
    keep = frame_indices(F, max_vertices)
    p = paths[keep].transpose(1, 0, 2)                                          # (P, F', 2)
    fig, ax = new_figure(size, size + 0.5)
    if logp is not None:
        xx, yy, logp = as_numpy(xx), as_numpy(yy), as_numpy(logp)
        top = float(np.nanmax(logp))
        ax.contourf(xx, yy, logp, levels=np.linspace(top - 10, top, 11), cmap="Greys", alpha=0.35)
    colors = list(colors)
    lc = LineCollection(p, colors=[colors[k % len(colors)] for k in labels], linewidths=0.6,
                        alpha=0.35)
    ax.add_collection(lc)
    ax.scatter(p[:, 0, 0], p[:, 0, 1], s=5, color="#555555", alpha=0.5, linewidths=0, zorder=3)
    end_color = colors[int(labels[0]) % len(colors)] if len(labels) else "#555555"
    ax.scatter(p[:, -1, 0], p[:, -1, 1], s=9, c=[colors[k % len(colors)] for k in labels],
               edgecolors="white", linewidths=0.3, zorder=4)
    if xlim is None:
        lo, hi = p.reshape(-1, 2).min(0), p.reshape(-1, 2).max(0)
        xlim, ylim = (lo[0], hi[0]), (lo[1], hi[1])
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    if title:
        ax.set_title(title, fontsize=12)
    handles = _mode_handles(colors, names)
    handles.append(Line2D([], [], color="#555555", marker="o", ms=3, lw=0, alpha=0.6,
                          label=start_label(p[:, 0], xlim, ylim)))
    handles.append(Line2D([], [], color=end_color, marker="o", ms=5, lw=0, markeredgecolor="white",
                          label=end_label(t_end)))
    fig.legend(handles=handles, loc="outside lower center", ncols=min(3, len(handles)),
               frameon=False, fontsize=9.5)
    return fig


def main_axis(gmm: GaussianMixture) -> np.ndarray:
    """The unit direction along which the component means spread most (weighted principal axis
    of the means); x1 for a single component. Its sign makes the largest |coordinate| positive."""
    mu, w = gmm.means.numpy(), gmm.weights.numpy()
    c = mu - w @ mu
    cov = (c * w[:, None]).T @ c
    if gmm.n_components < 2 or not np.isfinite(cov).all() or np.abs(cov).max() < 1e-12:
        u = np.eye(gmm.dim)[0]
    else:
        u = np.linalg.eigh(cov)[1][:, -1]
    return u if u[np.argmax(np.abs(u))] > 0 else -u


SPLIT_STYLE = ("#d62728", ":")       # where pₜ splits the closest modes: red dotted, in every chart
MEDIAN_STYLE = ("#222222", "-")      # the median commitment time: solid black
OTHER_STYLE = ("#555555", "--")


def paths_vs_time_figure(paths, times, labels, colors, direction, ylim=None, marks=None,
                         max_vertices: int = 250, names=None, width: float = 4.6, height: float = 4.2,
                         split: str | None = None, median: str | None = None):
    """Each path's position along `direction` (a unit vector u; y = x . u) against t, from t = 1
    on the left to t = 0 on the right, coloured by the mode it ends in. marks: {label: t} drawn
    as vertical lines, styled by what they are: the key `split` (where pₜ splits the closest
    modes) red dotted, the key `median` (the median commitment time) solid black, any other grey
    dashed. ylim defaults to the end points' range padded by half of it (earlier, wider positions
    are clipped)."""
    paths = as_numpy(paths).astype(float)
    times = as_numpy(times).astype(float)
    labels = as_numpy(labels).astype(int)
    u = np.asarray(direction, dtype=float)
    keep = frame_indices(len(times), max_vertices)
    y = paths[keep] @ u                                                         # (F', P)
    t = times[keep]
    segs = np.stack([np.broadcast_to(t[:, None], y.shape), y], -1).transpose(1, 0, 2)
    colors = list(colors)
    fig, ax = new_figure(width, height)
    ax.add_collection(LineCollection(segs, colors=[colors[k % len(colors)] for k in labels],
                                     linewidths=0.7, alpha=0.45))
    if ylim is None:
        lo, hi = float(y[-1].min()), float(y[-1].max())
        pad = 0.5 * max(hi - lo, 1e-3)
        ylim = (lo - pad, hi + pad)
    ax.set_xlim(1, float(min(t.min(), 0.0)))
    ax.set_ylim(*ylim)
    for label, tm in (marks or {}).items():
        c, ls = SPLIT_STYLE if label == split else MEDIAN_STYLE if label == median else OTHER_STYLE
        if tm is not None:
            ax.axvline(tm, color=c, ls=ls, lw=1.8, label=label)
    ax.set_xlabel("time t  (reverse process: 1 → 0)")
    ax.set_ylabel("x · u")
    ax.set_title(f"position along u = ({', '.join(f'{v:.2f}' for v in u)}) against time", fontsize=11)
    handles = _mode_handles(colors, names)
    handles += [h for h in ax.get_lines() if not h.get_label().startswith("_")]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(2, len(handles)),
               frameon=False, fontsize=9)
    return fig


def responsibility_chart(frame_times, resp, threshold: float, t_split: float | None = None,
                         height: int = 250, split_label: str = "pₜ splits into bumps") -> alt.LayerChart:
    """Responsibility of each path's final mode under pₜ against t: the mean over paths (line),
    the 10-90 % band of paths (area), the commitment threshold (grey dashed) and, if given, the
    time t_split at which pₜ splits into separate bumps (dotted, tooltip split_label). height: of
    the plot area (autosize fit-x, as the histogram beside it)."""
    t = as_numpy(frame_times).astype(float)
    r = as_numpy(resp).astype(float)
    df = pd.DataFrame({"t": t, "mean": r.mean(1), "lo": np.quantile(r, 0.1, axis=1),
                       "hi": np.quantile(r, 0.9, axis=1)})
    x = alt.X("t:Q", title=T_AXIS, scale=_t_scale(), axis=_T_TICKS)
    y = alt.Y("mean:Q", title="responsibility of final mode", scale=alt.Scale(domain=[0, 1]))
    band = alt.Chart(df).mark_area(opacity=0.25, color="#3366cc").encode(x=x, y="lo:Q", y2="hi:Q")
    line = alt.Chart(df).mark_line(color="#3366cc", strokeWidth=2.5).encode(
        x=x, y=y, tooltip=[alt.Tooltip("t:Q", format=".3f"), alt.Tooltip("mean:Q", format=".3f")])
    rules = [alt.Chart(pd.DataFrame(threshold_rows(threshold)))
             .mark_rule(strokeDash=[6, 4], color="#444444").encode(y="y:Q", tooltip="what:N")]
    if t_split is not None:
        rules.append(alt.Chart(pd.DataFrame({"t": [t_split], "what": [split_label]}))
                     .mark_rule(strokeDash=[2, 3], color="#d62728", strokeWidth=2)
                     .encode(x=alt.X("t:Q", scale=_t_scale()), tooltip="what:N"))
    return alt.layer(band, line, *rules).properties(height=height, autosize=FIT_X)


def threshold_rows(threshold: float) -> list[dict]:
    """The data of responsibility_chart's grey dashed threshold line: one row, its level and tooltip."""
    return [{"y": float(threshold), "what": f"threshold {threshold:g}"}]


def move_threshold(spec: dict, threshold: float) -> dict:
    """A responsibility_chart's spec (common.chart_spec: datasets at the top level) with its
    threshold line at `threshold`: only the line's one-row dataset is replaced (and named after its
    level); the band and mean over every frame are reused, not serialized again, so that a move of
    the threshold slider does not rebuild them."""
    old = next(name for name, rows in spec["datasets"].items()
               if len(rows) == 1 and str(rows[0].get("what", "")).startswith("threshold "))
    new = f"threshold-{threshold:g}"
    datasets = {(new if name == old else name): (threshold_rows(threshold) if name == old else rows)
                for name, rows in spec["datasets"].items()}
    layers = [{**layer, "data": {"name": new}} if layer.get("data", {}).get("name") == old else layer
              for layer in spec["layer"]]
    return {**spec, "layer": layers, "datasets": datasets}


HIST_ROOM = 1.1      # the count axis reaches this × the tallest bar


def count_top(times, bin_step: float) -> float:
    """The top of a histogram's count axis: HIST_ROOM × its tallest bar (bins of bin_step over
    [0, 1], as the chart bins them), at least one more than that bar."""
    counts, _ = np.histogram(np.asarray(times, dtype=float), bins=np.linspace(0, 1, int(round(1 / bin_step)) + 1))
    top = int(counts.max()) if len(counts) else 0
    return float(max(top + 1, np.ceil(HIST_ROOM * top)))


def commitment_hist_chart(commit_times, committed, labels, names, colors=None,
                          t_split: float | None = None, bin_step: float = 0.04,
                          height: int = 250, split_label: str = "pₜ splits into bumps",
                          median: float | None = None, left_out=None,
                          threshold: float | None = None, words: dict | None = None) -> alt.LayerChart:
    """Histogram of the commitment times of the committed paths, stacked by final mode, with the
    median (solid black: `median` where given, the page's own, NaN for none; else the drawn paths'
    median; median_text names it) and t_split (red dotted, split_label) marked, both named in a
    legend below the plot, one entry a line and never cut. left_out: a mask of committed paths left
    out of the median (at or above `threshold` from t = 1 to the end): not drawn either, and a note
    under the chart (its title, orient bottom, NOTE_FONT px) says how many, so the line is the median of the bars. height: of the plot area
    (autosize fit-x: the legends and axes come on top of it; Streamlit's default "fit" squeezed it to
    about 50 px). words: the paths' verbs (reversal.choice_words: "along" for the median's legend,
    "nothing" for the left-out paths in the title); a stochastic run's by default."""
    words = words or dict(along="paths choosing along the way", nothing="they choose nothing along the way")
    ct = as_numpy(commit_times).astype(float)
    out = as_numpy(left_out).astype(bool) if left_out is not None else np.zeros(len(ct), bool)
    ok = as_numpy(committed).astype(bool) & ~out
    labels = as_numpy(labels).astype(int)
    names = list(names)
    colors = list(colors) if colors is not None else mode_colors(len(names))
    df = pd.DataFrame({"t": ct[ok], "mode": np.asarray(names, dtype=object)[labels[ok]]})
    x = alt.X("t:Q", bin=alt.Bin(extent=[0, 1], step=bin_step), title="commitment time t  (1 → 0)",
              scale=_t_scale(), axis=_T_TICKS)
    # with no committed path the count axis would have no domain (Vega prints "0.000000"); else
    # room above the tallest stacked bar, which would touch the top of the plot and read as cut
    y_scale = alt.Scale(domain=[0, count_top(ct[ok], bin_step)]) if ok.any() else alt.Scale(domain=[0, 1])
    bars = alt.Chart(df).mark_bar(opacity=0.85).encode(
        x=x, y=alt.Y("count():Q", title="paths", stack="zero", scale=y_scale,
                     axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("mode:N", scale=alt.Scale(domain=names, range=[colors[k % len(colors)]
                                                                        for k in range(len(names))]),
                        legend=None if len(names) > MAX_LEGEND_MODES else
                        alt.Legend(title="ends in", orient="top", columns=4)),
        tooltip=["mode:N", "count():Q"])
    layers = [bars]
    lines = []                   # (t, label, colour, dash) of the vertical lines, named in a legend
    if ok.any():
        median = float(np.median(ct[ok])) if median is None else float(median)
        if np.isfinite(median):
            lines.append((median, median_text(median, out.any(), words["along"]), MEDIAN_STYLE[0], [1, 0]))
    else:
        none = "no path commits along the way" if out.any() else "no path committed"
        layers.append(alt.Chart(pd.DataFrame({"t": [0.5], "y": [0.5], "what": [none]}))
                      .mark_text(fontSize=13, color="#555555")
                      .encode(x=alt.X("t:Q", scale=_t_scale()), y=alt.Y("y:Q", scale=y_scale),
                              text="what:N"))
    has_median = bool(lines)          # only the median line is drawn before the split's
    if t_split is not None:
        lines.append((float(t_split), split_label, SPLIT_STYLE[0], [2, 3]))
    if lines:
        what = [w for _, w, _, _ in lines]
        legend = alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=0,
                            symbolStrokeWidth=2)
        layers.append(alt.Chart(pd.DataFrame({"t": [t for t, *_ in lines], "what": what}))
                      .mark_rule(strokeWidth=2)
                      .encode(x=alt.X("t:Q", scale=_t_scale()), tooltip="what:N",
                              stroke=alt.Stroke("what:N", scale=alt.Scale(domain=what, range=[c for *_, c, _ in lines]),
                                                legend=legend),
                              strokeDash=alt.StrokeDash("what:N", scale=alt.Scale(domain=what,
                                                                                  range=[d for *_, d in lines]),
                                                        legend=legend)))
    chart = alt.layer(*layers).properties(height=height, autosize=FIT_X)
    title = left_out_title(int(out.sum()), len(ct), threshold, words["nothing"], has_median) if out.any() else []
    if len(names) > MAX_LEGEND_MODES:
        title.append(f"colour: the mode each path ends in ({len(names):,} modes)")
    if title:
        chart = chart.properties(title=alt.TitleParams(title, fontSize=NOTE_FONT, fontWeight="normal", orient="bottom",
                                                       color="#555555", anchor="start", offset=8))
    return chart


def median_text(median: float, left_out: bool, along: str = "paths choosing along the way") -> str:
    """The median line's legend entry, value first and short enough not to be cut: "median commitment
    time (t = 0.40)", or "median t = 0.67 (paths choosing along the way)" (along: which paths it
    counts) where some paths are left out."""
    if left_out:
        return f"median t = {time_text(median)} ({along})"
    return f"median commitment time (t = {time_text(median)})"


NOTE_FONT = 13       # the histogram's note under it (paths not drawn): px, above the axis titles' 11–12
TITLE_CHARS = 48     # the note's lines: at most this many characters (~330 px at NOTE_FONT)


def balanced_lines(text: str, max_chars: int = TITLE_CHARS) -> list[str]:
    """text in as few lines of at most max_chars characters as greedy wrapping needs (n), each about
    as long as the others (the narrowest width w >= len(text) / n that still needs n lines), never
    breaking an "a = b"; each line but the last keeps the space it breaks at, so the lines joined
    read as the text."""
    glued = text.replace(" = ", "\xa0=\xa0")
    n = len(textwrap.wrap(glued, max_chars))
    if n <= 1:
        return [text]
    w = next(w for w in range(-(-len(glued) // n), max_chars + 1) if len(textwrap.wrap(glued, w)) <= n)
    lines = [line.replace("\xa0", " ") for line in textwrap.wrap(glued, w)]
    return [line + " " for line in lines[:-1]] + lines[-1:]


def left_out_title(n_out: int, n: int, threshold: float | None,
                   nothing: str = "they choose nothing along the way", median: bool = True) -> list[str]:
    """The histogram's title lines for the n_out of n paths left out of it and of the median (where
    it draws one: median) (nothing: why, as a clause): one sentence in balanced_lines, so that no line
    is cut in a half-width column."""
    at = f"at or above {threshold:.2f}" if threshold is not None else "at or above the threshold"
    return balanced_lines(f"Not drawn: {n_out:,} of {n:,} paths ({pct(100 * n_out / n)} %), {at} from t = 1 "
                          f"to the end{', left out of the median' if median else ''}: {nothing}.")
