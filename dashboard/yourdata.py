"""Your own 2D point set as the sidebar's distribution "your data": p₀ = the mixture of N equal
isotropic Gaussians N(xᵢ, h² I) (diffusion_core.pointsets), so every page works on it exactly.

In Session State, KEY holds the data in use: {"points": [[x, y], ...], "width": h, "source": text};
it travels in settings files (section "your_data"), not in links (too long for a URL).
Rules of this app on top of pointsets': at least MIN_POINTS distinct points, at most MAX_POINTS
(more are thinned evenly and deterministically, in their order), width h in [MIN_WIDTH, MAX_WIDTH].
Pages that draw something per mode bound it for large N (e.g. the reversal cloud's ellipses).
"""
from __future__ import annotations

import hashlib
import json

import numpy as np
import streamlit as st

import diffusion_core as dc


class _LazyPointsets:
    """diffusion_core.pointsets (which imports torch), imported on first use: the sidebar imports
    this module on Home's first run, before torch is loaded."""

    def __getattr__(self, name):
        from diffusion_core import pointsets
        return getattr(pointsets, name)


ps = _LazyPointsets()
MANY_MODES = 12              # beyond this (a drawn point set), commitment is not explained per mode


def point_set(gmm) -> bool:
    """Is p₀ a point set (many narrow modes, as Your data makes)? Then samples are drawn as points
    over the data points, the pages say how many are copies, and score arrows stop at the points."""
    return gmm.n_components > MANY_MODES

KEY = "your_data"
NAME = "your data"            # its name in the sidebar's distribution list
SECTION = "your_data"         # its section in a settings file
MIN_POINTS = 2
MAX_POINTS = 1000             # the exact score stays fast (pointsets' equal isotropic path); pages
                              # that draw per mode bound what they draw for large N
RADIUS = 4.5                  # drawings, words and CSV points are centred and scaled to this radius
EMPTY_CANVAS = "The canvas is empty: no points, so no p₀ to preview. Draw a shape (at least 2 points)."
DRAWN = "Draw"                # the source of points drawn on the canvas
DRAWN_IN_USE = ("These are the points in use on every page, drawn earlier (the canvas starts empty "
                "on every visit): h acts on them. Draw anew to replace them.")


def check(points, what: str = "points") -> np.ndarray:
    """points as an (N, 2) float array within RADIUS, subsampled to MAX_POINTS, or ValueError
    naming the rule (finite numbers, 2 columns, at least MIN_POINTS distinct points)."""
    try:
        a = ps.check_points(points)
    except ValueError as e:
        raise ValueError(f"{what}: {e}") from None
    a = ps._subsample(a, MAX_POINTS)
    distinct = len(np.unique(a, axis=0))
    if distinct < MIN_POINTS:
        raise ValueError(f"{what}: need at least {MIN_POINTS} distinct points to make a distribution; "
                         f"got {distinct}")
    return ps.fit_to_radius(a, RADIUS)


def nn_distance(points) -> float:
    """The points' median nearest-neighbour distance (pointsets.default_width, in the points' own
    dimension): the unit of the smoothing-width slider, in which every page states h."""
    a = np.asarray(points, dtype=float)
    return ps.default_width(a, a.shape[1])


def width_of(points, factor: float) -> float:
    """h = factor × the median nearest-neighbour distance, clamped to pointsets' range."""
    return float(min(max(factor * nn_distance(points), ps.MIN_WIDTH), ps.MAX_WIDTH))


def canvas_points(json_data, size: int) -> np.ndarray:
    """Points of a streamlit-drawable-canvas drawing (Fabric.js objects): every vertex of free
    strokes and lines, the centre of every point (circle), in canvas pixels; y up, centred on
    the canvas. (0, 2) when nothing is drawn."""
    pts = []
    for obj in (json_data or {}).get("objects", []) or []:
        kind = obj.get("type")
        if kind == "path":
            for cmd in obj.get("path", []):
                nums = [v for v in cmd[1:] if isinstance(v, (int, float))]
                if len(nums) >= 2:
                    pts.append(nums[-2:])
        elif kind == "circle":
            r = float(obj.get("radius", 0))
            pts.append([float(obj.get("left", 0)) + r, float(obj.get("top", 0)) + r])
        elif kind == "line":
            cx = float(obj.get("left", 0)) + float(obj.get("width", 0)) / 2
            cy = float(obj.get("top", 0)) + float(obj.get("height", 0)) / 2
            pts += [[cx + obj.get("x1", 0), cy + obj.get("y1", 0)], [cx + obj.get("x2", 0), cy + obj.get("y2", 0)]]
    a = np.asarray(pts, dtype=float).reshape(-1, 2)
    return np.stack([a[:, 0] - size / 2, size / 2 - a[:, 1]], 1)


def entry(points, width: float, source: str) -> dict:
    return {"points": np.round(np.asarray(points, dtype=float), 5).tolist(), "width": float(width),
            "source": str(source)[:80]}


def drawn_in_use(mixture_name, e) -> bool:
    """Whether the sidebar's distribution (mixture_name) is "your data" and its entry e holds
    points drawn on the canvas."""
    return mixture_name == NAME and isinstance(e, dict) and e.get("source") == DRAWN and "points" in e


