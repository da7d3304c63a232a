"""The Home page's committed picture of the tutorial mixture is what the code draws today."""
import io

import numpy as np
from PIL import Image

import diffusion_core as dc
from dashboard.figures.home import home_png
from dashboard.home import ASSET, MIXTURE, tutorial_png


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def test_committed_home_picture_is_current():
    """Rendered afresh: the same size and nearly the same pixels (fonts and anti-aliasing may
    differ a little between matplotlib builds). If this fails, run `python -m tools.home_picture`."""
    committed = tutorial_png()
    assert committed is not None, f"{ASSET} is missing: run python -m tools.home_picture"
    old, new = _pixels(committed), _pixels(home_png(dc.PRESETS[MIXTURE]))
    assert old.shape == new.shape
    diff = np.abs(old - new).max(axis=2)
    assert (diff > 32).mean() < 0.005, f"{(diff > 32).mean():.2%} of the pixels differ"
    assert diff.mean() < 1.0


def test_home_title_claims_only_what_is_drawn():
    """The picture draws densities and samples, no score: its title says nothing about one."""
    from dashboard.figures.home import diffusion_strip
    title = diffusion_strip(dc.PRESETS["tutorial"], dc.VESDE(25.0))._suptitle.get_text()
    assert "score" not in title and "p₀" in title and "_" not in title
