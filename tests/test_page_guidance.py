"""AppTest of the Guidance page: default render with the learned CFG network (a short recipe),
guidance-scale, time and class extremes, ring8, learned CFG off, and a mixture with too many
modes for classes (a clear message, no crash). No NaN in any caption."""

import pytest

import conftest
from conftest import ok, shorten_lessons_recipe
from dashboard import yourdata

PAGE = "views/10_guidance.py"
K = "w_guidance_"


@pytest.fixture(autouse=True)
def short_recipe(monkeypatch):
    shorten_lessons_recipe(monkeypatch)


def open_page(**state):
    at = ok(conftest.open_page(PAGE, **state))
    return at


def text(at):
    return " ".join(c.value for c in at.caption) + " ".join(m.value for m in at.markdown)


def test_default_render():
    at = open_page()
    assert at.title[0].value.startswith("Guidance")
    assert len(at.get("vega_lite_chart")) == 1 and len(at.get("image")) == 2
    assert not at.error
    assert "nan" not in text(at).lower()
    assert "Learned:" in at.caption[0].value and "sliced W2" in at.caption[0].value
    at.slider(key=K + "w").set_value(10.0).run()
    assert not at.exception and "w = 10" in at.caption[0].value


@pytest.mark.parametrize("state", [
    {K + "w": 0.0, K + "t": 0.0},
    {K + "w": 10.0, K + "t": 1.0, K + "class": 1, K + "lam": 2.0},
    {"w_mixture": "ring8", K + "class": 7, K + "w": 8.0, K + "lam": 50.0},
    {K + "learned": False, K + "w": 1.0},
])
def test_extremes(state):
    at = open_page(**state)
    assert not at.error and "nan" not in text(at).lower()
    assert len(at.get("image")) == 2
    if state.get(K + "learned") is False:
        assert "Learned:" not in at.caption[0].value


def test_class_out_of_range_falls_back():
    at = open_page(**{K + "class": 9})        # the tutorial mixture has 2 classes
    assert at.selectbox(key=K + "class").value == 0


def test_too_many_modes_says_so():
    entry = yourdata.entry(yourdata.check([[i, i % 3] for i in range(40)]), 0.2, "test")
    at = open_page(**{yourdata.KEY: entry, "w_mixture": yourdata.NAME})
    assert at.info and "2 to 12 classes" in at.info[0].value
    assert not at.get("image")


def test_logp_peak_named_only_outside_the_noise():
    """A maximum of mean log p₀(x | y) is named only when the others are below it by more than the
    truth's noise level."""
    import pandas as pd
    from dashboard import guidance
    flat = pd.Series([-9.0, -2.02, -2.0, -2.01], index=[0.0, 1.0, 2.0, 4.0])
    text = guidance.logp_peak(flat, (-2.0, 0.05))
    assert "highest" not in text and "w = 1, 2, 4" in text and "no single w" in text
    assert guidance.logp_peak(flat, (-2.0, 0.001)) == "Mean log p₀(x | y) is highest at w = 2."


def test_small_class_zooms_the_sample_panels():
    """On ring8 one class is a small part of the mixture: the sample panels zoom to it; on the
    tutorial's two modes they do not."""
    import diffusion_core as dc
    from dashboard import guidance
    ring = dc.PRESETS["ring8"]
    assert guidance.class_zoomed(ring, 0) and not guidance.class_zoomed(dc.PRESETS["tutorial"], 0)
    (a, b), _ = guidance.samples_limits(ring, 0)
    (c, d), _ = guidance.panel_limits(ring)
    assert b - a < 0.5 * (d - c)
    at = open_page(**{"w_mixture": "ring8", K + "w": 4.0})
    assert "zoomed in" in at.caption[0].value
    assert "highest at" not in text(at) or "no single w" not in text(at)
