"""Exact-score reversal: the time at which pₜ splits two modes is read off pₜ itself.

The red dotted line, each end mode's own split time, the counts built on them and the legends all
use commitment.pair_split_time: the last t, coming down from t = 1, at which the whole diffused
mixture pₜ, followed along the line joining the two modes, has a dip between them. On the lessons'
custom mixture (weights 0.90 / 0.08 / 0.02) the equal-bump rule 2√(s² + σₜ²) called modes 2 and 3
split at t = 0.58 and mode 1 at t = 0.67, while pₜ is still one bump there (dip only from t ≈ 0.46
and t ≈ 0.51)."""
import dataclasses

import numpy as np
import pytest
import torch

import diffusion_core as dc
from conftest import heavy_corner_mixture
from dashboard import reversal as rev
from diffusion_core.commitment import bimodal_time, mode_split_times, pair_split_time


def brute_split(gmm, sde, i, j, n_t=401, n_u=1001):
    """Independent of the page: on a dense grid of t (n_t times in [0, 1]), the largest t at which
    log pₜ, at n_u points of the segment joining the diffused means of modes i and j, falls and then
    rises again (an interior local minimum: a dip). 0.0 without a dip at any t."""
    u = torch.linspace(0, 1, n_u, dtype=torch.float64)[:, None]
    for t in np.linspace(1, 0, n_t):
        p = gmm.diffuse(sde, float(t))
        lp = p.log_prob(p.means[i] + u * (p.means[j] - p.means[i])).numpy()
        step = np.sign(np.diff(lp))
        step = step[step != 0]
        if np.any((step[:-1] < 0) & (step[1:] > 0)):
            return float(t)
    return 0.0


@pytest.mark.parametrize("which, lam, pair, expect", [
    ("hw", 25.0, (1, 2), 0.455), ("hw", 25.0, (0, 1), 0.505), ("tutorial", 25.0, (0, 1), None),
    ("ring8", 25.0, (0, 1), None), ("hw", 5.0, (1, 2), None), ("tutorial", 2.0, (0, 1), None)])
def test_split_time_is_where_p_t_first_dips_between_the_modes(which, lam, pair, expect):
    """pair_split_time against the brute-force dense grid (a step of 0.0025 in t): within a grid step,
    on the custom mixture (≈ 0.455 and ≈ 0.505, not the equal-bump rule's 0.58 and 0.67), the tutorial,
    ring8 and other λ."""
    gmm = heavy_corner_mixture() if which == "hw" else dc.PRESETS[which]
    sde = dc.VESDE(lam)
    t = pair_split_time(gmm, sde, *pair)
    assert t == pytest.approx(brute_split(gmm, sde, *pair), abs=0.003)
    assert pair_split_time(gmm, sde, *reversed(pair)) == t
    if expect is not None:
        assert t == pytest.approx(expect, abs=0.006)


def test_equal_bumps_split_by_the_equal_bump_rule():
    """Two equal Gaussians of std s at distance d: pₜ dips between them iff d > 2√(s² + σₜ²), so the
    dip search gives that σₜ (to its grid's resolution), here and under a VP process (in x / αₜ units)."""
    s, d = 0.5, 3.0
    two = dc.GaussianMixture(torch.tensor([[0.0, 0.0], [d, 0.0]]), torch.eye(2).expand(2, 2, 2) * s * s)
    for sde in (dc.VESDE(25.0), dc.VPSDE()):
        t = bimodal_time(two, sde)
        r = float(sde.noise_ratio(torch.tensor(t, dtype=torch.float64)))
        assert r == pytest.approx((d * d / 4 - s * s) ** 0.5, rel=2e-3)


def test_mode_split_times_of_the_custom_mixture_follow_p_t():
    """Each mode's own split from its nearest mode: mode 1 (from mode 2) at ≈ 0.505, modes 2 and 3
    (from each other, the red line) at ≈ 0.455; the equal-bump rule's 0.67 and 0.58 are gone."""
    gmm, sde = heavy_corner_mixture(), dc.VESDE(25.0)
    splits = mode_split_times(gmm, sde)
    assert splits[1] == splits[2] == bimodal_time(gmm, sde) == pytest.approx(0.455, abs=0.006)
    assert splits[0] == pytest.approx(0.505, abs=0.006)


@pytest.mark.parametrize("which, lam, steps", [("hw", 25.0, 200), ("hw", 25.0, 5), ("tutorial", 25.0, 200),
                                               ("ring8", 25.0, 200), ("hw", 10.0, 200), ("tutorial", 50.0, 100)])
def test_commitment_text_names_the_dip_times(which, lam, steps):
    """The page's sentence and the red line's legend give the dip's time, and each end mode's own
    split time; the equal-bump rule ("2√(s² + σₜ²)", "the rule of Forward diffusion") is not said.
    On the custom mixture at λ = 25, 200 steps: "mode 1 at t = 0.51, mode 2 at t = 0.46 and mode 3 at
    t = 0.46" (it said 0.67 and 0.58)."""
    gmm = heavy_corner_mixture() if which == "hw" else dc.PRESETS[which]
    sde = dc.VESDE(lam)
    run = dataclasses.replace(rev.default_view()[2], method="sde", steps=steps, seed=2021)
    cv = rev.commit_view(gmm, sde, run, 0.9)
    text = rev.commitment_words(cv, rev.closest_modes(gmm))
    tb = bimodal_time(gmm, sde)
    assert cv["t_bimodal"] == tb and "rule of Forward diffusion" not in text and "2√(s²" not in text
    assert (f"The red dotted line, t = {rev.time_text(tb)}, is where pₜ, followed along the line joining the "
            "two closest modes, first shows a dip between them: two bumps") in text, text
    assert rev.split_label(tb) == f"pₜ splits the closest modes (t = {rev.time_text(tb)})"
    assert rev.split_label(tb) in str(cv["resp_spec"]) and rev.split_label(tb) in str(cv["hist_spec"])
    splits = mode_split_times(gmm, sde)
    if which == "hw":
        named = ", ".join(f"mode {k + 1} at t = {rev.time_text(splits[k])}" for k in range(2))
        assert f"{named} and mode 3 at t = {rev.time_text(splits[2])})" in text, text
        assert "where pₜ first dips between those two" in text, text
    if which == "hw" and lam == 25.0 and steps == 200:
        assert "mode 1 at t = 0.51, mode 2 at t = 0.46 and mode 3 at t = 0.46" in text, text
        assert "t = 0.67" not in text and "t = 0.58" not in text, text
