"""Exact-score reversal: the mode-share caption weighs the samples off every mode against how far the
shares are off before saying the shares mean little; a time grid too coarse to give commitment times
draws no commitment-time histogram (a note says why, by the rule the text uses); the caption's median
commitment time is said to be over the paths that choose along the way wherever some never commit."""
import dataclasses

import numpy as np
import pytest

import diffusion_core as dc
from conftest import charts, heavy_corner_mixture, ok, open_page
from dashboard import reversal as rev

PAGE = "views/3_reversal.py"


def _state(which: str, method: str, steps: int, lam: float = 25.0):
    """(gmm, sde, run): the preset `which` ("hw": the custom mixture) at λ, the page's default run
    with `method` and `steps` (and the samples the page draws for them)."""
    gmm = heavy_corner_mixture() if which == "hw" else dc.PRESETS[which]
    run = dataclasses.replace(rev.default_view()[2], method=method, steps=steps)
    return gmm, dc.VESDE(lam), dataclasses.replace(run, n=rev.samples_for(gmm, run.n, steps))


STATES = [("hw", "sde", 10, 25.0), ("hw", "sde", 3, 25.0), ("hw", "sde", 200, 25.0), ("hw", "ode", 200, 25.0),
          ("hw", "tutorial", 10, 25.0), ("tutorial", "sde", 10, 50.0), ("tutorial", "sde", 200, 25.0),
          ("ring8", "sde", 200, 25.0)]


@pytest.mark.parametrize("which, method, steps, lam", STATES)
def test_off_mode_samples_are_weighed_against_the_shares_departures(which, method, steps, lam):
    """The custom mixture, reverse SDE at 10 steps: "8 % of the samples lie where p₀ is lower than … so
    these shares say little about where the sampler puts its mass", while mode 1 is 14.5 points off its
    weight, more than 8 % of strays could make. The shares are now said to mean little only where the
    strays' share reaches the largest |share − weight| the bars draw; else the sentence says so in numbers."""
    gmm, sde, run = _state(which, method, steps, lam)
    c, caption = rev.weight_check(gmm, sde, run), rev.weights_caption(gmm, sde, run)
    gap = np.abs(c["sampled"] - c["true"])
    k = int(np.argmax(gap))
    stray, off = round(100 * c["stray"], 1), round(100 * gap[k], 1)
    little = "so these shares say little about where the sampler puts its mass" in caption
    still = (f"So at most {stray:.1f} points of any share come from them, less than mode {k + 1}'s departure of "
             f"{off:.1f} points from its true weight") in caption and "still show where the sampler puts" in caption
    if c["stray"] <= rev.STRAY_SAY:
        assert not little and not still and "they belong to no mode" not in caption, caption
    else:
        assert little == (stray >= off) and still == (stray < off), caption
    if (which, method, steps) == ("hw", "sde", 10):
        assert still and "at most 7.6 points" in caption and "mode 1's departure of 14.5 points" in caption, caption
    if (which, method, steps) == ("hw", "sde", 3):
        assert little, caption


@pytest.mark.parametrize("which, method, steps, lam", STATES)
def test_a_grid_too_coarse_for_commitment_times_draws_no_histogram_of_them(which, method, steps, lam):
    """The custom mixture, reverse SDE at 3 steps: the text said the grid is too coarse to give
    commitment times, while the histogram below drew 393 paths at the grid's 4 times, captioned "when
    each path that chooses along the way committed". One rule (grid_too_coarse) now decides the words
    and the histogram: where it holds, no histogram, and the note and the caption say why."""
    gmm, sde, run = _state(which, method, steps, lam)
    cv = rev.commit_view(gmm, sde, run, rev.COMMIT_THRESHOLD)
    coarse = rev.grid_too_coarse(cv)
    assert rev.hist_shown(cv) == (not coarse)
    assert coarse == ((which, method, steps) == ("hw", "sde", 3)), cv["frames"]
    caption = rev.commitment_caption(cv, 50)
    if coarse:
        assert "too coarse to say when the paths choose" in rev.commit_clause(gmm, sde, run, "X")
        note = rev.hist_note(cv)
        assert f"Bottom right: n{note[1:]}" == caption[caption.index("Bottom right: "):], caption
        assert f"only {cv['frames']} times, from t = 1 to t = {rev.time_text(cv['t_last'])}" in rev.hist_note(cv)
        assert "committed (" not in caption
    else:
        assert "No histogram" not in caption and "when each path" in caption, caption


def test_the_page_draws_the_note_not_the_histogram_on_a_coarse_grid():
    """The page itself, the custom mixture, reverse SDE at 3 steps: no commitment-time histogram among
    its charts, the note in its place, and the coarse-grid words above it."""
    gmm = heavy_corner_mixture()
    at = ok(open_page(PAGE, 240, custom_mixture=gmm.to_dict(), w_mixture="custom", w_reversal_method="sde",
                      w_reversal_steps=3))
    specs = [c.proto.spec for c in charts(at)]
    assert specs and not any("commitment time t" in s for s in specs)
    assert any(i.value.startswith("No histogram of commitment times: this run's time grid has only 4 times")
               for i in at.info), [i.value for i in at.info]
    assert any("The time grid is too coarse to say when samples choose their mode" in m.value for m in at.markdown)


@pytest.mark.parametrize("which, method, steps, lam", STATES)
def test_the_captions_median_is_said_over_the_paths_that_choose_along_the_way(which, method, steps, lam):
    """Tutorial, λ = 50, reverse SDE at 10 steps: "half of them have committed by t ≈ 0.30", while 20 % of
    the paths never commit and the median is over the 399 that do. "half of them" now stands only where
    every path commits along the way (median_of_some false), else "half of those that choose along the way"."""
    gmm, sde, run = _state(which, method, steps, lam)
    cv = rev.commit_view(gmm, sde, run, rev.COMMIT_THRESHOLD)
    text = rev.commit_clause(gmm, sde, run, "X")
    if "committed by" not in text:
        return
    assert ("half of them have" in text) == (cv["n_along"] == cv["n_paths"]), (cv["n_along"], text)
    assert ("half of those that choose along the way have" in text) == rev.median_of_some(cv), text
    if (which, method, steps, lam) == ("tutorial", "sde", 10, 50.0):
        assert cv["undecided"] > 0.1 and cv["from_start"] == 0 and "half of those that choose" in text, text
