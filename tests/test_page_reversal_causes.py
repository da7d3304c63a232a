"""Exact-score reversal: the causes the page names for what it shows are measured, and they add up as printed:
the never-commit sentence's causes with their shares, the mode-share caption's standard errors and splits,
and the commitment caption's words on the paths' noise."""
import dataclasses
import re

import numpy as np
import pytest
import torch

import diffusion_core as dc
from conftest import heavy_corner_mixture, ok, open_page
from dashboard import reversal as rev

PAGE = "views/3_reversal.py"


def _view(which, lam, threshold=rev.COMMIT_THRESHOLD, **changes):
    """(gmm, sde, run, commit_view) for a preset or the custom mixture ("hw") at λ and `threshold`."""
    gmm, sde = (heavy_corner_mixture() if which == "hw" else dc.PRESETS[which]), dc.VESDE(lam)
    run = dataclasses.replace(rev.default_view()[2], **changes)
    return gmm, sde, run, rev.commit_view(gmm, sde, run, threshold)


def _page(which, lam, gmm, **widgets):
    """The page at λ with the reversal widgets given (w_reversal_<key>=…, or w_seed)."""
    mix = {"custom_mixture": gmm.to_dict(), "w_mixture": "custom"} if which == "hw" else {"w_mixture": which}
    return ok(open_page(PAGE, 240, **mix, w_reversal_lam=lam, **widgets))


@pytest.mark.parametrize("which, lam, changes", [
    ("hw", 25.0, dict(method="tutorial", steps=3, seed=2021)),     # 34 % never commit, pₜ's overlap 0.3 %
    ("hw", 25.0, dict(method="tutorial", steps=2, seed=2021)),
    ("hw", 25.0, dict(method="tutorial", steps=3, seed=2022)),
    ("hw", 25.0, dict(method="tutorial", steps=10, seed=2022)),    # (almost) every path commits
    ("tutorial", 50.0, dict(method="tutorial", steps=3)),
    ("ring8", 50.0, dict(method="tutorial", steps=3)),
    ("tutorial", 25.0, {}),                                         # reverse SDE, 200 steps: the overlap alone
])
def test_never_commit_causes_are_measured_and_account_for_the_share(which, lam, changes):
    """The custom mixture, the loop at 3 steps, λ 25, seed 2021: "Here 34 % of the paths never commit … The cause
    here: the run stops at t = 0.33 … which accounts for at most 0.3 % of paths", the rest given no cause while
    the coarse steps throw the samples off every mode. The steps' part is now measured (paths that never commit
    and end where pₜ at the last time is lower than at 99 % of its own true samples), both causes come with
    their shares, and "The cause here" heads no cause that accounts for less than most of the share."""
    gmm, sde, run, cv = _view(which, lam, **changes)
    note = rev.undecided_note(cv)
    # the measure, recomputed: kept paths' end points under pₜ at the run's last time
    r = rev.sample_run(gmm, sde, run)
    t = float(np.min(r["times"]))
    pt = gmm.diffuse(sde, t)
    ref = pt.sample(run.n, torch.Generator().manual_seed(run.seed + 1))[0].double()
    lo = torch.quantile(pt.log_prob(ref), rev.OFF_Q)
    off = (pt.log_prob(torch.as_tensor(r["paths"][-1], dtype=torch.float64)) < lo).numpy()
    never = rev.responsibilities(gmm, sde, run)["resp"][-1] < rev.COMMIT_THRESHOLD
    assert cv["end_off"]["never"] == pytest.approx(float((off & never).mean()))
    assert cv["end_off"]["all"] == pytest.approx(float(off.mean()))
    steps = rev.steps_cause(cv)
    assert bool(steps) == (steps in note and steps != ""), note
    if steps:
        share = rev.path_share(cv["end_off"]["never"], cv["n_paths"], count=True)
        assert (f"{share} of the paths never commit and end where pₜ at t = {rev.time_text(t)} is lower than at "
                f"99 % of its own true samples, off where its samples lie: put there by the run's "
                f"{rev.run_steps(cv)}") in note, note
        # the slider's steps, with the updates the run takes where they differ (the tutorial's loop)
        k = len(r['times']) - 1
        assert rev.run_steps(cv) == (rev.steps_label(cv["steps"])
                                     + ("" if k == cv["steps"] else f" ({k} update{'' if k == 1 else 's'})")), cv
    # "The cause here" only where no measured share is left short of most of the never-commit share
    assert "The cause here" not in note and "The causes here" not in note, note
    printed = re.search(r"account(?:s)? for at most ([\d.]+) % of the (\d+) %", note)
    if printed:           # the total adds the printed parts
        total, und = float(printed.group(1)), int(printed.group(2))
        parts = [rev.path_share_value(cv["end_off"]["never"], cv["n_paths"])] if steps else []
        top = max(cv["overlap"], cv["end_overlap"] if rev.end_blur_adds(cv) else 0.0)
        assert total == pytest.approx(sum(parts) + round(100 * top, 1)) and und == round(100 * cv["undecided"])
        assert ("No cause the page measures accounts for the rest" in note) == (2 * total < und), note
    if which == "hw" and changes["steps"] == 3 and changes["seed"] == 2021:
        assert "Two causes, measured: 30 % of the paths never commit and end where pₜ at t = 0.33" in note, note
        assert "put there by the run's 3 steps (2 updates)" in note and "Together they account for at most 30.3 % of the 34 %" in note
        assert note.strip() in " ".join(m.value for m in _page(which, lam, gmm, w_reversal_method="tutorial",
                                                                w_reversal_steps=3, w_seed=2021).markdown)
    if which == "hw" and changes["steps"] == 10:
        assert "The steps' share alone accounts for all of them" in note or "No cause the page measures" in note
    if which == "tutorial" and lam == 25.0:
        assert not steps and "One cause, measured: the modes overlap: 22.6 %" in note, note


