"""Figures of the Digits page: 8x8 images drawn crisp (one nearest-neighbour imshow per mosaic,
grey scale, ink dark as in print, pixel values 0..16), and a chart of sample quality per score
evaluation. Pure: arrays in, matplotlib Figures / Altair charts out, or PNG bytes drawn with numpy
and Pillow (mosaic_png: the sample grid and the film, which a w move redraws)."""
from __future__ import annotations

import io

import altair as alt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

PIXEL_MAX = 16.0
SIDE, GAP = 8, 1          # image side and the gap between images, in pixels
PAIR_GAP = 3              # the gap between the memorization pairs' images, in pixels
PAIR_CELL = 1.2           # inches per image of the memorization pairs: at DPI, 13 px per image pixel
DPI = 110                 # the page's PNGs


def mosaic(images, gap: int = GAP) -> np.ndarray:
    """images (R, C, 64) -> one (R*(8+gap)-gap, C*(8+gap)-gap) array, images separated by NaN
    gaps `gap` pixels wide."""
    images = np.asarray(images, dtype=float)
    rows, cols = images.shape[:2]
    step = SIDE + gap
    out = np.full((rows * step - gap, cols * step - gap), np.nan)
    for r in range(rows):
        for c in range(cols):
            out[r * step:r * step + SIDE, c * step:c * step + SIDE] = images[r, c].reshape(SIDE, SIDE)
    return out


def _centres(n: int, gap: int = GAP) -> list[float]:
    return [i * (SIDE + gap) + (SIDE - 1) / 2 for i in range(n)]


def _draw(ax, images, row_labels=None, col_titles=None, fontsize: int = 10, gap: int = GAP):
    images = np.asarray(images, dtype=float)
    cmap = _cmap()
    ax.imshow(mosaic(images, gap), cmap=cmap, vmin=0, vmax=PIXEL_MAX, interpolation="nearest")
    ax.set_yticks(_centres(images.shape[0], gap), row_labels if row_labels is not None else [],
                  fontsize=fontsize)
    ax.tick_params(length=0)
    if col_titles is not None:
        ax.set_xticks(_centres(images.shape[1], gap), col_titles, fontsize=fontsize - 1)
        ax.xaxis.tick_top()
    else:
        ax.set_xticks([])
    for side in ax.spines.values():
        side.set_visible(False)


def _cmap():
    import matplotlib
    return matplotlib.colormaps["gray_r"].with_extremes(bad="white")     # white gaps


MOSAIC_PX = 7              # mosaic_png: screen pixels per image pixel (0.5 in per image at DPI)
FONT_PX = 15               # mosaic_png's labels: 10 pt at DPI


def mosaic_png(images, row_labels, col_titles=None, scale: int = MOSAIC_PX, font_px: int = FONT_PX,
               gap: int = GAP) -> bytes:
    """A grid of digits drawn straight with numpy and Pillow, no matplotlib axes (a slider move
    redraws it): images (R, C, 64) in pixels 0..16 as one mosaic (ink dark, gray_r, white
    gaps of `gap` image pixels), each image pixel `scale` screen pixels, one row label per row at
    the left (lines split at newlines, centred on the row) and, when given, one title per column
    above it. Returns PNG bytes."""
    from PIL import Image, ImageDraw
    from dashboard.figures.common import pil_font
    images = np.asarray(images, dtype=float)
    rows, cols = images.shape[:2]
    m = mosaic(images, gap)
    grey = np.where(np.isnan(m), 255, np.round(255 * (1 - np.clip(m, 0, PIXEL_MAX) / PIXEL_MAX)))
    grey = np.repeat(np.repeat(grey.astype(np.uint8), scale, 0), scale, 1)
    font = pil_font(font_px)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    sizes = [probe.multiline_textbbox((0, 0), str(t), font=font, align="right") for t in row_labels]
    pad = font_px // 2
    left = int(np.ceil(max((b[2] for b in sizes), default=0))) + 2 * pad
    top = (font_px + 2 * pad) if col_titles is not None else pad
    out = Image.new("L", (left + grey.shape[1] + pad, top + grey.shape[0] + pad), 255)
    out.paste(Image.fromarray(grey), (left, top))
    draw = ImageDraw.Draw(out)
    step = (SIDE + gap) * scale
    for r, label in enumerate(row_labels):
        cy = top + r * step + SIDE * scale / 2
        draw.multiline_text((left - pad, cy), str(label), fill=0, font=font, anchor="rm", align="right")
    for c, title in enumerate(col_titles or []):
        draw.text((left + c * step + SIDE * scale / 2, top - pad), str(title), fill=0, font=font,
                  anchor="md")
    buf = io.BytesIO()
    out.save(buf, format="PNG")
    return buf.getvalue()


