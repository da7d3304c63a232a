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
