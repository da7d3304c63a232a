"""Exact-score reversal: the far start, named as a cause of paths that never commit, comes with its part
measured against the same run started from the exact p₁, like every other cause the sentence names."""
import dataclasses
import re

import pytest

import diffusion_core as dc
from conftest import heavy_corner_mixture, ok, open_page
from dashboard import models
from dashboard import reversal as rev

PAGE = "views/3_reversal.py"
TOTAL = re.compile(r"account(?:s)? for at most ([\d.]+) % of the (\d+) %")


def _view(which, lam, threshold=rev.COMMIT_THRESHOLD, **changes):
    """(gmm, sde, run, commit_view) for a preset or the custom mixture ("hw") at λ and `threshold`."""
    gmm, sde = (heavy_corner_mixture() if which == "hw" else dc.PRESETS[which]), dc.VESDE(lam)
    run = dataclasses.replace(rev.default_view()[2], **changes)
    return gmm, sde, run, rev.commit_view(gmm, sde, run, threshold)


@pytest.mark.parametrize("which, lam, changes", [
    ("tutorial", 0.1, {}),                                   # reverse SDE, 200 steps: 47 % here, 26 % from p₁
    ("tutorial", 0.1, dict(method="tutorial", steps=3)),
    ("tutorial", 1.0, {}),
    ("tutorial", 3.0, {}),                                   # far, but 27 % against 25 %: within the noise
    ("tutorial", 0.1, dict(seed=2022)),
    ("ring8", 50.0, dict(method="tutorial", steps=3)),       # no far start
    ("hw", 25.0, dict(method="tutorial", steps=3)),          # no far start: unchanged
])
def test_far_start_cause_is_measured_against_the_run_from_the_exact_p1(which, lam, changes):
    """Tutorial, λ = 0.1, reverse SDE, 200 steps, seed 2021: "The causes here: the start is far from p₁ …; and the
    modes overlap …, which accounts for at most 22.6 %" while 47 % never commit: the start's part was not
    measured, so the causes named might not account for the share. The start's part is now the share never
    committing here less the share never committing in the same steps started from the exact p₁ (the tiles'
    own number for each run), against two standard errors of their difference; it heads "… causes, measured"
    and adds to the total like the others. Without a far start the sentence is as before."""
    gmm, sde, run, cv = _view(which, lam, **changes)
    note = rev.undecided_note(cv)
    assert "The cause here" not in note and "The causes here" not in note, note
    far = models.start_far(float(sde.prior_std()), gmm)
    if not far:
        assert "the start is far" not in note and "started from the exact p₁" not in note, note
    else:
        p1 = rev.commit_view(gmm, sde, dataclasses.replace(run, start="p1"), cv["threshold"])
        here, there = rev.undecided_share(cv), rev.undecided_share(p1)       # as the "never commit" tile prints them
        gap = int(here.split()[0]) - int(there.split()[0])
        band = round(200 * models.diff_se(cv["undecided"], cv["n_paths"], p1["undecided"], p1["n_paths"]), 1)
        runs = (f"{here} never commit here, {there} started from the exact p₁ (Advanced) with the same "
                f"{rev.run_steps(cv)}")
        counted = gap if abs(gap) > band and gap > 0 else 0
        # a cause, counted in the heading, only where its part is beyond the noise and raises the share
        assert (f"causes, measured: the start is far from p₁: {far}" in note) == bool(counted), note
        if counted:
            assert (f"it accounts for {gap} points: {runs}, a gap beyond the ± {band} points two runs differ "
                    "by chance") in note, note
        elif abs(gap) > band:
            assert f". The start is far from p₁: {far}" in note, note
            assert f"yet it does not raise this share: {runs}, more, beyond the ± {band} points" in note, note
        else:
            assert f". The start is far from p₁: {far}" in note, note
            assert f"{runs}, {abs(gap)} point{'' if abs(gap) == 1 else 's'} apart, within the ± {band} points" in note, note
        said = TOTAL.search(note)
        if said:       # the total adds the start's points to the others as printed
            steps = round(100 * cv["end_off"]["never"]) if rev.steps_cause(cv) else 0
            top = max(cv["overlap"], cv["end_overlap"] if rev.end_blur_adds(cv) else 0.0)
            assert float(said.group(1)) == pytest.approx(steps + counted + round(100 * top, 1))
            assert int(said.group(2)) == round(100 * cv["undecided"])
    if which == "tutorial" and lam == 0.1 and changes == {}:
        assert ("Two causes, measured: the start is far from p₁: σ₁ = 0.46 is smaller than the data's std along "
                "its widest direction, 1.74, so the prior starts paths where p₁ has little mass (the warning "
                "above): it accounts for 21 points: 47 % never commit here, 26 % started from the exact p₁ (Advanced) "
                "with the same 200 steps, a gap beyond the ± 6.0 points") in note, note
        assert "Together they account for at most 43.6 % of the 47 %." in note, note
    if which == "tutorial" and changes.get("steps") == 3:
        assert "Three causes, measured" in note and "Together they account for at most 62.2 % of the 63 %" in note, note
    if which == "tutorial" and lam == 1.0:
        assert "it accounts for 7 points: 33 % never commit here, 26 % started from the exact p₁" in note, note
    if which == "tutorial" and lam == 3.0:
        assert "One cause, measured: the modes overlap" in note, note
        assert ". The start is far from p₁: σ₁ = 1.91 is not much larger than the data's std along its widest direction" in note, note
        assert "27 % never commit here, 25 % started from the exact p₁" in note, note
        assert "2 points apart, within the ± 5.5 points" in note, note
    if which == "hw":
        assert ("Two causes, measured: 30 % of the paths never commit" in note
                and "Together they account for at most 30.3 % of the 34 %." in note), note


@pytest.mark.parametrize("start", ["prior", "p1"])
def test_far_start_cause_reads_on_the_page_beside_the_tile(start):
    """The page at λ = 0.1: the sentence's share here is the "never commit" tile's; started from the exact p₁
    (Advanced) there is no start part: the sentence names no far start."""
    at = ok(open_page(PAGE, 240, w_reversal_lam=0.1, w_reversal_start=start))
    prose = " ".join(m.value for m in at.markdown)
    tile = next(m.value for m in at.metric if m.label == "never commit")
    assert f"Here {tile} of the paths never commit" in prose, prose
    assert "The causes here" not in prose and "The cause here" not in prose, prose
    if start == "prior":
        assert f"it accounts for 21 points: {tile} never commit here, 26 % started from the exact p₁" in prose, prose
    else:
        assert "the start is far from p₁" not in prose and "started from the exact p₁ (Advanced) with" not in prose
        assert "One cause, measured: the modes overlap" in prose, prose


def test_far_start_shares_print_as_the_tile_prints_them():
    """A share from the exact p₁ of 1 path in 500 prints "under 1 %", as the "never commit" tile would, not "0 %"."""
    cv = dict(far="σ₁ = 0.46 is smaller than the data's spread", undecided=0.3, start_never=0.002, n_paths=500,
              steps_taken=200)
    text = rev.start_cause(cv)
    assert "30 % never commit here, under 1 % started from the exact p₁ (Advanced) with the same 200 steps" in text
    assert "it accounts for 30 points" in text and rev.start_aside(cv) == "", text
