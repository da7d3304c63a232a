"""AppTest of the Flow matching page: default render with the learned flow (a short recipe),
rectification on, learned off, λ extremes, ring8 and a drawn-data mixture. No NaN in captions."""

import pytest

import conftest
from conftest import ok, shorten_lessons_recipe
from dashboard import yourdata
from diffusion_core import pointsets as ps

PAGE = "views/11_flow.py"
K = "w_flow_"


@pytest.fixture(autouse=True)
def short_recipe(monkeypatch):
    shorten_lessons_recipe(monkeypatch, n_data=2000)


def open_page(**state):
    at = ok(conftest.open_page(PAGE, **state))
    assert not at.error
    return at


def captions(at):
    return " ".join(c.value for c in at.caption)


def test_default_render():
    at = open_page()
    assert at.title[0].value.startswith("Flow matching")
    assert len(at.get("vega_lite_chart")) == 2 and len(at.get("image")) == 1
    c = captions(at)
    assert "nan" not in c.lower() and "exact flow" in c and "learned flow" in c and "VE PF-ODE" in c
    at.slider(key=K + "paths").set_value(200).run()
    assert not at.exception


def test_rectified():
    at = open_page(**{K + "rectify": True})
    c = captions(at)
    assert "rectified flow" in c and "nan" not in c.lower()


@pytest.mark.parametrize("state", [
    {K + "learned": False, K + "lam": 2.0, K + "paths": 10},
    {K + "learned": False, K + "lam": 50.0, "w_mixture": "ring8"},
])
def test_extremes(state):
    at = open_page(**state)
    assert len(at.get("vega_lite_chart")) == 1 and "nan" not in captions(at).lower()


def test_your_data_mixture():
    entry = yourdata.entry(yourdata.check(ps.heart(120)), 0.2, "test")
    at = open_page(**{yourdata.KEY: entry, "w_mixture": yourdata.NAME, K + "learned": False})
    assert "nan" not in captions(at).lower()


def test_rectified_flow_is_in_the_straightness_answer():
    """With rectification on, "which is straighter" ranks every flow the caption lists (the
    rectified one included) and names the straightest of them."""
    import re
    at = open_page(**{K + "rectify": True})
    listed = {}
    for k, v in re.findall(r"(exact flow|VE PF-ODE|learned flow|rectified flow) (\d\.\d{3})",
                           captions(at).split("(1 = straight): ")[1]):
        listed.setdefault(k, float(v))
    answer = next(m.value for m in at.markdown if "Which is straighter here?" in m.value)
    top = max(listed, key=listed.get)
    assert f"Of all paths drawn, the {top}'s ({listed[top]:.3f};" in answer
    assert "rectified flow" in answer


def test_flow_start_is_worded_from_the_ratio():
    from dashboard import flow as flowpage
    assert "own scale" not in flowpage.flow_start_phrase(2.83)
    assert "well inside the data's spread" in flowpage.flow_start_phrase(2.83)
    assert "own scale" in flowpage.flow_start_phrase(1.2)
    assert "0.35 times" in flowpage.flow_start_phrase(2.83)
