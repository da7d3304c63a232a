"""Exact-score reversal, the commitment section's never-commit sentence: what a path below a threshold at
or below 1/K is, the noise left where the run stops as a measured cause, and a never-commit share below
what a named cause alone gives."""
import dataclasses

import numpy as np
import pytest
import torch

import diffusion_core as dc
from conftest import heavy_corner_mixture, ok, open_page
from dashboard import reversal as rev

PAGE = "views/3_reversal.py"


def _view(which, lam, threshold, **changes):
    """(gmm, sde, run, commit_view) for a preset or the custom mixture ("hw") at λ and `threshold`."""
    gmm, sde = (heavy_corner_mixture() if which == "hw" else dc.PRESETS[which]), dc.VESDE(lam)
    run = dataclasses.replace(rev.default_view()[2], **changes)
    return gmm, sde, run, rev.commit_view(gmm, sde, run, threshold)


def _page_prose(which, lam, threshold, steps, seed, gmm):
    """The page's markdown at the tutorial's loop with `steps`, λ, seed and the threshold slider."""
    mix = {"custom_mixture": gmm.to_dict(), "w_mixture": "custom"} if which == "hw" else {"w_mixture": which}
    at = ok(open_page(PAGE, 240, **mix, w_reversal_lam=lam, w_reversal_method="tutorial",
                      w_reversal_steps=steps, w_seed=seed, w_reversal_threshold=threshold))
    return " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize("which, lam, threshold, changes", [
    ("tutorial", 50.0, 0.50, dict(method="tutorial", steps=3, seed=2022)),    # 7 % never commit
    ("tutorial", 25.0, 0.50, dict(method="tutorial", steps=3, seed=2022)),
    ("hw", 25.0, 0.33, dict(method="tutorial", steps=2, seed=2021)),          # three modes, 1/3
])
def test_never_commit_at_a_threshold_at_most_one_over_k_is_not_between_modes(which, lam, threshold, changes):
    """Tutorial, λ 50, the loop at 3 steps, threshold 0.50: "Here 7 % of the paths never commit: … so they end
    between modes … the modes themselves do not overlap (no true sample of p₀ is below 0.50)", though with two
    modes some mode always has responsibility ≥ 0.50 (the overlap test is vacuous) and such a path lies on the
    other mode's side of pₜ at the run's last time. The sentence now says that, and no word of overlap."""
    gmm, sde, run, cv = _view(which, lam, threshold, **changes)
    k = gmm.n_components
    assert rev.vacuous_threshold(cv) and cv["undecided"] > 0
    note = rev.undecided_note(cv)
    assert "overlap" not in note and "between modes”" not in note and "so they end between modes" not in note, note
    assert (f"With {k} modes some mode always has at least 1/{k}, so these paths are not between modes: "
            f"{'the other mode' if k == 2 else 'another mode'} of pₜ is more responsible for them there") in note, note
    assert f" Here {rev.undecided_share(cv, count=True)} of the paths never commit" in note
    # the claim itself: under pₜ at the last time, another mode than the final one is the most responsible
    r = rev.sample_run(gmm, sde, run)
    end = torch.as_tensor(r["paths"][-1], dtype=torch.float64)
    top = gmm.diffuse(sde, cv["t_last"]).responsibilities(end).argmax(dim=1).numpy()
    rs = rev.responsibilities(gmm, sde, run)
    never = rs["resp"][-1] < threshold
    assert never.any() and (top[never] != rs["labels"][never]).all()
    if which == "tutorial" and lam == 50.0:
        assert rev.undecided_share(cv) == "7 %"
        assert note.strip() in _page_prose(which, lam, threshold, 3, 2022, gmm)


