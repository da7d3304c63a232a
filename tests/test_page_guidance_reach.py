"""AppTest of the Guidance page's account of learned CFG's samples left out (outside the data's
box, the square holding every mode's mean ± PAD stds): how far they lie is measured, and "far outside"/"breaks down"
only where it is far (beyond FAR_STDS of their nearest mode's std); and of the sweep sentences
at a chosen w that is not one of the sweep's."""

import re

import pytest

import conftest
from conftest import ok, shorten_lessons_recipe
from dashboard import guidance, state
from dashboard.models import value_text
from test_page_guidance import HW, clear_rows  # noqa: F401 (a fixture the tests request)

PAGE = "views/10_guidance.py"
K = "w_guidance_"


@pytest.fixture(autouse=True)
def short_recipe(monkeypatch):
    shorten_lessons_recipe(monkeypatch)


def _gmm(mixture):
    import diffusion_core as dc
    return dc.GaussianMixture.from_dict(HW) if mixture == "custom" else dc.PRESETS[mixture]


def _page(mixture, y, w, lam, learned=True):
    s = {K + "class": y, K + "w": w, K + "lam": lam, K + "learned": learned}
    s.update(custom_mixture=HW, w_mixture="custom") if mixture == "custom" else s.update(w_mixture=mixture)
    return ok(conftest.open_page(PAGE, **s))


def _row(mixture, y, w, lam):
    from dashboard import lessons
    seed = state.DEFAULT_SEED
    return guidance.guidance_row(_gmm(mixture), lam, y, w, 600, 60, seed, lessons.recipe(seed), "cpu")


def _check_warning(warning, row):
    """The warning's reach sentence against the row's own measure."""
    w, beyond = float(row["w"]), bool(row["far_stds"] > guidance.FAR_STDS)
    far = guidance.left_out_far(row)
    sep = ":" if beyond and not far else ","
    assert f"at a median of {value_text(row['far_stds'], 2)} of their nearest mode's stds ({value_text(row['far_dist'], 2)}, " \
           f"{value_text(row['far_dist'] / row['data_spread'], 2)} times the data's spread s = {row['data_spread']:.2f}) " \
           f"from it{sep} {'beyond' if beyond else 'within'} 8 of its stds" in warning, warning
    assert ("far outside" in warning) == far, warning
    assert ("breaks down" in warning) == (far and w > 1), warning
    if guidance.learned_measured(row) and row["learned_kept"]:
        assert f", {600 - int(row['learned_kept'])} of 600, at a median" in warning, warning


def _near_learned(monkeypatch, gone: int, at_w: float, far: bool):
    """learned_guided_samples replaced: at w = at_w, `gone` samples lie just below the data's box
    (at the class mode's x, one of its y stds below the box's lower edge), or far away (at 1e3);
    elsewhere, and for the rest, exact CFG's own samples."""
    from dashboard.figures.common import auto_limits

    def fake(cfg, gmm, lam, device, y, w, n, steps, seed):
        x = guidance.guided_samples(gmm, lam, y, w, n, steps, seed).copy()
        if w == at_w:
            _, (y0, _) = auto_limits(gmm, pad_std=guidance.PAD)
            x[:gone] = 1e3 if far else (float(gmm.means[y, 0]), y0 - float(gmm.covs[y, 1, 1]) ** 0.5)
        return x
    monkeypatch.setattr(guidance, "learned_guided_samples", fake)


@pytest.mark.parametrize("mixture, y, w, lam, far", [("custom", 2, 3.0, 50.0, False), ("tutorial", 1, 4.0, 25.0, True),
                                                      ("cross", 0, 3.0, 50.0, False)])
def test_far_warning_says_how_far_the_left_out_samples_lie(monkeypatch, clear_rows, mixture, y, w, lam, far):
    """Custom mixture, class 3 (0, −4), std 0.02, w = 3, λ = 50: the warning read "the learned
    network's guidance breaks down: 30% of its samples land far outside the data" for 182 samples
    just past the data's box, about 5 class stds (0.10) from the mode. It now gives their median
    distance to the nearest mode, in its stds and data units, and says "far outside" (and "breaks
    down", w > 1) only beyond FAR_STDS."""
    _near_learned(monkeypatch, 182, w, far)
    warning = " ".join(m.value for m in _page(mixture, y, w, lam).warning)
    row = _row(mixture, y, w, lam)
    assert int(row["learned_kept"]) == 600 - 182
    assert bool(row["far_stds"] > guidance.FAR_STDS) == far, row
    _check_warning(warning, row)
    if mixture == "custom":
        assert ("At w = 3 the learned network's samples spread past the data's box (the square holding every mode's mean ± 4 stds): "
                "30% of its samples land outside it, 182 of 600, at a median of 5.") in warning, warning
        assert "of their nearest mode's stds (0.10, " in warning and "from it, within 8 of its stds" in warning, warning


