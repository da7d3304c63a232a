"""Any 2D point set as p_0: N points become the mixture of N equal isotropic Gaussians
N(x_i, h^2 I) (the smoothed empirical distribution), so its score, p_t and sampling are exact.

Rules (a ValueError names the one broken):
  points: a table of finite numbers with 2 columns and at least 1 row; more than MAX_COMPONENTS
    rows are subsampled deterministically to MAX_COMPONENTS rows (rows round(i N / M), i < M,
    so an ordered outline keeps its whole length);
  width h: a finite number in [MIN_WIDTH, MAX_WIDTH]; by default the median nearest-neighbour
    distance (a smooth curve through ordered points), floored at MIN_WIDTH, and DEFAULT_WIDTH for a
    single point or coincident points;
  CSV text: at most MAX_CSV_BYTES and MAX_CSV_ROWS data rows of two numbers, separated by ',' ';'
    tab or spaces, an optional header line of two names.
Shapes (swiss roll, spiral, smiley, heart) are point arrays within radius ~5, like the presets.
"""
from __future__ import annotations

import csv
import io
import math

import numpy as np
import torch

from ._numbers import read_number
from .mixture import GaussianMixture

__all__ = ["mixture_from_points", "default_width", "check_points", "parse_points_csv",
           "fit_to_radius", "swiss_roll", "spiral", "smiley", "heart", "SHAPES",
           "MAX_COMPONENTS", "MAX_CSV_ROWS", "MAX_CSV_BYTES"]

MAX_COMPONENTS = 1000
MAX_CSV_ROWS = 100_000
MAX_CSV_BYTES = 5_000_000
MIN_WIDTH, MAX_WIDTH, DEFAULT_WIDTH = 0.01, 10.0, 0.25


def check_points(points, dim: int = 2) -> np.ndarray:
    """points as a float64 (N, dim) array of finite numbers, N >= 1 (ValueError naming the rule)."""
    try:
        a = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as e:
        raise ValueError(f"points must be a table of numbers: {e}") from None
    if a.size == 0:
        raise ValueError("points must hold at least one point; got none")
    if a.ndim != 2 or a.shape[1] != dim:
        cols = "2 columns (x, y)" if dim == 2 else f"{dim} columns"
        raise ValueError(f"points must have {cols}; got shape {a.shape}")
    if not np.isfinite(a).all():
        bad = int(np.flatnonzero(~np.isfinite(a).all(1))[0])
        raise ValueError(f"points must be finite numbers (no NaN or infinity); row {bad + 1} is not")
    return a


def _subsample(a: np.ndarray, cap: int) -> np.ndarray:
    """At most cap rows: rows round(i N / cap) for i < cap (deterministic, order kept)."""
    n = a.shape[0]
    return a if n <= cap else a[np.floor(np.arange(cap) * (n / cap) + 0.5).astype(int) % n]


def _nearest_distances(a: np.ndarray, block: int = 1024) -> np.ndarray:
    """Distance from every point to its nearest other point (inf for a single point)."""
    out = np.empty(a.shape[0])
    for i in range(0, a.shape[0], block):
        d = np.sqrt(((a[i:i + block, None, :] - a[None, :, :]) ** 2).sum(-1))
        d[np.arange(d.shape[0]), np.arange(i, i + d.shape[0])] = np.inf
        out[i:i + block] = d.min(1)
    return out


def default_width(points, dim: int = 2) -> float:
    """h = the median nearest-neighbour distance, clamped to [MIN_WIDTH, MAX_WIDTH];
    DEFAULT_WIDTH when it is undefined or zero (a single point, all points equal)."""
    a = check_points(points, dim)
    nn = _nearest_distances(a)
    med = float(np.median(nn)) if a.shape[0] > 1 else math.inf
    if not math.isfinite(med) or med == 0:
        return DEFAULT_WIDTH
    return min(max(med, MIN_WIDTH), MAX_WIDTH)


def _check_width(width) -> float:
    try:
        h = float(width)
    except (TypeError, ValueError):
        raise ValueError(f"width must be a number; got {width!r}") from None
    if not MIN_WIDTH <= h <= MAX_WIDTH:
        raise ValueError(f"width must be a number in [{MIN_WIDTH}, {MAX_WIDTH}]; got {width!r}")
    return h


def mixture_from_points(points, width=None, max_components: int = MAX_COMPONENTS,
                        dim: int = 2) -> GaussianMixture:
    """p_0 = (1/N) sum_i N(x_i, h^2 I) for the (subsampled) points (N, dim), h = width or
    default_width. With N >= ISO_MIN_COMPONENTS its score takes the mixture's isotropic path (two
    (N, K) products per evaluation), in any dimension (the 8x8 digits: dim = 64)."""
    a = _subsample(check_points(points, dim), max_components)
    h = default_width(a, dim) if width is None else _check_width(width)
    covs = (h * h * torch.eye(dim, dtype=torch.float64)).expand(a.shape[0], dim, dim)
    return GaussianMixture(torch.tensor(a), covs)


def fit_to_radius(points, radius: float = 4.0) -> np.ndarray:
    """The points centred (bounding-box centre at 0) and scaled so the farthest is at `radius`."""
    a = check_points(points)
    a = a - 0.5 * (a.min(0) + a.max(0))
    r = float(np.sqrt((a ** 2).sum(1)).max())
    return a * (radius / r) if r > 0 else a