@pytest.mark.parametrize("which, lam, changes, named", [
    ("hw", 25.0, dict(method="tutorial", steps=2, seed=2021), True),     # σₜ = 1.93 against 5.00
    ("hw", 25.0, dict(method="tutorial", steps=3, seed=2021), True),
    ("hw", 25.0, dict(method="tutorial", steps=10, seed=2022), False),   # σₜ = 0.375: pₜ's modes apart
    ("ring8", 50.0, dict(method="tutorial", steps=3), True),
    ("tutorial", 0.1, {}, False),                                        # reverse SDE, ends at ε ≈ 0
])
def test_noise_left_at_the_end_is_a_cause_only_where_pt_overlaps_there(which, lam, changes, named):
    """The custom mixture, the loop at 2 steps, λ 25: "The cause here: the run stops at t = 0.50, where σₜ = 1.93
    is more than the narrowest mode's std (0.01) …", though at 10 steps σₜ = 0.375 is still 37× that std and
    (almost) every path commits. The cause is now σₜ against the closest modes' distance, measured as the share
    of true samples of pₜ at the last time with no mode at the threshold, named only where it is above p₀'s."""
    gmm, sde, run, cv = _view(which, lam, rev.COMMIT_THRESHOLD, **changes)
    note = rev.undecided_note(cv)
    assert "narrowest mode's std" not in note, note
    assert rev.end_blur_adds(cv) == named and (("the run stops" in note) == named), note
    # the measure: true samples of pₜ at the run's last time, their largest responsibility under pₜ
    t = float(np.min(rev.sample_run(gmm, sde, run)["times"]))
    pt = gmm.diffuse(sde, t)
    x = pt.sample(run.n, torch.Generator().manual_seed(run.seed + 1))[0].double()
    share = float((pt.responsibilities(x).max(dim=-1).values < rev.COMMIT_THRESHOLD).double().mean())
    assert cv["end_overlap"] == pytest.approx(share)
    if named:
        assert (f", where σₜ = {cv['end_sigma']:.3g}, against {rev.closest_modes(gmm):.2f} between the closest "
                f"modes") in note and f"{rev.share_text(share)} of true samples of pₜ there have no mode" in note, note
    if which == "hw" and changes["steps"] == 2:
        assert ("σₜ = 1.93, against 5.00 between the closest modes, before pₜ splits them (at t = 0.46): pₜ's "
                "modes there overlap, 7.5 %") in note, note           # pₜ first dips between modes 2 and 3 at 0.46
        assert "which accounts for at most 7.5 % of paths" in note, note
        assert note.strip() in _page_prose(which, lam, rev.COMMIT_THRESHOLD, 2, 2021, gmm)
    if which == "hw" and changes["steps"] == 10:
        assert rev.undecided_share(cv, count=True) == "under 1 % (1 of 500)" and cv["end_overlap"] == 0


@pytest.mark.parametrize("which, lam, threshold, changes, fewer", [
    ("tutorial", 50.0, 0.90, dict(method="tutorial", steps=3, seed=2022), True),   # 12 % against 62.0 %
    ("tutorial", 50.0, 0.99, dict(method="tutorial", steps=3, seed=2022), True),
    ("ring8", 50.0, 0.90, dict(method="tutorial", steps=3), True),
    ("tutorial", 0.1, 0.90, {}, False),             # 47 % never commit, above the overlap of 22.6 %
    ("hw", 25.0, 0.90, dict(method="tutorial", steps=2, seed=2021), False),
])
def test_never_commit_share_below_a_named_cause_says_what_lowers_it(which, lam, threshold, changes, fewer):
    """Tutorial, λ 50, the loop at 3 steps, threshold 0.90: "Here 12 % of the paths never commit … The causes
    here: the modes overlap: 23.5 % … and the run stops at t = 0.33 …", each cause alone giving more than 12 %.
    The sentence now says the share is below the largest overlap named and what lowers it: the samples that end
    as strays, far from every mode (the mode-share caption's share), most of whose paths count as committed;
    and that the run stops before pₜ splits the closest modes where it does."""
    gmm, sde, run, cv = _view(which, lam, threshold, **changes)
    note = rev.undecided_note(cv)
    assert (". Only " in note and " never commit, fewer than the " in note) == fewer, note
    split = cv["t_split"] is not None and cv["t_last"] > cv["t_split"] and rev.end_blur_adds(cv)
    assert ("before pₜ splits them (at t = " in note) == split, note
    if split:
        assert f"before pₜ splits them (at t = {rev.time_text(cv['t_split'])})" in note, note
    if fewer:
        top = max(cv["overlap"], cv["end_overlap"])
        assert cv["undecided"] < top and f"fewer than the {rev.share_text(top)} of true samples" in note, note
        stray = rev.stray_share(gmm, sde, run)
        assert f": {rev.pct(100 * stray)} % of the samples end where p₀ is negligible" in note, note
    if which == "tutorial" and lam == 50.0 and threshold == 0.90:
        assert ("Only 12 % never commit, fewer than the 62.0 % of true samples of pₜ there with no mode at 0.90: "
                "91 % of the samples end where p₀ is negligible") in note, note
        assert "before pₜ splits them (at t = 0.22)" in note, note
        assert note.strip() in _page_prose(which, lam, threshold, 3, 2022, gmm)
