"""The words and colours pages use for the registry's samplers and grids, read from
diffusion_core.sampling's registries (SAMPLERS, GRID_SPECS): a new sampler needs nothing here;
and how a point is written in prose (point).

Colours follow the registry's order (the first eight are the ones every chart has used so far);
samplers beyond the palette get the next of Altair's category20 colours.
"""
from __future__ import annotations

import numpy as np

from diffusion_core.sampling import GRID_SPECS, SAMPLERS

__all__ = ["label", "short", "color", "colors", "methods_help", "grids_help", "GRID_LABELS", "point"]

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#7f7f7f", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94")
GRID_LABELS = {name: spec.label for name, spec in GRID_SPECS.items()}


def label(method: str) -> str:
    """The sampler's full name, e.g. "reverse SDE (Euler-Maruyama)"."""
    return SAMPLERS[method].label


def short(method: str) -> str:
    """The sampler's short name for legends and tables, e.g. "DPM++ 2M"."""
    return SAMPLERS[method].short


def color(method: str) -> str:
    """The sampler's colour: PALETTE by its place in the registry."""
    return PALETTE[list(SAMPLERS).index(method) % len(PALETTE)]


def colors() -> dict:
    """{method: colour} of every registered sampler."""
    return {m: color(m) for m in SAMPLERS}


def methods_help(methods=None) -> str:
    """One line per sampler: its label and the registry's one-sentence help with its reference."""
    return "\n".join(f"- **{label(m)}**: {SAMPLERS[m].help}" for m in (methods or SAMPLERS))


def grids_help() -> str:
    return "\n".join(f"- **{GRID_LABELS[g]}**: {GRID_SPECS[g].help}" for g in GRID_SPECS)


def point(mu) -> str:
    """A point in words, rounded to 2 decimals, with a true minus sign and never −0: "(−2, 0.5)"."""
    return "(" + ", ".join(f"{m + 0.0:g}".replace("-", "−") for m in np.round(np.asarray(mu, float), 2)) + ")"


def and_list(items) -> str:
    """"a, b and c" of the items, as words."""
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def elongated(stds) -> bool:
    """Whether a mode's principal stds (smallest first) print apart at two digits: stds_text then
    names both, and a sentence calls the mode narrow across, not round."""
    return f"{float(stds[0]):.2g}" != f"{float(stds[-1]):.2g}"


def stds_text(stds) -> str:
    """A mode's principal stds (smallest first) in words: "std 0.02" where they print alike, else
    "std 0.01 across, 0.3 along" (narrow across its long axis only, elongated)."""
    lo, hi = f"{float(stds[0]):.2g}", f"{float(stds[-1]):.2g}"
    return f"std {lo} across, {hi} along" if elongated(stds) else f"std {lo}"


def short_number(v: float) -> str:
    """Two significant digits, whole from 100 up (2,389), never an exponent (0.000067, not 6.7e-05)."""
    return f"{v:,.0f}" if abs(v) >= 100 else positional(f"{v:.2g}", 2)


def positional(s: str, digits: int) -> str:
    """A number printed by a .g format without its exponent, keeping `digits` significant digits
    ("6.7e-05" -> "0.000067")."""
    if "e" not in s:
        return s
    return np.format_float_positional(float(s), precision=digits, unique=False, fractional=False, trim="k")


def apart(a: float, b: float, decimals: int = 2, most: int = 6) -> tuple[str, str]:
    """a and b printed with the same, fewest decimals (from `decimals`, at most `most`) at which they
    differ, so that a sentence saying one is above the other never shows two equal numbers."""
    for d in range(decimals, most + 1):
        sa, sb = f"{float(a):.{d}f}", f"{float(b):.{d}f}"
        if sa != sb:
            break
    return sa, sb


def k_of_n(k: int, n: int, what: str) -> str:
    """k of n `what` in words: "all 5 arrows", "none of the 5 arrows", "3 of the 5 arrows"."""
    if n == 1:
        return f"{k} of 1 {what}"
    return f"all {n} {what}" if k == n else f"none of the {n} {what}" if k == 0 else f"{k} of the {n} {what}"
