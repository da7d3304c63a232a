"""Exact-score reversal, the commitment section's never-commit sentence against the page's own numbers: a
responsibility at the threshold names a mode without putting the path in it (many samples can end off every
mode), and paths below a strict threshold as often as true samples are not "between modes"."""
import dataclasses

import pytest

import diffusion_core as dc
from conftest import ok, open_page
from dashboard import reversal as rev

PAGE = "views/3_reversal.py"
CUSTOM = {"means": [[3, 3], [-3, 0], [0, -4]],
          "covs": [[[0.0004, 0], [0, 0.0004]], [[0.04505, 0.04495], [0.04495, 0.04505]], [[0.0004, 0], [0, 0.0004]]],
          "weights": [0.9, 0.08, 0.02]}


def _view(which, threshold, lam=25.0, **changes):
    """commit_view of a preset or the custom mixture at λ and `threshold`, the page's defaults changed by `changes`."""
    gmm = dc.GaussianMixture.from_dict(CUSTOM) if which == "custom" else dc.PRESETS[which]
    run = dataclasses.replace(rev.default_view()[2], **changes)
    return rev.commit_view(gmm, dc.VESDE(lam), run, threshold)


def _check(cv):
    """The sentence follows the numbers: the off-mode share is said exactly where the mode-share caption says
    it (above STRAY_SAY); "between modes" for paths that never commit only at a threshold at most SPLIT_SAY or
    where they fall below it clearly more often than true samples; else the true samples' own share."""
    note, stray = rev.undecided_note(cv), cv["end_stray"]["share"]
    said = f"{rev.pct(100 * stray)} % of the samples lie where p₀ is lower than at all but 0.1 % of true samples"
    if round(cv["undecided"] * cv["n_paths"]) == 0:
        assert (said in note) == (stray > rev.STRAY_SAY), note
        return note
    if rev.vacuous_threshold(cv):
        return note
    between = cv["threshold"] <= rev.SPLIT_SAY or rev.end_blur_adds(cv) or rev.overlap_bounds(cv)
    assert ("so they end between modes" in note) == between, note
    if not between:
        assert f"({rev.share_text(cv['overlap'])} of them are below {cv['threshold']:.2f} too)" in note, note
        assert "“between modes”" not in note, note
    return note


@pytest.mark.parametrize("steps, seed", [(5, 2022), (5, 2021), (3, 2022)])
def test_committed_paths_off_every_mode_are_not_said_to_be_in_a_mode(steps, seed):
    """Custom mixture (two tiny modes, one thin), λ 25, reverse SDE at few steps, threshold 0.90: "Here no path
    ends between modes: every path's end-mode responsibility is at or above 0.90 by the end …", while the mode
    shares above say 48 % of the samples lie off every mode. The sentence now says that a mode far more
    responsible does not put a path in it, with the same share."""
    cv = _view("custom", 0.90, method="sde", steps=steps, seed=seed)
    assert cv["end_stray"]["share"] > rev.STRAY_SAY and round(cv["undecided"] * cv["n_paths"]) == 0
    note = _check(cv)
    assert "does not put it in that mode" in note and "off every mode (the mode shares above)" in note, note
    if (steps, seed) == (5, 2022):
        assert "48 % of the samples lie where p₀ is lower than at all but 0.1 % of true samples" in note, note


@pytest.mark.parametrize("which", ["tutorial", "ring8", "custom"])
@pytest.mark.parametrize("threshold", [0.5, 0.9, 0.99])
def test_never_commit_sentence_follows_the_true_samples_share(which, threshold):
    """Reverse SDE at 200 steps, λ 25, thresholds 0.50, 0.90, 0.99 on three mixtures: the words follow _check.
    Tutorial at 0.99: "51 % of the paths never commit … so they end between modes" though 53.2 % of true samples
    of p₀ are below 0.99 too; the sentence now says the paths fall below it as often as true samples do."""
    cv = _view(which, threshold, method="sde", steps=200)
    note = _check(cv)
    if which == "tutorial" and threshold > 0.5:
        assert "so they end between modes" not in note and ", as often as true samples of p₀" in note, note
        assert "the share measures how strict the threshold is" in note, note
    if which == "tutorial" and threshold == 0.99:
        assert "(53.2 % of them are below 0.99 too)" in note and rev.undecided_share(cv) == "51 %", note
    if which != "tutorial":
        assert "does not put it in that mode" not in note, note


@pytest.mark.parametrize("which", ["tutorial", "ring8"])
def test_paths_stopping_between_blurred_modes_still_end_between_modes(which):
    """The tutorial's loop at 3 steps, λ 25, threshold 0.90: it stops at t = 0.33, where pₜ's modes overlap more
    than p₀'s, so the paths that never commit do end between pₜ's modes, and the sentence says so."""
    cv = _view(which, 0.90, method="tutorial", steps=3)
    assert rev.end_blur_adds(cv)
    note = _check(cv)
    assert "so they end between modes" in note and "“between modes” means between pₜ's modes there" in note, note


def test_fewer_paths_than_true_samples_below_the_threshold_are_not_between_modes():
    """Tutorial, reverse SDE at 3 steps, λ 25, threshold 0.90: 12 % never commit, fewer than the 22.6 % of true
    samples of p₀ below 0.90, beyond the noise: not "between modes"; the true samples' share is given."""
    cv = _view("tutorial", 0.90, method="sde", steps=3)
    note = _check(cv)
    assert "less often than true samples of p₀ (22.6 % of them are below 0.90 too)" in note, note


def test_page_says_the_strict_threshold_share_like_true_samples():
    """The page itself at its defaults (tutorial, reverse SDE, 200 steps) with the threshold slider at 0.99."""
    at = ok(open_page(PAGE, 240, w_mixture="tutorial", w_reversal_lam=25.0, w_reversal_threshold=0.99))
    prose = " ".join(m.value for m in at.markdown)
    assert "as often as true samples of p₀ (53.2 % of them are below 0.99 too)" in prose
    assert "so they end between modes" not in prose