SE_SAID = re.compile(r"± (\d+\.\d) % (?:for the heaviest, w = |at )(\d+\.\d) %")


@pytest.mark.parametrize("which, lam, changes", [
    ("hw", 25.0, dict(seed=2021)),                       # reverse SDE, 200 steps: the start apportioned
    ("hw", 25.0, dict(steps=50, seed=2021)),
    ("tutorial", 25.0, dict(method="tutorial", steps=3, seed=2022)),
    ("ring8", 50.0, dict(method="tutorial", steps=3)),
])
def test_mode_share_caption_gives_one_standard_error_per_share(which, lam, changes):
    """The custom mixture, reverse SDE, 200 steps, seed 2021: "(± 0.6 % for the heaviest, w = 90.0 %)" and later
    "(each share ± 0.7 % at most, one standard error)", two bounds for one mode's share. Each standard error
    the caption prints now names the share it is at (the true weight, or a measured share), and is
    √(p(1 − p)/n) at that share, so no share gets two."""
    gmm, sde, run, _ = _view(which, lam, **changes)
    text = rev.weights_caption(gmm, sde, run)
    assert "at most, one standard error" not in text, text
    said = SE_SAID.findall(text)
    assert said, text
    for se, at in said:
        assert float(se) == pytest.approx(round(100 * np.sqrt(float(at) / 100 * (1 - float(at) / 100) / run.n), 1),
                                          abs=0.051), (se, at, text)
    if which == "hw" and changes == dict(seed=2021):
        assert ("(one standard error at each measured share: ± 0.7 % at 87.7 %, ± 0.6 % at 89.8 %)" in text
                and "(± 0.6 % for the heaviest, w = 90.0 %)" in text), text


SPLIT = re.compile(r"mode (\d+) is (\d+\.\d) points off, the noise (accounts for|moves the other way) (\d+\.\d) "
                   r"\([^)]*\), and (\d+\.\d) points")
START = re.compile(r"of its ([-+]\d+\.\d) points the start accounts for ([-+]\d+\.\d) \([^)]*\)"
                   r"(?:, the noise left at the end for ([-+]\d+\.\d))? and the steps and the sampling noise for "
                   r"([-+]\d+\.\d)")


@pytest.mark.parametrize("which, lam, changes", [
    ("tutorial", 25.0, dict(method="tutorial", steps=3, seed=2022)),     # 6.8 − 2.0 read "4.9"
    ("tutorial", 25.0, dict(method="tutorial", steps=3, seed=2021)),
    ("ring8", 50.0, dict(method="tutorial", steps=3)),
    ("hw", 25.0, dict(seed=2021)),                                        # the start's split
    ("hw", 25.0, dict(steps=50, seed=2021)),
    ("hw", 25.0, dict(method="tutorial", steps=3, seed=2021)),
])
def test_mode_share_splits_add_up_as_printed(which, lam, changes):
    """Tutorial, the loop at 3 steps, λ 25, seed 2022: "mode 2 is 6.8 points off, the noise accounts for 2.0 …, and
    4.9 points … are set earlier", though 6.8 − 2.0 = 4.8 on screen. Every split the caption prints (the end
    noise's, the start's) now adds up as printed, and a miss is the printed sampled share less the true one."""
    gmm, sde, run, _ = _view(which, lam, **changes)
    text = rev.weights_caption(gmm, sde, run)
    found = 0
    for k, miss, verb, moved, rest in SPLIT.findall(text):
        found += 1
        shares = re.search(rf"mode {k}: (\d+\.\d) % sampled vs (\d+\.\d) % true", text)
        assert float(miss) == pytest.approx(abs(float(shares.group(1)) - float(shares.group(2))), abs=1e-9), text
        sign = -1 if verb == "accounts for" else 1
        assert float(rest) == pytest.approx(float(miss) + sign * float(moved), abs=1e-9), text
    for total, start, end, steps in START.findall(text):
        found += 1
        assert float(total) == pytest.approx(float(start) + float(end or 0) + float(steps), abs=1e-9), text
    if which == "tutorial" and changes["seed"] == 2022:
        assert "mode 2 is 6.8 points off, the noise accounts for 2.0" in text and "and 4.8 points" in text, text
    if which == "hw" and changes == dict(seed=2021):
        assert found, text


