"""Figures of the forward process: 1D paths over the exact density, a 2D cloud with a browser-side
time slider, the noise schedule, and a GIF of the cloud (Pillow, no ffmpeg)."""
from __future__ import annotations

import io

import altair as alt
import numpy as np
import pandas as pd

from .common import as_numpy, mode_colors

__all__ = ["paths_1d_chart", "cloud_chart", "schedule_chart", "cloud_gif"]


def _color_scale(names, colors):
    return alt.Scale(domain=list(names), range=list(colors or mode_colors(len(names))))


HEAT_FLOOR = 0.004       # heat-map cells below this share of the column's maximum are left white


def paths_1d_chart(times, paths, labels, names, colors=None, density=None, density_times=None,
                   xs=None, ylim=None, height: int = 380) -> alt.LayerChart:
    """1D paths xₜ (T, N) over t, coloured by the mode each started in, drawn over a heat map.

    names[k] names mode k (the legend), colors[k] is its colour. density (Td, X): p_t(x) at
    density_times (Td,) and xs (X,), drawn as a heat map scaled to its maximum at every t (so the
    shape stays visible as p_t spreads out). ylim: fixed y range (paths leaving it are clipped).
    """
    times, paths, labels = as_numpy(times).astype(float), as_numpy(paths).astype(float), as_numpy(labels)
    if paths.ndim == 3:
        paths = paths[..., 0]
    T, N = paths.shape
    if ylim is None:
        ylim = (float(paths.min()), float(paths.max()))
    ylim = [float(ylim[0]), float(ylim[1])]
    names = list(names)
    df = pd.DataFrame({"t": np.repeat(times, N), "x": paths.ravel().round(3),
                       "path": np.tile(np.arange(N), T),
                       "started in": pd.Categorical.from_codes(np.tile(labels, T), names)})
    lines = alt.Chart(df).mark_line(opacity=min(0.6, max(0.12, 30.0 / N)), strokeWidth=0.6,
                                    clip=True).encode(
        x=alt.X("t:Q", title="time t", scale=alt.Scale(domain=[0, 1], nice=False)),
        y=alt.Y("x:Q", title="xₜ", scale=alt.Scale(domain=ylim, nice=False)),
        detail="path:N",
        color=alt.Color("started in:N", scale=_color_scale(names, colors),
                        legend=alt.Legend(title="path started in", orient="top", symbolOpacity=1,
                                          symbolStrokeWidth=4, labelFontSize=13)),
    )
    layers = []
    if density is not None:
        d = as_numpy(density).astype(float)
        dt, xg = as_numpy(density_times).astype(float), as_numpy(xs).astype(float)
        rel = d / np.maximum(d.max(axis=1, keepdims=True), 1e-300)
        te = np.concatenate([[dt[0]], (dt[1:] + dt[:-1]) / 2, [dt[-1]]])
        xe = np.concatenate([[xg[0]], (xg[1:] + xg[:-1]) / 2, [xg[-1]]])
        heat = pd.DataFrame({
            "t0": np.repeat(te[:-1], len(xg)), "t1": np.repeat(te[1:], len(xg)),
            "x0": np.tile(xe[:-1], len(dt)), "x1": np.tile(xe[1:], len(dt)),
            "p": rel.ravel().round(4)})
        heat = heat[heat["p"] >= HEAT_FLOOR]          # white cells need no mark: a smaller chart
        shade = alt.Scale(domain=[0, 1], range=["#ffffff", "#222222"])
        layers.append(alt.Chart(heat).mark_rect(clip=True, strokeWidth=0.6).encode(
            x="t0:Q", x2="t1:Q", y="x0:Q", y2="x1:Q",
            color=alt.Color("p:Q", scale=shade,
                            legend=alt.Legend(title="exact pₜ(x) / max pₜ", orient="top",
                                              direction="horizontal", gradientLength=110)),
            stroke=alt.Stroke("p:Q", scale=shade, legend=None)))
    layers.append(lines)
    return alt.layer(*layers).resolve_scale(color="independent").properties(height=height)


