"""The preset mixtures' names and dimensions, without torch: the sidebar lists the 2D presets on
a fresh server's first page before torch is loaded. mixture.PRESETS holds the mixtures themselves
(tests/test_mixture.py checks that the two agree)."""
from __future__ import annotations

__all__ = ["PRESET_DIMS"]

PRESET_DIMS: dict[str, int] = {
    "tutorial": 2,
    "ring8": 2,
    "two clusters": 2,
    "unbalanced": 2,
    "grid 3x3": 2,
    "cross": 2,
    "moons": 2,
    "bimodal 1D": 1,
}