@pytest.mark.parametrize("mixture, y, w, lam", [("custom", 2, 3.0, 50.0), ("tutorial", 1, 4.0, 25.0),
                                                ("cross", 0, 3.0, 50.0)])
def test_far_warning_matches_the_learned_networks_own_samples(mixture, y, w, lam):
    """The same states with the network's own samples: wherever the warning shows, its reach
    sentence is the row's measure, and "far"/"breaks down" follow it."""
    warning = " ".join(m.value for m in _page(mixture, y, w, lam).warning)
    row = _row(mixture, y, w, lam)
    assert (row["far"] > 0.01) == bool(warning), (row["far"], warning)
    if warning:
        _check_warning(warning, row)


def _sweep(at):
    return next(c.value for c in at.caption if c.value.startswith("Green band"))


@pytest.mark.parametrize("mixture, y, w, lam", [("tutorial", 1, 3.0, 25.0), ("tutorial", 1, 1.5, 25.0),
                                                ("tutorial", 1, 2.5, 25.0), ("cross", 0, 3.0, 2.0),
                                                ("tutorial", 1, 4.0, 25.0)])
def test_likelihood_fall_says_what_the_panels_measure_at_a_w_the_sweep_lacks(mixture, y, w, lam):
    """Tutorial, class 2, w = 3, λ = 25: the sweep caption said exact CFG's mean log p₀(x | y)
    lies below the truth's band "from w = 4 on", while the samples panels at w = 3 measured -3.22,
    below the band already: the sweep has no w = 3. Where the chosen w is not one of the sweep's,
    the caption lists the sweep's w and says what the panels measure at the chosen w, against the
    band ("already" where it lies below before the sweep's first w below it)."""
    import diffusion_core as dc
    gmm, seed = dc.PRESETS[mixture], state.DEFAULT_SEED
    sweep = _sweep(_page(mixture, y, w, lam))
    truth = guidance.guidance_truth(gmm, y, 600, seed)[1]
    row = _row(mixture, y, w, lam)
    m = re.search(r"lies below the truth's band \((-?[\d.]+) to (-?[\d.]+)\) from w = (\S+) on", sweep)
    assert m, sweep
    first, d = float(m[3]), len(m[1].split(".")[1])
    chosen = f"At the chosen w = {w:g}, not one of the sweep's, the samples panels above measure {row['logp_class']:.{d}f}, "
    if w in guidance.GUIDANCE_WS:
        assert "At the chosen w" not in sweep and "the sweep's w:" not in sweep, sweep
        return
    assert "; the sweep's w: 0, 0.5, 1, 2, 4, 6, 8, 10)" in sweep, sweep
    assert chosen in sweep, sweep
    mean, sd = truth["logp_class"]
    below = row["logp_class"] < mean - 2.0 * sd
    said = sweep.split(chosen)[1].split(".")[0]
    assert ("below it" in said) == below and ("inside the band" in said) == (abs(row["logp_class"] - mean) <= 2.0 * sd), said
    assert ("already" in said) == (below and w < first), said
    if (mixture, w) == ("tutorial", 3.0):
        assert "from w = 4 on" in sweep and f"{chosen}outside the band, below it already." in sweep, sweep
        assert "-3.22" in chosen, chosen


@pytest.mark.parametrize("mixture, y, w, lam", [("tutorial", 1, 3.0, 25.0), ("ring8", 0, 2.5, 25.0),
                                                ("tutorial", 1, 4.0, 25.0)])
def test_inside_the_band_at_every_w_is_said_of_the_sweeps_w(mixture, y, w, lam):
    """"Exact CFG stays inside the band at every w from 1 to 10" is said of the sweep's w where the
    chosen w is not one of them, and names any measure the samples panels at the chosen w find
    outside the band; a hand-built panel row outside the band on spread and leak is named so."""
    import diffusion_core as dc
    gmm, seed = dc.PRESETS[mixture], state.DEFAULT_SEED
    sweep = _sweep(_page(mixture, y, w, lam))
    between = w not in guidance.GUIDANCE_WS
    assert ("Exact CFG stays inside the band at every w of the sweep from 1 to 10 on" in sweep) == between, sweep
    assert ("Exact CFG stays inside the band at every w from 1 to 10 on" in sweep) == (not between), sweep
    truth = guidance.guidance_truth(gmm, y, 600, seed)[1]
    table = guidance.guidance_table(gmm, lam, y, 600, 60, seed).set_index("w")
    row = dict(_row(mixture, y, w, lam), spread_ratio=truth["spread_ratio"][0] + 1.0, leak=0.9)
    text = guidance.truth_under_curve(table, truth, row)
    if between and "spread" in text:
        assert (f"At the chosen w = {w:g}, not one of the sweep's, the samples panels above measure spread "
                f"{row['spread_ratio']:.2f}×") in text and "outside the band." in text, text
    elif not between:
        assert "At the chosen w" not in text, text
