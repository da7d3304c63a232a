"""A typed word as a 2D point set (for dc.mixture_from_points): rendered with Pillow's default
font, its ink pixels subsampled deterministically, centred and scaled to a radius like the presets.
Pure numpy + Pillow."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from diffusion_core.pointsets import MAX_COMPONENTS, fit_to_radius

__all__ = ["word_points", "points_needed", "MAX_WORD_LENGTH", "POINTS_PER_LETTER"]

MAX_WORD_LENGTH = 12
FONT_SIZE = 64
POINTS_PER_LETTER = 40      # below this the strokes of a letter break into loose dots


def _ink(text: str) -> np.ndarray:
    """(row, column) of every inked pixel of `text` in Pillow's default font (FONT_SIZE px;
    the bitmap font where FreeType is missing)."""
    font = ImageFont.load_default(size=FONT_SIZE)
    left, top, right, bottom = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox((0, 0), text, font=font)
    img = Image.new("L", (right - left + 4, bottom - top + 4), 0)
    ImageDraw.Draw(img).text((2 - left, 2 - top), text, fill=255, font=font)
    return np.argwhere(np.asarray(img) > 127)


def word_points(text: str, n: int = 500, radius: float = 4.5) -> np.ndarray:
    """n points (x, y) spread over the ink of `text`, y up, fitting a disc of `radius`.

    text: 1..MAX_WORD_LENGTH characters after stripping spaces; n: 1..MAX_COMPONENTS. Fewer points
    come back when the word has fewer ink pixels than n. Same text, same points."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must be a word of at least one visible character")
    text = text.strip()
    if len(text) > MAX_WORD_LENGTH:
        raise ValueError(f"text must be at most {MAX_WORD_LENGTH} characters; got {len(text)}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_COMPONENTS:
        raise ValueError(f"number of points must be an integer in 1..{MAX_COMPONENTS}; got {n!r}")
    ink = _ink(text)
    if len(ink) == 0:
        raise ValueError(f"text {text!r} draws nothing in the default font; use letters or digits")
    if len(ink) > n:
        ink = ink[np.sort(np.random.default_rng(0).choice(len(ink), n, replace=False))]
    xy = np.stack([ink[:, 1], -ink[:, 0]], 1).astype(np.float64)
    return fit_to_radius(xy, radius)


def points_needed(text: str, cap: int = MAX_COMPONENTS) -> int:
    """Points for `text` to read as a word: POINTS_PER_LETTER per visible character, at most cap."""
    return int(min(cap, POINTS_PER_LETTER * len("".join(str(text).split()))))
