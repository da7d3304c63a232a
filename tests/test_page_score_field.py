"""AppTest of the score-field page: renders, figure present, every widget at its extremes."""
import os

import pytest
from streamlit.testing.v1 import AppTest

import diffusion_core as dc

APP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "app.py")
PAGE = "views/2_score_field.py"
K = "w_score_"
VIEWS = ["total", "modes", "weighted"]


@pytest.fixture(scope="module")
def at():
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(PAGE).run()
    return at


def ok(at):
    assert not at.exception, [e.message for e in at.exception]
    imgs = at.get("image")
    assert len(imgs) == 1 and imgs[0].proto.imgs[0].url.endswith(".png")
    return imgs[0].proto.imgs[0].url


def choose_mixture(at, name):
    """Pick `name` in the sidebar's distribution select box (through Session State when this
    AppTest tree does not hold the sidebar's widgets)."""
    try:
        box = at.selectbox(key="w_mixture")
    except KeyError:
        at.session_state["w_mixture"] = name
        return at.run()
    return box.set_value(name).run()


def test_default_render(at):
    ok(at)
    assert at.title[0].value.startswith("The score")
    assert at.slider(key=K + "t").value == 0.0 and at.slider(key=K + "lam").value == 25.0
    assert at.slider(key=K + "n").value == 200                     # the tutorial's 200 samples
    assert at.metric[0].value == "0"                                # sigma_0 = 0
    assert len(at.main.expander) == 1 and len(at.main.latex) >= 3
    assert not at.error


@pytest.mark.parametrize("view", VIEWS)
def test_views_change_the_figure(at, view):
    before = ok(at)
    at.radio(key=K + "view").set_value(view).run()
    after = ok(at)
    assert (before != after) or view == "total"
    # the weighted view always draws true proportions: no arrow-length choice there
    assert (K + "lengths" in [r.key for r in at.radio]) == (view != "weighted")
    at.radio(key=K + "view").set_value("total").run()


@pytest.mark.parametrize("t,lam", [(0.0, 0.1), (1.0, 0.1), (1.0, 1.0), (1.0, 50.0), (0.5, 25.0)])
def test_time_and_lambda_extremes(at, t, lam):
    for view in VIEWS:
        at.radio(key=K + "view").set_value(view)
        at.slider(key=K + "t").set_value(t)
        at.slider(key=K + "lam").set_value(lam).run()
        ok(at)
        sigma = float(at.metric[0].value)
        assert sigma == pytest.approx(float(dc.VESDE(lam).sigma(t)), rel=1e-2, abs=1e-3)
        assert at.metric[1].value != "nan"
    at.slider(key=K + "t").set_value(0.0)
    at.slider(key=K + "lam").set_value(25.0)
    at.radio(key=K + "view").set_value("total").run()


def test_arrows_on_grid_and_sizes(at):
    at.radio(key=K + "where").set_value("grid").run()
    ok(at)
    for g in (5, 40, 20):
        for view in VIEWS:
            at.radio(key=K + "view").set_value(view)
            at.slider(key=K + "grid").set_value(g).run()
            ok(at)
    at.radio(key=K + "where").set_value("samples").run()
    for n in (20, 1000, 200):
        at.slider(key=K + "n").set_value(n).run()
        ok(at)
    at.radio(key=K + "view").set_value("total").run()


def test_arrow_lengths(at):
    for lengths in ("equal", "proportional"):
        for view in ("total", "modes"):
            at.radio(key=K + "view").set_value(view)
            at.radio(key=K + "lengths").set_value(lengths).run()
            ok(at)
    at.radio(key=K + "view").set_value("total").run()


@pytest.mark.parametrize("name", [n for n, g in dc.PRESETS.items() if g.dim == 2])
def test_every_preset(at, name):
    choose_mixture(at, name)
    for view in VIEWS:
        at.radio(key=K + "view").set_value(view).run()
        ok(at)
        assert name in at.markdown[0].value
    at.radio(key=K + "view").set_value("total").run()