def cloud_chart(times, paths, labels, names, colors=None, lim: float | None = None, sigmas=None,
                size: int = 400, lims=None) -> alt.LayerChart:
    """A 2D point cloud over time with a time slider that runs in the browser (no rerun).

    paths (T, N, 2) at times (T,) in [0, 1] (uniform); points coloured by the mode they started
    in; fixed, equal axes [-lim, lim]^2, or with lims (T,) axes [-lims[j], lims[j]]^2 at frame j
    (they follow the cloud; the corner label gives them). sigmas (T,), if given, are shown next to t.
    """
    times, paths, labels = as_numpy(times).astype(float), as_numpy(paths).astype(float), as_numpy(labels)
    T, N, _ = paths.shape
    if lim is None:
        lim = float(np.abs(paths).max()) * 1.05 or 1.0
    names = list(names)
    df = pd.DataFrame({"j": np.repeat(np.arange(T), N), "x": paths[..., 0].ravel().round(3),
                       "y": paths[..., 1].ravel().round(3),
                       "started in": pd.Categorical.from_codes(np.tile(labels, T), names)})
    step = 1.0 / (T - 1) if T > 1 else 1.0
    tparam = alt.param(name="t_now", value=0.0,
                       bind=alt.binding_range(min=0, max=1, step=step, name="time t "))
    idx = f"round(t_now * {T - 1})"
    if lims is None:
        scale = alt.Scale(domain=[-float(lim), float(lim)], nice=False)
    else:       # the frame's half-width, read from the list by the slider's frame index
        half = "[" + ", ".join(f"{float(v):g}" for v in as_numpy(lims)) + f"][{idx}]"
        scale = alt.Scale(domainMin=alt.ExprRef(expr=f"-{half}"), domainMax=alt.ExprRef(expr=half),
                          nice=False, zero=False)
    pts = alt.Chart(df).transform_filter(f"datum.j == {idx}").mark_circle(
        size=28, opacity=0.7, clip=True).encode(
        x=alt.X("x:Q", title="x₁", scale=scale),
        y=alt.Y("y:Q", title="x₂", scale=scale),
        color=alt.Color("started in:N", scale=_color_scale(names, colors),
                        legend=alt.Legend(title="point started in", orient="bottom", columns=4)),
    )
    sig = as_numpy(sigmas).astype(float) if sigmas is not None else np.full(T, np.nan)
    lab = pd.DataFrame({"j": np.arange(T), "t": times, "sigma": sig})
    txt = "'t = ' + format(datum.t, '.2f')"
    if sigmas is not None:
        txt += " + ',  σₜ = ' + format(datum.sigma, '.2f')"
    if lims is not None:
        lab["axes"] = as_numpy(lims).astype(float)
        txt += " + ',  axes ±' + format(datum.axes, '.3~g')"
    label = alt.Chart(lab).transform_filter(f"datum.j == {idx}").transform_calculate(
        label=txt).mark_text(align="left", baseline="top", x=8, y=8, fontSize=15,
                             fontWeight="bold").encode(text="label:N")
    # autosize "pad": width and height are the plot area's, so the axes stay equal
    return alt.layer(pts, label).add_params(tparam).properties(
        width=size, height=size, autosize=alt.AutoSizeParams(type="pad", contains="padding"))