FILM_PX, FILM_FONT_PX = 10, 13     # film_png: 0.8 in per image and 9 pt titles at DPI


def grid_png(images, row_labels) -> bytes:
    """The sample grid as PNG bytes (mosaic_png): images (R, C, 64), one row per label."""
    return mosaic_png(images, row_labels)


def film_png(rows: list[tuple[str, np.ndarray]], col_titles: list[str]) -> bytes:
    """A film as PNG bytes (mosaic_png): one row per (label, images (L, 64)), columns titled
    (e.g. by σ)."""
    images = np.stack([np.asarray(imgs, dtype=float) for _, imgs in rows])
    return mosaic_png(images, [label for label, _ in rows], col_titles, FILM_PX, FILM_FONT_PX)


def pairs_figure(panels: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]],
                 cell: float = PAIR_CELL) -> Figure:
    """Memorization pairs: per panel (title, samples (n, 64), their nearest training images
    (n, 64), distances (n,)), the samples over their nearest training images, each pair titled
    by its distance d. The images stand PAIR_GAP pixels apart: a network's samples have grey
    backgrounds, which a one-pixel gap does not keep apart."""
    n = max(len(p[1]) for p in panels)
    fig = Figure(figsize=(n * cell + 1.4, len(panels) * (2 * cell + 0.6)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(panels), 1))
    for ax, (title, x, near, d) in zip(axes, panels):
        _draw(ax, np.stack([x, near]), ["sample", "nearest\ntraining"], [f"d = {v:.2f}" for v in d],
              gap=PAIR_GAP)
        ax.set_title(title, fontsize=11)
    return fig


def pixel_size(fig: Figure, dpi: float = DPI) -> float:
    """The side of one image pixel in the figure's PNG at `dpi`, in PNG pixels (the smallest over
    its axes): shown at the PNG's own width, this many screen pixels."""
    fig.savefig(io.BytesIO(), format="png", dpi=dpi)          # lays the figure out as its PNG
    width = fig.get_figwidth() * dpi
    return min(ax.get_position().width * width / abs(np.subtract(*ax.get_xlim()))
               for ax in fig.axes if ax.images)


def quality_chart(rows, reference: float, names: dict, colors: dict, budgets,
                  height: int = 320, width: int = 560) -> alt.Chart:
    """Fréchet distance (pixel space) against score evaluations, one line per sampler (legend:
    names[method], colour: colors[method]), over a dashed rule at `reference` (real digits, as many
    as the samples). The x axis is ticked at the budgets only (a sampler may use a few evaluations
    less than its budget: its point sits just left of the tick)."""
    df = pd.DataFrame(rows)[["method", "budget", "nfe", "frechet", "accuracy"]]
    df["sampler"] = df["method"].map(names)
    order = [names[m] for m in dict.fromkeys(df["method"])]
    lo, hi = float(min(df["nfe"].min(), min(budgets))), float(max(df["nfe"].max(), max(budgets)))
    lines = alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("nfe:Q", title="score evaluations (NFE)",
                scale=alt.Scale(type="log", domain=[lo * 0.85, hi * 1.15], nice=False),
                axis=alt.Axis(values=list(budgets), format="d")),
        y=alt.Y("frechet:Q", title="Fréchet distance (pixels)", scale=alt.Scale(zero=True)),
        color=alt.Color("sampler:N", title="sampler", sort=order,
                        scale=alt.Scale(domain=order, range=[colors[m] for m in dict.fromkeys(df["method"])])),
        tooltip=["sampler", "budget", "nfe", alt.Tooltip("frechet:Q", format=".3f"),
                 alt.Tooltip("accuracy:Q", format=".2f")])
    rule = alt.Chart(pd.DataFrame({"y": [reference]})).mark_rule(strokeDash=[4, 3], color="#555").encode(y="y:Q")
    return (rule + lines).properties(height=height, width=width)
