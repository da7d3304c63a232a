"""The Home page's picture: the sidebar's distribution blurred by the tutorial's process.

The tutorial's picture is a committed file, dashboard/assets/home_tutorial.png, so that a fresh
server's first page needs neither torch nor matplotlib. `python -m tools.home_picture` writes it
from dashboard.figures.home.home_png; tests/test_home_picture.py renders it afresh and compares,
so it cannot go stale."""
from __future__ import annotations

import base64
import functools
import math
from pathlib import Path

from dashboard import state

ASSET = Path(__file__).resolve().parent / "assets" / "home_tutorial.png"
MIXTURE = "tutorial"
LAM = 25.0                                   # the tutorial's process, VE with g(t) = λᵗ
PANEL_TIMES = (0.0, 0.25, 0.5, 0.75, 1.0)    # the picture's panels


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


def sigma_expression(lam: float = LAM, t: str = "datum.t") -> str:
    """σₜ of the VE process dx = λᵗ dw as a Vega expression in `t`: σₜ² = (λ²ᵗ − 1) / (2 ln λ)."""
    return f"sqrt((pow({lam:g}, 2 * {t}) - 1) / (2 * log({lam:g})))"


def sigma(t: float, lam: float = LAM) -> float:
    """σₜ of dx = λᵗ dw in plain Python (Home loads no torch): σₜ² = (λ²ᵗ − 1) / (2 ln λ)."""
    return math.sqrt((lam ** (2 * t) - 1) / (2 * math.log(lam)))


def noise_caption(picture: bool, lam: float = LAM) -> str:
    """What the σₜ chart shows, read from its formula at t = 0.5 and t = 1."""
    half, end = sigma(0.5, lam), sigma(1.0, lam)
    return (("Red: the times of the picture's panels above. " if picture else "")
            + f"Half-way, at t = 0.5, σₜ is {half:.2f}, {half / end:.0%} of its {end:.2f} at t = 1"
            + (": most of the noise comes late, as g(t) = λᵗ grows." if half < end / 2 else "."))


def noise_chart(lam: float = LAM, times=PANEL_TIMES, steps: int = 100) -> dict:
    """A Vega-Lite spec of σₜ over t in [0, 1] for the picture's process, with its panel times
    marked and labelled. The browser computes the curve from the formula (a sequence and a
    calculate transform), so Home sends no data table and needs neither pandas nor torch; it
    also loads the browser's chart renderer while the class reads Home, before the first page
    with charts."""
    marks = " || ".join(f"datum.i == {round(t * steps)}" for t in times)
    x = {"field": "t", "type": "quantitative", "title": "diffusion time t", "axis": {"values": list(times), "format": ".2~f"}}
    y = {"field": "sigma", "type": "quantitative", "title": "noise std σₜ"}
    return {
        "height": 210,
        "title": {"text": f"Noise std σₜ of the tutorial's process (λ = {lam:g})",
                  "fontSize": 13, "fontWeight": "normal"},
        "data": {"sequence": {"start": 0, "stop": steps + 1, "as": "i"}},
        "transform": [{"calculate": f"datum.i / {steps}", "as": "t"},
                      {"calculate": sigma_expression(lam), "as": "sigma"}],
        "layer": [
            {"mark": {"type": "line", "color": "#1f77b4"}, "encoding": {"x": x, "y": y}},
            {"transform": [{"filter": marks}], "mark": {"type": "point", "filled": True, "size": 60,
                                                       "color": "#d62728"},
             "encoding": {"x": x, "y": y, "tooltip": [{"field": "t", "format": ".2f"},
                                                      {"field": "sigma", "title": "σₜ", "format": ".2f"}]}},
            {"transform": [{"filter": f"({marks}) && datum.i > 0"}],    # σ₀ = 0 sits on the axis
             "mark": {"type": "text", "align": "right", "dx": -6, "dy": -8},
             "encoding": {"x": x, "y": y, "text": {"field": "sigma", "format": ".2f"}}},
        ],
    }
