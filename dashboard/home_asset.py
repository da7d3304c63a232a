"""The Home picture of the tutorial mixture as a committed file, so that a fresh server's first
page needs neither torch nor matplotlib: dashboard/assets/home_tutorial.png, written by
`python -m tools.home_picture` from dashboard.figures.home.home_png (tests/test_home_picture.py
renders it afresh and compares, so it cannot go stale)."""
from __future__ import annotations

import functools
from pathlib import Path

ASSET = Path(__file__).resolve().parent / "assets" / "home_tutorial.png"
MIXTURE = "tutorial"


@functools.lru_cache(maxsize=1)
def tutorial_png() -> bytes | None:
    """The committed PNG (None when the file is missing: the page then renders it)."""
    try:
        return ASSET.read_bytes()
    except OSError:
        return None
