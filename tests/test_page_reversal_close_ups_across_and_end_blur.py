"""Final samples against the truth (Reversal, and Train & sample's samples panels) on the custom mixture
(modes 1 and 3 of std 0.02; mode 2 0.3 long and 0.01 across, at 45°): mode 2 was called readable because
it is 1.8 long, though it is 0.06 across; the close-up row showed only the heaviest small mode, leaving out
mode 3 where a 3-step sampler puts 10× its weight; and the mode-share caption sent the class to the panels'
samples off every mode as the end noise's doing, though that noise puts under 1 % of true samples there.
A mode is now small by its narrowest std, each small mode of the largest weight or drawn share gets a row
(at most ZOOM_ROWS), and the end noise's part off the modes is measured."""
import dataclasses

import diffusion_core as dc
import numpy as np
import pytest
import torch

from conftest import ok, open_page
from dashboard import models, reversal as rev

PAGE = "views/3_reversal.py"
CUSTOM = dc.GaussianMixture([[3.0, 3.0], [-3.0, 0.0], [0.0, -4.0]],
                            [[[0.0004, 0.0], [0.0, 0.0004]], [[0.04505, 0.04495], [0.04495, 0.04505]],
                             [[0.0004, 0.0], [0.0, 0.0004]]], [0.9, 0.08, 0.02])
SDE = dc.VESDE(25.0)


def custom_run(steps: int, gmm=CUSTOM) -> rev.Run:
    """The page's default run (reverse SDE), at `steps` steps."""
    run = rev.default_view()[2]
    return dataclasses.replace(run, method="sde", steps=steps, n=rev.samples_for(gmm, run.n, steps))


def drawn(gmm, run: rev.Run) -> dict:
    """The dots panels' sets as the page's caption names them, in the figure's order."""
    return {"these samples": rev.sample_run(gmm, SDE, run)["x"], "the true samples": rev.truth(gmm, run.n, run.seed)["ref"]}


def close_up_titles(gmm, sets: dict) -> list[str]:
    """The close-up rows' first panel titles of the figure drawn from sets."""
    fig = models.mass_dots_figure(gmm, list(sets.items()), ["C0", "C2"], 0)
    return [ax.get_title() for ax in fig.axes[len(sets)::len(sets)]]


def test_a_mode_long_but_narrow_across_is_small_and_drawn_across():
    """Mode 2 spans 1.8 along but 0.06 across, under a tenth of the 8.3-wide view: it is small, and its
    close-up is its mean ± 6 × 0.01, the width across."""
    assert models.small_modes(CUSTOM) == [0, 1, 2]
    assert models.zoom_limits(CUSTOM, 1) == (pytest.approx((-3.06, -2.94)), pytest.approx((-0.06, 0.06)))
    assert models.zoom_limits(CUSTOM, 0) == (pytest.approx((2.88, 3.12)), pytest.approx((2.88, 3.12)))
    text = models.zoom_text(CUSTOM, drawn(CUSTOM, custom_run(200)))
    assert "Every mode is small in this view (the widest spans 0.12, mean ± 3 std across its narrowest direction" in text
    assert "mode 2 is 1.8 long but 0.06 across" in text and "where mode 2 spans" not in text, text


@pytest.mark.parametrize("steps", [200, 10, 3])
def test_every_small_custom_mode_gets_a_row_with_its_weight_and_drawn_shares(steps):
    """Each of the three modes gets a close-up row, the heaviest by weight or drawn share first, and the text
    gives each mode's weight and its shares in the two panels, the numbers of the page's share bars."""
    run = custom_run(steps)
    sets = drawn(CUSTOM, run)
    shares = models.drawn_shares(CUSTOM, list(sets.items()))
    key = np.maximum(CUSTOM.weights.numpy(), shares.max(0))
    assert models.zoom_modes(CUSTOM, list(sets.items())) == list(np.argsort(-key, kind="stable"))
    text = rev.dots_note(CUSTOM, SDE, run)
    assert text.endswith(models.zoom_text(CUSTOM, sets)) and "not shown close up" not in text
    for k in range(3):
        assert f"{k + 1} ({100 * CUSTOM.weights[k]:.3g} %; {100 * shares[0, k]:.1f} %, {100 * shares[1, k]:.1f} %)" in text
    assert "the 3 rows below show modes" in text and "(in brackets: weight; these samples, the true samples)" in text
    titles = close_up_titles(CUSTOM, sets)
    assert [t.split(",")[0] for t in titles] == [f"mode {k + 1}" for k in models.zoom_modes(CUSTOM, list(sets.items()))]
    if steps == 3:      # the sampler over-fills mode 3 (2 %): its row is there, its share named
        assert shares[0, 2] > 0.15 and "3 (2 %; 20.3 %" in text, text