def schedule_chart(schedule: dict, show_alpha: bool = False, height: int = 200) -> alt.Chart:
    """sigma_t, g(t) (and alpha_t) against t, from :func:`diffusion_core.forward.schedule`.

    Every quantity is >= 0: the y axis starts at 0 (no room below it), its "0" label centred on
    the 0 line, and ends at the largest value. autosize "fit-x": the chart fills its column's width while `height` is the plot area's
    own (Streamlit's default, "fit", counts the legend and axes in it and squeezed the plot)."""
    t = as_numpy(schedule["t"]).astype(float)
    series = {"σₜ  (noise std of xₜ | x₀)": schedule["sigma"],
              "g(t)  (diffusion coefficient)": schedule["g"]}
    if show_alpha:
        series["αₜ  (signal scale)"] = schedule["alpha"]
    df = pd.concat([pd.DataFrame({"t": t, "value": as_numpy(v).astype(float), "quantity": k})
                    for k, v in series.items()])
    names = list(series)
    top = 1.04 * float(df["value"].max()) or 1.0      # room for the top curve's stroke
    return alt.Chart(df).mark_line(strokeWidth=2.5, clip=True).encode(
        x=alt.X("t:Q", title="time t", scale=alt.Scale(domain=[0, 1], nice=False)),
        # labelFlush off: the "0" label sits on the 0 line, not nudged above it (the curves then
        # looked as if they started below 0)
        y=alt.Y("value:Q", title="value", scale=alt.Scale(domain=[0, top], nice=False, zero=True),
                axis=alt.Axis(labelFlush=False)),
        color=alt.Color("quantity:N", scale=alt.Scale(domain=names,
                                                      range=["#3366cc", "#d62728", "#2ca02c"][:len(names)]),
                        legend=alt.Legend(title=None, orient="top", direction="vertical")),
        tooltip=["quantity:N", alt.Tooltip("t:Q", format=".2f"), alt.Tooltip("value:Q", format=".3f")],
    ).properties(height=height, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


def _font(size: int):
    from PIL import ImageFont
    try:
        from matplotlib import font_manager
        return ImageFont.truetype(font_manager.findfont("DejaVu Sans"), size)
    except Exception:  # no matplotlib font: Pillow's own
        return ImageFont.load_default(size)


def cloud_gif(times, paths, labels, colors=None, lim: float | None = None, sigmas=None,
              size_px: int = 480, duration_ms: int = 90) -> bytes:
    """An animated GIF (bytes) of the 2D cloud paths (T, N, 2), points coloured by labels.

    The axes are drawn once with matplotlib; points and the time stamp are drawn per frame with
    Pillow, so no video encoder is needed.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image, ImageDraw

    times, paths, labels = as_numpy(times).astype(float), as_numpy(paths).astype(float), as_numpy(labels)
    T, N, _ = paths.shape
    if lim is None:
        lim = float(np.abs(paths).max()) * 1.05 or 1.0
    k = int(labels.max()) + 1 if N else 1
    colors = list(colors or mode_colors(k))
    dpi = 100
    fig = Figure(figsize=(size_px / dpi, size_px / dpi), dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0.13, 0.11, 0.83, 0.80))
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.grid(alpha=0.3)
    canvas.draw()
    bg = Image.frombuffer("RGBA", canvas.get_width_height(), bytes(canvas.buffer_rgba())).convert("RGB")
    H = bg.size[1]
    disp = ax.transData.transform(paths.reshape(-1, 2)).reshape(T, N, 2)
    disp[..., 1] = H - disp[..., 1]
    x0, y0, x1, y1 = ax.bbox.extents
    box = (x0, H - y1, x1, H - y0)
    font = _font(16)
    rgb = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in colors]
    rad = 3
    frames = []
    for j in range(T):
        im = bg.copy()
        dr = ImageDraw.Draw(im)
        for n in range(N):
            px, py = disp[j, n]
            if box[0] <= px <= box[2] and box[1] <= py <= box[3]:
                dr.ellipse((px - rad, py - rad, px + rad, py + rad), fill=rgb[labels[n] % len(rgb)])
        stamp = f"t = {times[j]:.2f}"
        if sigmas is not None:
            stamp += f",  σₜ = {float(as_numpy(sigmas)[j]):.2f}"
        dr.text((box[0], 8), stamp, fill=(20, 20, 20), font=font)
        frames.append(im.quantize(colors=64, method=Image.Quantize.MEDIANCUT))
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:],
                   duration=duration_ms, loop=0)
    return buf.getvalue()