def same_entry(a, b) -> bool:
    """Whether two entries hold the same points, source and width (widths equal to 1e-3 relative:
    points read back from an entry are rounded, which moves the width computed from them by about
    1e-5; one step of the width slider moves it by over 1%)."""
    return (isinstance(a, dict) and isinstance(b, dict) and a.get("points") == b.get("points")
            and a.get("source") == b.get("source")
            and abs(float(a.get("width", 0)) - float(b.get("width", 0))) <= 1e-3 * abs(float(b.get("width", 0))))


def check_entry(e) -> dict:
    """A your-data entry from a file, checked (ValueError naming the rule)."""
    if not isinstance(e, dict) or "points" not in e or "width" not in e:
        raise ValueError(f"{SECTION} must be an object with points and width")
    a = check(e["points"], f"{SECTION}.points")
    try:
        w = ps._check_width(e["width"])
    except ValueError as err:
        raise ValueError(f"{SECTION}.{err}") from None
    return entry(a, w, e.get("source", "settings file"))


@st.cache_resource(max_entries=8, show_spinner=False)
def _mixture(digest: str, _points: tuple, width: float) -> dc.GaussianMixture:
    return ps.mixture_from_points(np.asarray(_points), width, MAX_POINTS)


def _key(e: dict) -> tuple[str, tuple]:
    """(a digest of the entry's points and width, its points as a tuple)."""
    pts = tuple(map(tuple, e["points"]))
    return hashlib.sha1(repr((pts, e["width"])).encode()).hexdigest(), pts


def mixture(e: dict) -> dc.GaussianMixture:
    """The entry's p₀ (built once per points and width)."""
    digest, pts = _key(e)
    return _mixture(digest, pts, float(e["width"]))


# ---------------------------------------------------------------- what is in use
@st.cache_resource(max_entries=8, show_spinner=False)
def _factor(digest: str, _points: tuple, width: float) -> float:
    return width / nn_distance(_points)


def factor_of(e: dict) -> float:
    """The entry's h as a multiple of its points' median nearest-neighbour distance (what the
    page's smoothing-width slider sets)."""
    digest, pts = _key(e)
    return _factor(digest, pts, float(e["width"]))


def describe(e: dict) -> str:
    """'100 points (Word) at smoothing width 1.00 (h = 0.272)': an entry's points, source and h,
    with h as the slider states it (× the nearest-neighbour distance)."""
    return (f"{len(e['points']):,} points ({e.get('source', 'settings file')}) at smoothing width "
            f"{factor_of(e):.2f} (h = {float(e['width']):.3f})")


def sidebar_note(mixture_name, e) -> str:
    """The sidebar's line under the distribution when it is "your data": which points and h every
    page uses; "" otherwise."""
    if mixture_name != NAME or not isinstance(e, dict) or "points" not in e:
        return ""
    return f"{NAME}: {describe(e)}."


IN_USE, OUT_OF_DATE, NOT_IN_USE = "in use", "out of date", "not in use"


def use_status(mixture_name, in_use, preview: dict) -> tuple[str, str]:
    """(IN_USE, OUT_OF_DATE or NOT_IN_USE, a sentence) about the page's preview: whether every page
    uses it (the sidebar's distribution is "your data" and its entry `in_use` holds the preview's
    points, source and h), or, if not, what every page uses instead and how the preview differs."""
    if mixture_name == NAME and isinstance(in_use, dict) and "points" in in_use:
        if same_entry(in_use, preview):
            return IN_USE, f"In use on every page: the sidebar's distribution is **{NAME}**, {describe(preview)}."
        if in_use.get("points") == preview.get("points") and in_use.get("source") == preview.get("source"):
            differs = f"the same points at smoothing width {factor_of(preview):.2f} (h = {float(preview['width']):.3f})"
        else:
            differs = describe(preview)
        return OUT_OF_DATE, (f"This preview is not in use: every page uses **{NAME}** as it was "
                             f"last put in use, {describe(in_use)}; this preview shows {differs}. "
                             "Press *Use as p₀ on every page* to use it instead.")
    held = (f" (*{NAME}* in its list holds {describe(in_use)})"
            if isinstance(in_use, dict) and "points" in in_use else "")
    return NOT_IN_USE, (f"This preview is not in use: every page uses the sidebar's "
                        f"**{mixture_name}** distribution{held}. Press *Use as p₀ on every page* "
                        "to use this preview.")


# ---------------------------------------------------------------- settings files
def add_to_file(data: bytes, e: dict | None) -> bytes:
    """A settings file (bytes) with the your-data section added (when e is given)."""
    if e is None:
        return data
    blob = json.loads(data)
    blob[SECTION] = e
    return json.dumps(blob, indent=1, allow_nan=False).encode("utf-8")


def split_file(data: bytes):
    """(the settings file without the your-data section, the checked entry or None).
    A file that is not JSON is returned unchanged (its reader names the problem)."""
    try:
        blob = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return data, None
    if not isinstance(blob, dict) or SECTION not in blob:
        return data, None
    e = check_entry(blob.pop(SECTION))
    return json.dumps(blob).encode("utf-8"), e
