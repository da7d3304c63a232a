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


def _quality_rows(values: dict, off: dict, steps: int = 2) -> "pd.DataFrame":
    import pandas as pd
    return pd.DataFrame([{"field": k, "method": "heun", "steps": steps, "nfe": 2 * steps, "sw2": v,
                          "off": off[k]} for k, v in values.items()])


def test_quality_sentence_ranks_only_beyond_the_measures_noise():
    """A teacher's finding: on ring8 the caption and the chart ranked the rectified flow below the
    exact flow at 2 steps (0.256 against 0.313) while another seed swapped them, and never said
    that many of its samples land off every mode. The sentence calls differences within the
    noise of true samples against true samples ties, compares a network's flow with the exact
    flow's own few-step error, and counts samples off every mode."""
    from dashboard import flow as flowpage
    df = _quality_rows({"exact flow": 0.313, "VE PF-ODE": 3.75, "learned flow": 0.314,
                        "rectified flow": 0.256},
                       {"exact flow": 2, "VE PF-ODE": 900, "learned flow": 4, "rectified flow": 150})
    noisy = flowpage.quality_sentence(df, {"sw2": 0.1, "off": 2, "n": 1000}, 2)
    assert "With 2 Heun steps (4 evaluations): exact flow 0.313" in noisy
    assert "cannot separate them" in noisy and "scores below the exact flow" not in noisy
    assert "rectified flow 150" in noisy and "a set of true samples: up to 2" in noisy
    assert "The VE PF-ODE and the rectified flow put many more samples" in noisy
    sharp = flowpage.quality_sentence(df, {"sw2": 0.01, "off": 2, "n": 1000}, 2)
    assert "The rectified flow scores lowest, by more than the measure's noise (0.010)" in sharp
    assert "The rectified flow scores below the exact flow here" in sharp
    assert "the exact flow's own 2-step error (0.313)" in sharp


def test_straightness_answer_counts_end_points_off_every_mode():
    from dashboard import flow as flowpage
    straight = {"exact flow": 0.95, "VE PF-ODE": 0.9, "learned flow": 0.96, "rectified flow": 0.998}
    story = {"ve": 0.9, "flow": 0.95}
    off = {"exact flow": 0, "learned flow": 1, "rectified flow": 30, "true samples": 1, "n": 200}
    text = flowpage.which_straighter(straight, story, off)
    assert "End points off every mode, of the 200 paths: exact flow 0, learned flow 1, rectified flow 30" in text
    assert "The rectified flow straightens its paths at a price" in text
    off["rectified flow"] = 2
    assert "at a price" not in flowpage.which_straighter(straight, story, off)
