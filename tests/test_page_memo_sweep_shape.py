"""Memorization page: the sweep's summary gives the curve's shape from its rates (rises, falls,
peak), every fall of a curve that rises and falls is judged like a rise (the lead over the
fresh-draw baseline against the noise), the sweep chart's rate axis fits its points, and the exact
score's words weigh its rate against the fresh draws' chance per draw."""

import re

import numpy as np
import pytest

import diffusion_core as dc
from dashboard import memorization, models, settings as sio, state
from dashboard.figures import memorization as mfig
from diffusion_core import memorization as mem
from conftest import heavy_corner_mixture, open_page
from test_page_memo_exact_score_words import _state as exact_state

MEMO = "views/8_memorization.py"
# the custom mixture's sweep at N 5 (λ 25, r = 0.3 × the data's scale, 500 samples): (N, network, fresh draws)
CUSTOM = [(2, 0.038, 0.01), (5, 0.158, 0.05), (10, 0.108, 0.064), (20, 0.222, 0.108), (50, 0.08, 0.076)]
FALL = re.compile(r"From N = (\d+) to (\d+) it falls by ([\d.]+) percentage points (?:and the fresh-draw baseline "
                  r"falls by ([\d.]+)|while the fresh-draw baseline rises by ([\d.]+)|while the fresh-draw baseline "
                  r"stays level): its lead over the baseline (?:shrinks by ([\d.]+) percentage points, (more than|within) "
                  r"the noise of the measure \(± ([\d.]+)|grows by ([\d.]+) percentage points|stays the same)")

pytestmark = pytest.mark.usefixtures("one_thread")


def test_custom_sweep_says_its_shape_and_judges_the_fall():
    """Custom, N 5: 3.8 → 15.8 → 10.8 → 22.2 → 8.0 % read "goes from 3.8% to 8.0%", and the fall
    from 20 to 50 (lead shrinks by 11.0 points, noise ± 5.7) went unsaid."""
    text = memorization.sweep_text(CUSTOM, 500)
    assert "goes from" not in text, text
    assert text.startswith("The network's rate does not move one way with N: from **3.8%** with N = 2 it rises to "
                           "15.8% (N = 5), falls to 10.8% (N = 10), rises to a peak of 22.2% (N = 20), then falls to "
                           "**8.0%** with N = 50 ("), text
    noise = round(200 * np.hypot(models.diff_se(0.222, 500, 0.08, 500), models.diff_se(0.108, 500, 0.076, 500)), 1)
    assert ("From N = 20 to 50 it falls by 14.2 percentage points and the fresh-draw baseline falls by 3.2: its lead "
            f"over the baseline shrinks by 11.0 percentage points, more than the noise of the measure (± {noise} "
            "percentage points, both rates at both N): the network memorizes less at the larger N") in text, text
    assert [(int(m[1]), int(m[2])) for m in FALL.finditer(text)] == [(5, 10), (20, 50)]


@pytest.mark.parametrize("rows, start", [
    ([(2, 0.9, 0.01), (5, 0.6, 0.02), (10, 0.4, 0.04), (20, 0.2, 0.06), (50, 0.1, 0.09)],
     "The network's rate goes from **90.0%** with N = 2 to **10.0%** with N = 50"),
    ([(2, 0.1, 0.01), (5, 0.2, 0.02), (10, 0.2, 0.02), (20, 0.4, 0.04)],
     "The network's rate goes from **10.0%** with N = 2 to **40.0%** with N = 20"),
    ([(2, 0.5, 0.01), (5, 0.2, 0.02), (10, 0.3, 0.02), (20, 0.6, 0.04)],
     "The network's rate does not move one way with N: from **50.0%** with N = 2 it falls to a low of 20.0% "
     "(N = 5), then rises to **60.0%** with N = 20"),
])
def test_shape_follows_the_rates(rows, start):
    """Monotone curves (ring8-like falling, rising with a level step) keep "goes from"; a dip names its low.
    A curve that moves one way judges no fall."""
    text = memorization.sweep_text(rows, 500)
    assert text.startswith(start), text
    falls = [m[0] for m in FALL.finditer(text)]
    net = [r[1] for r in rows]
    mixed = any(b > a for a, b in zip(net, net[1:])) and any(b < a for a, b in zip(net, net[1:]))
    assert len(falls) == (sum(b < a for a, b in zip(net, net[1:])) if mixed else 0), text