def test_ring8_draws_three_of_its_equal_modes_and_names_the_rest():
    """ring8's eight equal small modes: three rows (ZOOM_ROWS), those of the largest drawn share, and the
    other five named with their weights and shares (four by number, the fifth counted)."""
    gmm = dc.PRESETS["ring8"]
    run = custom_run(200, gmm)
    sets = drawn(gmm, run)
    pairs = list(sets.items())
    shown = models.zoom_modes(gmm, pairs)
    key = models.drawn_shares(gmm, pairs).max(0)
    assert len(shown) == models.ZOOM_ROWS == 3 and sorted(key[shown]) == sorted(np.sort(key)[-3:])
    text = rev.dots_note(gmm, SDE, run)
    assert "Every mode is small in this view" in text and "long but" not in text
    assert "the small modes of the largest weight or share in a panel, close up, each 1.8 wide" in text, text
    assert "and 1 more (none above" in text and "are small too and not shown close up." in text, text
    assert len(close_up_titles(gmm, sets)) == 3


def test_tutorial_has_no_close_up():
    gmm = dc.PRESETS["tutorial"]
    assert models.small_modes(gmm) == [] and models.zoom_text(gmm, drawn(gmm, custom_run(200, gmm))) == ""


def test_an_elongated_narrow_mode_beside_a_round_wide_one():
    """A mode 3 long and 0.12 across (std 0.5 × 0.02, at 30°) beside one of std 1: small by its width across
    (by its length it was not), drawn close up across, and said to be long but narrow; Train & sample's
    three sets read the same close-up."""
    c, s = np.cos(np.pi / 6), np.sin(np.pi / 6)
    rot = np.array([[c, -s], [s, c]])
    cov = rot @ np.diag([0.25, 0.0004]) @ rot.T
    gmm = dc.GaussianMixture([[-3.0, 0.0], [3.0, 0.0]], [cov.tolist(), [[1.0, 0.0], [0.0, 1.0]]], [0.4, 0.6])
    assert 6 * models.mode_stds(gmm)[0] > models.ZOOM_SHARE * models.view_side(gmm)
    assert models.small_modes(gmm) == [0]
    assert models.zoom_limits(gmm, 0) == (pytest.approx((-3.12, -2.88)), pytest.approx((-0.12, 0.12)))
    sets = {w: gmm.sample(800, torch.Generator().manual_seed(s))[0].numpy() for w, s in (("the learned score's samples", 1),
                                                            ("the exact score's", 2), ("the true samples", 3))}
    text = models.zoom_text(gmm, sets)
    assert text.startswith(" Mode 1 is small in this view (it spans 0.12, mean ± 3 std across its narrowest "
                           "direction, of a view"), text
    assert "; mode 1 is 3 long but 0.12 across, where mode 2 spans 6)" in text, text
    assert "the second row shows mode 1 (40 %; " in text and "0.24 wide" in text
    assert models.mass_picture_text(sets, gmm, 0).endswith(text)


@pytest.mark.parametrize("steps", [10, 3])
def test_coarse_steps_not_the_end_noise_put_samples_off_every_mode(steps):
    """Custom, 10 and 3 steps: σ = 0.01 at the end puts 0.5 % of true samples off every mode against the run's
    7.6 % / 91.7 %: the caption says so and that the rest come from the steps, and no longer points at the
    panels' off-mode samples as the noise's doing."""
    run = custom_run(steps)
    c = rev.weight_check(CUSTOM, SDE, run)
    assert c["blurred"] < 0.01 < rev.STRAY_SAY < c["stray"]
    caption = rev.weights_caption(CUSTOM, SDE, run)
    assert "though it can blur samples off every mode" not in caption and "panels above" not in caption, caption
    rest = round(100 * c["stray"], 1) - round(100 * c["blurred"], 1)
    assert (f"added to true samples puts {rev.share_text(c['blurred'])} of them off every mode, against this run's "
            f"{rev.share_text(c['stray'])}: the other {rest:.1f} points come from the steps before the end)") in caption


def test_no_blur_clause_where_few_samples_are_off_the_modes():
    run = custom_run(200)
    c = rev.weight_check(CUSTOM, SDE, run)
    assert c["stray"] < rev.STRAY_SAY and rev.blur_clause(c, "X") == ""


def test_end_noise_that_accounts_for_the_off_mode_samples_points_at_them():
    """Where the share the end noise puts off every mode matches the run's (within 3 standard errors),
    the clause points at the panels' samples; where it falls short, it gives the rest to the steps."""
    c = dict(std=np.array([0.01, 0.2]), stray=0.07, blurred=0.066, sigma_end=0.05, n=2500, z=3.0)
    assert rev.blur_clause(c, "WHERE") == (" (though it can blur samples off every mode: σ = 0.0500, 5× the narrowest "
                                           "mode's std, added to true samples puts 6.6 % of them off every mode, as "
                                           "many as this run's 7.0 %; WHERE)")
    short = rev.blur_clause(dict(c, blurred=0.02), "WHERE")
    assert "WHERE" not in short and "the other 5.0 points come from the steps before the end" in short


def test_page_shows_the_custom_three_step_close_ups_and_end_noise_words():
    at = ok(open_page(PAGE, 240, custom_mixture=CUSTOM.to_dict(), w_mixture="custom", w_reversal_method="sde",
                      w_reversal_steps=3))
    caps = " ".join(c.value for c in at.caption)
    assert "the 3 rows below show modes" in caps and "mode 2 is 1.8 long but 0.06 across" in caps, caps
    assert "come from the steps before the end" in caps
