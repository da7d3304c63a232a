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


def stds_text(stds) -> str:
    """A mode's principal stds (smallest first) in words: "std 0.02" where they print alike, else
    "std 0.01 across, 0.3 along" (narrow across its long axis only)."""
    lo, hi = f"{float(stds[0]):.2g}", f"{float(stds[-1]):.2g}"
    return f"std {lo}" if lo == hi else f"std {lo} across, {hi} along"
