"""The server's warm-up computes the Train page's default view below the training (the error over
t, the learned-vs-exact fields, section 4's samples, picture and measures) for our recipe's trained
model on the tutorial mixture and on ring8: the first visit then samples nothing and draws no
figure (it took 2.7 s)."""
import pytest

import conftest
from conftest import ok


@pytest.fixture
def short_recipe(monkeypatch):
    """Our recipe trains 40 steps, for the page and the warm-up alike."""
    from dashboard import models
    real = models.recipe_config
    monkeypatch.setattr(models, "recipe_config", lambda recipe, seed, **edits: real(recipe, seed, **{**edits, "steps": 40}))
    return models.recipe_config


@pytest.mark.parametrize("mixture", ["tutorial", "ring8"])
def test_the_warm_up_computes_the_default_view(monkeypatch, short_recipe, mixture):
    import diffusion_core as dc
    from dashboard import models, state, train
    cfg = short_recipe("ours", state.DEFAULT_SEED)
    models.trained_model(cfg, dc.PRESETS[mixture], float(state.sio.SCHEMA["w_train_lam"].default), "cpu")
    train.warm_defaults()
    calls = []
    real_sample, real_png = dc.sample, models.figure_png
    monkeypatch.setattr(dc, "sample", lambda *a, **k: calls.append("sample") or real_sample(*a, **k))
    monkeypatch.setattr(models, "figure_png", lambda *a, **k: calls.append("png") or real_png(*a, **k))
    at = ok(conftest.open_page("views/4_train.py", w_mixture=mixture))
    assert not at.error and len(at.get("image")) == 2
    assert not calls, calls


def test_the_warm_up_leaves_an_untrained_model_to_the_page(monkeypatch):
    """Without the trained model the view's warm-up neither trains nor samples."""
    import diffusion_core as dc
    from dashboard import models, train
    calls = []
    monkeypatch.setattr(models, "is_trained", lambda *a, **k: False)
    monkeypatch.setattr(models, "trained_model", lambda *a, **k: calls.append("train"))
    monkeypatch.setattr(dc, "sample", lambda *a, **k: calls.append("sample"))
    train.warm_defaults()
    assert not calls, calls


def test_the_warm_up_runs_the_train_view_after_the_training():
    import inspect
    from dashboard import warmup
    src = inspect.getsource(warmup._warm_up).split("for step in", 1)[1]
    assert src.index("models.train_defaults") < src.index("train.warm_defaults")
