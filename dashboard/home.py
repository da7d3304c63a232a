"""The Home page's picture: the sidebar's distribution blurred by the tutorial's process.

The tutorial's picture is a committed file, dashboard/assets/home_tutorial.png, so that a fresh
server's first page needs neither torch nor matplotlib. `python -m tools.home_picture` writes it
from dashboard.figures.home.home_png; tests/test_home_picture.py renders it afresh and compares,
so it cannot go stale."""
from __future__ import annotations

import base64
import functools
from pathlib import Path

from dashboard import state

ASSET = Path(__file__).resolve().parent / "assets" / "home_tutorial.png"
MIXTURE = "tutorial"


@functools.lru_cache(maxsize=1)
def tutorial_png() -> bytes | None:
    """The committed PNG (None when the file is missing: the page then renders it)."""
    try:
        return ASSET.read_bytes()
    except OSError:
        return None


@state.cache_data(max_entries=4)
def home_picture(gmm) -> bytes:
    """The sidebar's distribution blurred by the tutorial's process (VE, lambda = 25)."""
    from dashboard.figures import home as hfig
    return hfig.home_png(gmm)


def home_image() -> bytes | None:
    """The Home picture of the sidebar's distribution (None for a 1D one). The tutorial's is a
    committed file (tools/home_picture.py writes it, tests/test_home_picture.py keeps it
    current): a fresh server shows it without loading torch or matplotlib."""
    if state.settings().mixture_name == "tutorial":
        png = tutorial_png()
        if png is not None:
            return png
    gmm = state.current_mixture()
    return home_picture(gmm) if gmm.dim == 2 else None


def image_html(png: bytes, alt: str) -> str:
    """The picture inside the page's own message, as an <img> with a data URI: a fresh server busy
    with its warm-up shows it with the text, not seconds later (st.image fetches a separate file)."""
    return (f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}" alt="{alt}" '
            'style="width: 100%; height: auto; display: block">')
