"""The server's warm-up computes the Guidance page's default view, on the tutorial mixture and on
ring8 (the lesson row's two): the first visit then samples nothing (its measures over w took 2 s)."""
import pytest

import conftest
from conftest import ok, shorten_lessons_recipe


@pytest.fixture(autouse=True)
def short_recipe(monkeypatch):
    shorten_lessons_recipe(monkeypatch)


@pytest.mark.parametrize("mixture", ["tutorial", "ring8"])
def test_the_warm_up_computes_the_default_view(monkeypatch, mixture):
    import diffusion_core as dc
    from dashboard import guidance
    guidance.train_defaults()
    guidance.warm_defaults() if mixture == "tutorial" else guidance.warm_lesson()
    calls = []
    real = dc.sample
    monkeypatch.setattr(dc, "sample", lambda *a, **k: calls.append("sample") or real(*a, **k))
    at = ok(conftest.open_page("views/10_guidance.py", w_mixture=mixture))
    assert not at.error and len(at.get("vega_lite_chart")) == 3
    assert not calls, calls


def test_the_warm_up_trains_nothing_itself(monkeypatch):
    """Without its network the default view (learned CFG on) is left to the page, which trains on
    demand with its progress bar: the view's warm-up neither trains nor samples."""
    import diffusion_core as dc
    from dashboard import guidance, lessons
    calls = []
    monkeypatch.setattr(lessons, "is_trained", lambda *a, **k: False)
    monkeypatch.setattr(guidance, "cond_net", lambda *a, **k: calls.append("train"))
    monkeypatch.setattr(dc, "sample", lambda *a, **k: calls.append("sample"))
    guidance.warm_defaults()
    assert not calls, calls


def test_the_warm_up_runs_the_views_steps_after_the_train(monkeypatch):
    """Each step waits for before_each (no script running for 2 s in the server), and the warm-up's
    order has the view after the networks."""
    from dashboard import guidance, warmup
    import inspect
    guidance.train_defaults()
    steps = []
    guidance.warm_defaults(before_each=lambda: steps.append(1))
    assert len(steps) >= 5
    src = inspect.getsource(warmup._warm_up).split("for step in", 1)[1]
    assert src.index("guidance.train_defaults") < src.index("guidance.warm_defaults") < src.index("guidance.warm_lesson")
