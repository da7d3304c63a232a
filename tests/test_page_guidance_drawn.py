"""The Guidance page's caption on the learned samples drawn in the sample panels: how many of them
lie outside the data's box and are left out of the learned numbers, counted on the samples drawn,
and whether the zoomed panels reach past the data's box."""

import numpy as np
import pytest

import diffusion_core as dc
from conftest import shorten_lessons_recipe
from dashboard import guidance
from dashboard.figures.common import in_box
from test_page_guidance import clear_rows  # noqa: F401 (a fixture the tests request)
from test_page_guidance_box import _page
from test_page_guidance_reach import _gmm

BELOW = 4.4     # class stds below the mode: outside the data's box (4 stds), inside the zoomed panels (4.8)


@pytest.fixture(autouse=True)
def short_recipe(monkeypatch):
    shorten_lessons_recipe(monkeypatch)


def _split_learned(monkeypatch, at_w: float, near: int, far: int):
    """learned_guided_samples replaced: at w = at_w, `near` samples lie BELOW class stds straight
    below the class's mode and the next `far` at 1e3; the rest, and elsewhere, exact CFG's own."""
    def fake(cfg, gmm, lam, device, y, w, n, steps, seed):
        x = guidance.guided_samples(gmm, lam, y, w, n, steps, seed).copy()
        if w == at_w:
            x[:near] = (float(gmm.means[y, 0]), float(gmm.means[y, 1]) - BELOW * float(gmm.covs[y, 1, 1]) ** 0.5)
            x[near:near + far] = 1e3
        return x
    monkeypatch.setattr(guidance, "learned_guided_samples", fake)


def _learned(mixture, y, w, lam):
    """The page's 600 learned samples at this state (learned_guided_samples, as replaced)."""
    from dashboard import lessons, state
    seed = state.DEFAULT_SEED
    return guidance.learned_guided_samples(lessons.recipe(seed), _gmm(mixture), lam, "cpu", y, w, 600,
                                           guidance.STEPS, seed)


def _drawn_counts(mixture, y, w, lam):
    """From the learned samples themselves: how many the panels draw, and how many of those lie
    outside the data's box."""
    gmm, x = _gmm(mixture), _learned(mixture, y, w, lam)
    drawn = in_box(x, *guidance.samples_limits(gmm, y))
    return int(drawn.sum()), int((drawn & ~guidance.in_data_box(x, gmm)).sum())


@pytest.mark.parametrize("mixture, y, w, lam, near, far", [
    ("custom", 2, 3.0, 2.0, 40, 497), ("custom", 2, 4.0, 50.0, 61, 227), ("custom", 0, 4.0, 25.0, 0, 100),
    ("ring8", 6, 4.0, 25.0, 30, 100), ("tutorial", 1, 4.0, 25.0, 0, 100)])
def test_caption_counts_the_drawn_learned_samples_left_out(monkeypatch, clear_rows, mixture, y, w, lam, near, far):
    """Custom mixture, class 3 (0, −4), λ = 2, w = 3: the caption said the learned numbers count the
    63 of 600 samples inside the data's box and 497 lie outside the panels "(zoomed to the class)",
    as if every learned dot drawn were measured; 103 were drawn, about 40 of them outside the data's
    box, whose edge the zoomed panel reaches past. The caption now counts, from the samples drawn,
    how many lie outside the data's box and are not in the learned numbers, and says the panels
    reach past the data's box."""
    _split_learned(monkeypatch, w, near, far)
    caption, _ = _page(mixture, y, w, lam)
    drawn, gone = _drawn_counts(mixture, y, w, lam)
    assert near <= drawn <= 600 - far, (drawn, caption)
    kept = int(guidance.in_data_box(_learned(mixture, y, w, lam), _gmm(mixture)).sum())
    undrawn = kept - (drawn - gone)
    if gone:
        said = f"of the {drawn} learned samples drawn, {gone} lie outside the data's box and are not in the learned numbers"
    else:
        said = "every learned sample drawn is measured"
    said += f"; {undrawn} of the {kept} measured lie outside the panels, not drawn." if undrawn else "."
    assert said in caption, caption
    assert gone >= near, (gone, caption)
    if mixture != "tutorial":
        assert "(zoomed to the class, reaching past the data's box)" in caption, caption
        assert "(zoomed to the class)" not in caption, caption


def test_drawn_text_follows_the_counts():
    """Hand rows: one drawn sample left out, none drawn, none left out, and too few kept to measure."""
    row = {"learned_n": 600, "learned_kept": 100, "learned_cut": 499, "learned_cut_gone": 499}
    assert guidance.drawn_left_out_text(row) == ("of the 101 learned samples drawn, 1 lies outside the data's "
                                                 "box and is not in the learned numbers")
    assert guidance.drawn_left_out_text({**row, "learned_cut": 600, "learned_cut_gone": 500}) == \
        "no learned sample is drawn"
    assert guidance.drawn_left_out_text({**row, "learned_cut": 500, "learned_cut_gone": 500}) == \
        "every learned sample drawn is measured"
    assert guidance.drawn_left_out_text({**row, "learned_cut": 497, "learned_cut_gone": 480}) == \
        ("of the 103 learned samples drawn, 20 lie outside the data's box and are not in the learned numbers; "
         "17 of the 100 measured lie outside the panels, not drawn")
    few = {**row, "learned_kept": 10, "learned_cut": 500, "learned_cut_gone": 500}
    assert guidance.drawn_left_out_text(few) == "of the 100 learned samples drawn, 90 lie outside the data's box"


def test_a_zoomed_panel_inside_the_data_box_is_said_to_be_inside():
    """A small class between two wide ones: its zoomed panel lies inside the data's box and is said to."""
    gmm = dc.GaussianMixture.from_dict({"means": [[-5, -5], [5, 5], [0, 0]], "weights": [0.45, 0.45, 0.1],
                                        "covs": [np.eye(2).tolist(), np.eye(2).tolist(), (1e-4 * np.eye(2)).tolist()]})
    assert guidance.class_zoomed(gmm, 2) and not guidance.panels_past_box(gmm, 2)
    assert guidance.panels_words(gmm, 2) == "zoomed to the class, inside the data's box"
    assert guidance.panels_words(_gmm("custom"), 2) == "zoomed to the class, reaching past the data's box"
    assert guidance.panels_words(_gmm("tutorial"), 1) == "the data's box widened by a tenth on each side"