@pytest.mark.parametrize("which, lam, changes, rough", [
    ("tutorial", 0.1, dict(method="tutorial", steps=3), False),     # std 0.06–0.12 per step against 12.1
    ("tutorial", 25.0, dict(method="tutorial", steps=3), True),
    ("tutorial", 0.1, {}, False),                                     # reverse SDE, 200 steps
    ("tutorial", 25.0, {}, True),
    ("ring8", 50.0, dict(method="sde", steps=50), True),
    ("hw", 25.0, dict(method="pc", steps=50), None),                  # no per-step formula: no roughness claim
    ("tutorial", 25.0, dict(method="ode", steps=50), None),
])
def test_commitment_caption_measures_the_noise_per_step(which, lam, changes, rough):
    """Tutorial, the loop at 3 steps, λ 0.1: "This run's sampler adds fresh noise at every step, so its paths are
    rough", though the noise per step (std 0.06–0.12) is under 1 % of the time chart's height and the paths look
    smooth. The caption now gives the noise's std per step against the chart's height and says rough only where
    the median is at least ROUGH of it."""
    gmm, sde, run, cv = _view(which, lam, **changes)
    text = rev.commitment_caption(cv, 80)
    assert ("so its paths are rough" in text) == bool(rough) and ("its paths look smooth" in text) == (rough is False), text
    times = rev.sample_run(gmm, sde, run)["times"]
    noise = rev.step_noise(sde, run, times)
    if rough is not None:
        lo, hi = rev.u_limits(gmm, run)
        share = round(100 * float(np.median(noise)) / (hi - lo), 1)
        assert f"median {rev.value_text(float(np.median(noise)))} per step, {share:g} % of the time chart's height" in text
        assert (share >= 100 * rev.ROUGH) == rough
        t = torch.as_tensor(times, dtype=torch.float64)
        if run.method == "tutorial":       # g(t) √Δt with g(t) = λ^t
            assert noise == pytest.approx((lam ** t[:-1] * (t[:-1] - t[1:]).sqrt()).numpy())
    elif run.method == "pc":
        assert "adds fresh noise along the way" in text and "at every step (" not in text, text
    if which == "tutorial" and lam == 0.1 and run.method == "tutorial":
        assert ("adds fresh noise at every step (std 0.0577 to 0.124, median 0.0911 per step, 0.8 % of the time "
                "chart's height of 12.1 along u), too little to show: its paths look smooth") in text, text
        prose = " ".join(c.value for c in _page(which, lam, gmm, w_reversal_method="tutorial", w_reversal_steps=3).caption)
        assert "its paths look smooth" in prose, prose


def test_agreeing_shares_name_the_widest_band_without_a_false_contrast_for_equal_weights():
    """ring8's eight equal weights: "(mode 1, w = 12.5 %; less in modes with w further from 50 %)" named
    one mode and a contrast no mode has; with equal weights every mode has that band."""
    se = lambda w, n: np.sqrt(np.asarray(w) * (1 - np.asarray(w)) / n)
    ring = {"z": 3.0, "true": np.full(8, 0.125), "se": se(np.full(8, 0.125), 2500)}
    text = rev.agree_text(ring)
    assert "(every mode, w = 12.5 %)" in text and "further from 50 %" not in text, text
    custom = {"z": 3.0, "true": np.array([0.9, 0.08, 0.02]), "se": se([0.9, 0.08, 0.02], 2500)}
    text = rev.agree_text(custom)
    assert "(mode 1, w = 90.0 %; less in modes with w further from 50 %)" in text, text


def test_stray_share_prints_as_the_commitment_section_prints_it():
    """ring8, the tutorial's loop at 3 steps, λ 50: the mode-share caption said "100 %" of the samples lie
    where p₀ is negligible while the commitment section gave the same share as "99.68 %"; both print it with
    pct now, and one point apart reads "1 point apart"."""
    gmm, sde = dc.PRESETS["ring8"], dc.VESDE(50.0)
    run = rev.Run("tutorial", 3, 2500, "karras", 1e-4, 0.16, "prior", 2021)
    c = rev.weight_check(gmm, sde, run)
    text = rev.weights_caption(gmm, sde, run)
    assert c["stray"] > rev.STRAY_SAY, c["stray"]          # the state of the finding shows the sentence
    if c["stray"] > rev.STRAY_SAY:
        assert f"But {rev.pct(100 * c['stray'])} % of the samples lie where p₀ is lower" in text, text
    cv = dict(far="σ₁ = 1.9 is not much larger than the data's std along its widest direction, 1.7", undecided=0.27, start_never=0.26,
              n_paths=500, steps_taken=200)
    assert "1 point apart" in rev.start_aside(cv) or "1 point apart" in rev.start_cause(cv), rev.start_aside(cv)