def test_falls_add_up_and_the_verdict_follows_them():
    """Random sweeps that rise and fall: each printed fall, its baseline move and the lead's change add
    up, and "more than" the noise exactly where the lead shrinks by more than the printed noise."""
    rng = np.random.default_rng(11)
    seen = set()
    for _ in range(80):
        net, base = rng.integers(0, 160, 5) / 500, rng.integers(0, 80, 5) / 500
        for m in FALL.finditer(memorization.sweep_text(list(zip(memorization.SWEEP_POINTS, net, base)), 500)):
            i = memorization.SWEEP_POINTS.index(int(m[1]))
            fall, moved = round(100 * (net[i] - net[i + 1]), 1), round(100 * (base[i + 1] - base[i]), 1)
            assert float(m[3]) == fall
            said_moved = -float(m[4]) if m[4] else float(m[5]) if m[5] else 0.0
            assert said_moved == moved
            if m[6]:
                assert float(m[6]) == pytest.approx(fall + moved, abs=1e-9)
                assert (m[7] == "more than") == (float(m[6]) > float(m[8]))
                seen.add(m[7])
    assert {"more than", "within"} <= seen


def test_sweep_chart_axis_fits_the_points():
    """The custom sweep's points reach ~26 % with error bars: the axis ran to 100 %, now to 30 %;
    a sweep near 100 % keeps 100 %, and 0 stays at the bottom."""
    for rows, top in ((CUSTOM, 0.3), ([(2, 0.98, 0.1), (5, 0.9, 0.2)], 1.0), ([(2, 0.01, 0.0), (5, 0.02, 0.01)], 0.1)):
        frame = memorization.sweep_frame(rows, 500)
        assert mfig.rate_top(frame) == top
        assert frame["high"].max() <= top
        spec = mfig.rate_sweep_chart(frame).to_dict()
        domains = [layer["encoding"]["y"].get("scale", {}).get("domain") for layer in spec["layer"]]
        assert [0, top] in domains, domains


def _exact(gmm, n_points: int) -> tuple:
    """(exact score's samples, points, r, chance per draw) as the page computes them at its defaults."""
    x, points, radius, _ = exact_state(gmm, n_points)
    return x, points, radius, memorization.chance_rate(gmm, points, radius, state.DEFAULT_SEED)


def test_exact_score_well_above_chance_is_said_to_show_it_partly():
    """Custom, N 5: 214 of 500 (42.8 %), 11× the chance per draw 3.85 %, read "does not show it"."""
    x, points, radius, chance = _exact(heavy_corner_mixture(), 5)
    rate = mem.memorization_rate(x, points, radius)
    k = int(round(rate * len(x)))
    assert 0.5 * len(x) > k and rate > 3 * chance
    text = memorization.exact_score_text(x, points, radius, chance)
    assert "does not show it" not in text, text
    assert text.startswith(f" This run shows it for **{memorization.rate_text(rate)}** of the exact score's samples "
                           f"({k:,} of {len(x):,}) at r = {radius:.3g}, {rate / chance:.2g}× the fresh draws' chance "
                           f"of {100 * chance:.2f}% per draw; the other {len(x) - k:,} land outside r:"), text
    assert "weighted mean" in text                               # the cause still follows


@pytest.mark.parametrize("name", ["tutorial", "ring8"])
def test_exact_score_all_within_r_shows_it(name):
    """tutorial and ring8 at their defaults: every sample within r, with or without the chance."""
    x, points, radius, chance = _exact(dc.PRESETS[name], sio.SCHEMA["w_memo_points"].default)
    text = memorization.exact_score_text(x, points, radius, chance)
    assert text.startswith(f" This run shows it: all {len(x):,} of the exact score's samples"), text


def test_exact_score_near_chance_does_not_show_it():
    """A rate within the noise of the chance per draw (1 of 100 against 1 %) does not show it."""
    points = np.array([[0.0, 0.0], [5.0, 5.0]])
    x = np.array([[0.0, 0.001]] + [[0.0, 1.0]] * 99)
    text = memorization.exact_score_text(x, points, 0.01, chance=0.01)
    assert text.startswith(" This run does not show it at r = 0.01: 1 of the exact score's 100 samples (1.0%) land "
                           "within r of a training point, not above the fresh draws' chance of 1.00% per draw by "
                           "more than the noise of the measure"), text
    shows = memorization.exact_score_text(np.concatenate([x[:1].repeat(30, 0), x[1:71]]), points, 0.01, chance=0.01)
    assert shows.startswith(" This run shows it for **30.0%** of the exact score's samples (30 of 100) at r = 0.01, "
                            "30× the fresh draws' chance of 1.00% per draw; the other 70 land outside r:"), shows


def test_page_custom_sweep_says_the_fall(monkeypatch):
    """The page with the custom sweep's rates: the summary under the chart names the peak and the fall."""
    measured = {n: (net, truth) for n, net, truth in CUSTOM}
    monkeypatch.setattr(memorization, "sweep_point", lambda gmm, n, *a: dict(zip(("network", "truth"), measured[n])))
    at = open_page(MEMO, 600, w_memo_steps=200, w_memo_samples=500)
    next(b for b in at.button if b.label == "Run the sweep").click().run(timeout=600)
    assert not at.exception
    said = next(m.value for m in at.markdown if m.value.startswith("The network's rate"))
    assert "rises to a peak of 22.2% (N = 20), then falls to **8.0%** with N = 50" in said, said
    assert "From N = 20 to 50 it falls by 14.2 percentage points" in said, said
