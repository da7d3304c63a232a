"""Exact-score reversal: the never-commit sentence's total is the sum of the shares it prints (a steps' share
printed "under 1 % (2 of 500)" counts its 0.4 %, not 0), and "The better grid" gives the shares of the run's own
uniform grid, from t = 1 to where the tutorial's loop stops, the grid the width sentence after it counts too."""
import dataclasses
import re

import pytest

import diffusion_core as dc
from dashboard import reversal as rev

CUSTOM = dc.GaussianMixture([[3.0, 3.0], [-3.0, 0.0], [0.0, -4.0]],
                            [[[0.0004, 0.0], [0.0, 0.0004]], [[0.04505, 0.04495], [0.04495, 0.04505]],
                             [[0.0004, 0.0], [0.0, 0.0004]]], [0.9, 0.08, 0.02])
TOTAL = re.compile(r"account(?:s)? for at most ([\d.]+) % of the (\d+) %")


def _mixture(name):
    """A preset, or the custom mixture ("custom")."""
    return CUSTOM if name == "custom" else dc.PRESETS[name]


def _printed_parts(cv: dict, note: str) -> float:
    """The sum of the shares the sentence prints: the steps' (its whole percent, or k of n where "under 1 %
    (k of n)"), the far start's points and the largest overlap named (one decimal, as printed)."""
    total = 0.0
    steps = re.search(r"(under 1 % \((\d+) of ([\d,]+)\)|(\d+) %) of the paths never commit and end where", note)
    if steps:
        total += (100 * int(steps.group(2)) / int(steps.group(3).replace(",", "")) if steps.group(2)
                  else int(steps.group(4)))
    start = re.search(r"it accounts for (-?\d+) points", note)
    total += int(start.group(1)) if start else 0
    shares = [float(v) for v in re.findall(r"([\d.]+) % of true samples of p", note)]
    return total + (max(shares) if shares else 0.0)


@pytest.mark.parametrize("name, lam, changes", [
    ("tutorial", 50.0, dict(method="sde", steps=30)),        # 22.6 % overlap + 2 of 500 off pₜ
    ("custom", 25.0, dict(method="tutorial", steps=3, seed=2021)),
    ("tutorial", 50.0, dict(method="tutorial", steps=3)),
    ("ring8", 50.0, dict(method="tutorial", steps=3)),
])
def test_the_causes_total_is_the_sum_of_the_printed_shares(name, lam, changes):
    """Tutorial, λ 50, reverse SDE, 30 steps: "22.6 % of true samples of p₀ …; and under 1 % (2 of 500) of the
    paths never commit and end where pₜ … Together they account for at most 22.6 % of the 25 %": the 0.4 %
    counted as 0. The total now adds what the sentence prints, in every state."""
    run = dataclasses.replace(rev.default_view()[2], **changes)
    cv = rev.commit_view(_mixture(name), dc.VESDE(lam), run, rev.COMMIT_THRESHOLD)
    note = rev.undecided_note(cv)
    printed = TOTAL.search(note)
    if name == "tutorial" and changes["method"] == "sde":
        assert "under 1 % (2 of 500) of the paths never commit" in note, note
        assert "Together they account for at most 23.0 % of the 25 %" in note, note
    if printed:
        assert float(printed.group(1)) == pytest.approx(_printed_parts(cv, note), abs=0.051), note


@pytest.mark.parametrize("name, lam, steps", [
    ("custom", 25.0, 3), ("custom", 25.0, 10), ("tutorial", 25.0, 200), ("ring8", 25.0, 10), ("tutorial", 50.0, 30),
])
def test_the_better_grid_counts_the_loops_own_grid(name, lam, steps):
    """Custom mixture, λ 25, 3 steps: "most of a uniform grid's steps go to large noise: it puts 54 % of its steps
    before t = 0.46 … and 46 % at smaller noise": shares of [0, 1], while the loop runs from t = 1 to t = 1/3
    and the width sentence after it counts that grid. Both now count the grid from t = 1 to t = 1/steps, and
    "most" goes only with a share above half."""
    gmm, sde = _mixture(name), dc.VESDE(lam)
    end = 1 / rev.loop_steps(steps)
    note = rev.uniform_grid_note(gmm, sde, True, t_end=end)
    t_split = rev.split_time(gmm, sde)
    grid = f"a uniform grid from t = 1 to t = {rev.end_text(end)}"
    assert grid in note, note
    if t_split <= end:
        assert f"{grid} takes every step before t = {rev.time_text(t_split)}" in note, note
        return
    share = 100 * (1 - t_split) / (1 - end)
    assert (f"{rev.pct(share)} % of its steps before t = {rev.time_text(t_split)}" in note
            and f"and {rev.pct(100 - share)} % at smaller noise" in note), note
    assert (f"Here most of the steps of {grid} go to large noise" in note) == (round(share) > 50), note
    assert ("go to the noise below the modes' split" in note) == (round(share) < 50), note
    if name == "custom" and steps == 3:
        assert "puts 81 % of its steps before t = 0.46" in note and "and 19 % at smaller noise" in note, note