# ------------------------------------------------------------------------------ CSV
def _cell(cell: str, row: int, col: int) -> float:
    v, problem = read_number(cell)
    if v is not None:
        return v
    if problem.startswith("must be a number") or not cell.strip():
        raise ValueError(f"CSV row {row}, column {col}: {cell.strip()[:20]!r} is not a number")
    raise ValueError(f"CSV row {row}, column {col}: {cell.strip()!r} must be a finite number "
                     "(no NaN or infinity)")


def _split(line: str) -> list[str]:
    for sep in (",", ";", "\t"):
        if sep in line:
            return next(csv.reader(io.StringIO(line), delimiter=sep))
    return line.split()


def _is_header(cells: list[str]) -> bool:
    try:
        [float(c) for c in cells]
        return False
    except ValueError:
        return all(c.strip() and not c.strip()[0].isdigit() for c in cells)


def parse_points_csv(data) -> np.ndarray:
    """Points (N, 2) from CSV text or bytes (UTF-8): two numbers per line, an optional header line
    of two names, blank lines skipped; at most MAX_CSV_BYTES and MAX_CSV_ROWS rows."""
    if isinstance(data, (bytes, bytearray)):
        if len(data) > MAX_CSV_BYTES:
            raise ValueError(f"CSV file too large: {len(data):,} bytes > {MAX_CSV_BYTES:,}")
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("CSV file must be UTF-8 text") from None
    if not isinstance(data, str):
        raise ValueError(f"CSV must be text or bytes; got {type(data).__name__}")
    if len(data) > MAX_CSV_BYTES:
        raise ValueError(f"CSV text too large: {len(data):,} characters > {MAX_CSV_BYTES:,}")
    lines = [(i + 1, ln) for i, ln in enumerate(data.splitlines()) if ln.strip()]
    if lines and _is_header(_split(lines[0][1])) and len(_split(lines[0][1])) == 2:
        lines = lines[1:]
    if not lines:
        raise ValueError("CSV holds no points: give one 'x, y' pair per line")
    if len(lines) > MAX_CSV_ROWS:
        raise ValueError(f"CSV has too many rows: {len(lines):,} > {MAX_CSV_ROWS:,}")
    rows = []
    for row, line in lines:
        cells = _split(line)
        if len(cells) != 2:
            raise ValueError(f"CSV row {row}: expected 2 columns (x, y); got {len(cells)}")
        rows.append([_cell(c, row, j + 1) for j, c in enumerate(cells)])
    return np.array(rows, dtype=np.float64)


# ------------------------------------------------------------------------------ shapes
def _count(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_COMPONENTS:
        raise ValueError(f"number of points must be an integer in 1..{MAX_COMPONENTS}; got {n!r}")
    return int(n)


def swiss_roll(n: int = 400) -> np.ndarray:
    """The 2D swiss roll: r = theta / (3 pi) * 4.5 for theta in [1.5 pi, 4.5 pi] (|x| <= 4.5)."""
    th = np.linspace(1.5 * np.pi, 4.5 * np.pi, _count(n))
    r = th / (4.5 * np.pi) * 4.5
    return np.stack([r * np.cos(th), r * np.sin(th)], 1)


def spiral(n: int = 400, turns: float = 2.0) -> np.ndarray:
    """Two interleaved Archimedean arms (r from 0.5 to 4.5), n points in all."""
    n = _count(n)
    u = np.linspace(0, 1, (n + 1) // 2)
    th, r = 2 * np.pi * turns * u, 0.5 + 4 * u
    arm = np.stack([r * np.cos(th), r * np.sin(th)], 1)
    return np.concatenate([arm, -arm])[:n]


def _circle(k: int, centre, radius: float) -> np.ndarray:
    a = np.linspace(0, 2 * np.pi, k, endpoint=False)
    return np.asarray(centre) + radius * np.stack([np.cos(a), np.sin(a)], 1)


def smiley(n: int = 400) -> np.ndarray:
    """A face of radius 4: outline (55%), two eyes (10% each), a smile (25%)."""
    n = _count(n)
    k_face, k_eye = round(0.55 * n), round(0.10 * n)
    k_smile = n - k_face - 2 * k_eye
    a = np.linspace(1.2 * np.pi, 1.8 * np.pi, k_smile)
    smile = 2.4 * np.stack([np.cos(a), np.sin(a)], 1) + [0, 0.2]
    parts = [_circle(k_face, (0, 0), 4.0), _circle(k_eye, (-1.4, 1.4), 0.45),
             _circle(k_eye, (1.4, 1.4), 0.45), smile]
    return np.concatenate([p for p in parts if len(p)])[:n]


def _heart_curve(a: np.ndarray) -> np.ndarray:
    x = 16 * np.sin(a) ** 3
    y = 13 * np.cos(a) - 5 * np.cos(2 * a) - 2 * np.cos(3 * a) - np.cos(4 * a)
    return np.stack([x, y], 1) / 4


def heart(n: int = 400) -> np.ndarray:
    """The heart curve x = 16 sin^3 a, y = 13 cos a - 5 cos 2a - 2 cos 3a - cos 4a, scaled by 1/4,
    with n points evenly spaced along its outline (by arc length: the curve slows to a stop at its
    two cusps, where points evenly spaced in a would pile up), starting at the top cusp."""
    n = _count(n)
    fine = np.linspace(0, 2 * np.pi, 20001)
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(_heart_curve(fine), axis=0), axis=1))])
    return _heart_curve(np.interp(np.arange(n) * arc[-1] / n, arc, fine))


SHAPES = {"swiss roll": swiss_roll, "spiral": spiral, "smiley": smiley, "heart": heart}
