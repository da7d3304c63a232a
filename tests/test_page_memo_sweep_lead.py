"""Memorization page: the sweep's rises are judged against the fresh-draw baseline's move at the
same N (the network's lead over it), and every share of a count is printed by one rule."""

import re

import numpy as np
import pytest

from dashboard import memorization, models
from conftest import open_page

MEMO = "views/8_memorization.py"
RISE = re.compile(r"From N = (\d+) to (\d+) it rises by ([\d.]+) percentage points (?:and the fresh-draw baseline by "
                  r"([\d.]+)|while the fresh-draw baseline falls by ([\d.]+)|while the fresh-draw baseline stays level): "
                  r"its lead over the baseline (grows by ([\d.]+) percentage points, (more than|within) the noise of the "
                  r"measure \(± ([\d.]+) percentage points|shrinks by ([\d.]+) percentage points|stays the same)")

pytestmark = pytest.mark.usefixtures("one_thread")


def _rises(text: str) -> list:
    """Each rise sentence of sweep_text as {ns, rise, moved, lead, verdict, noise} (None where absent)."""
    out = []
    for m in RISE.finditer(text):
        moved = float(m[4]) if m[4] else -float(m[5]) if m[5] else 0.0
        lead = float(m[7]) if m[7] else -float(m[10]) if m[10] else 0.0
        out.append({"ns": (int(m[1]), int(m[2])), "rise": float(m[3]), "moved": moved, "lead": lead,
                    "verdict": m[8], "noise": float(m[9]) if m[9] else None})
    return out


def test_custom_like_sweep_weighs_each_rise_against_the_baseline_rise():
    """Custom mixture, λ 25, r = 0.3 × the data's scale: the network rose 12 points from N = 2 to 5
    and 11 from 10 to 20, each called "more than the noise: this training run differs", while the
    fresh-draw baseline rose too (1 % → 5 %, 6 % → 13 %), as r and the training points are those
    of each N. The sentence now gives the baseline's rise and judges the lead's growth."""
    rows = [(2, 0.04, 0.012), (5, 0.16, 0.05), (10, 0.06, 0.06), (20, 0.17, 0.13), (50, 0.08, 0.10)]
    text = memorization.sweep_text(rows, 500)
    noise = round(200 * np.hypot(models.diff_se(0.04, 500, 0.16, 500), models.diff_se(0.012, 500, 0.05, 500)), 1)
    assert ("From N = 2 to 5 it rises by 12.0 percentage points and the fresh-draw baseline by 3.8: its lead over "
            f"the baseline grows by 8.2 percentage points, more than the noise of the measure (± {noise} percentage "
            "points, both rates at both N): this training run, not the sampling, differs") in text, text
    late = text[text.index("From N = 10 to 20"):]
    assert late.startswith("From N = 10 to 20 it rises by 11.0 percentage points and the fresh-draw baseline by "
                           "7.0: its lead over the baseline grows by 4.0 percentage points, within the noise"), late
    assert "the baseline rises too, as r and the training points are those of each N." in late
    assert "this training run" not in late
    assert [r["ns"] for r in _rises(text)] == [(2, 5), (10, 20)]


@pytest.mark.parametrize("rows, words", [
    ([(2, 0.10, 0.02), (5, 0.30, 0.02)], "while the fresh-draw baseline stays level: its lead over the baseline grows "
                                         "by 20.0 percentage points, more than the noise"),
    ([(2, 0.10, 0.05), (5, 0.30, 0.03)], "while the fresh-draw baseline falls by 2.0: its lead over the baseline grows "
                                         "by 22.0 percentage points, more than the noise"),
    ([(2, 0.05, 0.02), (5, 0.10, 0.08)], "and the fresh-draw baseline by 6.0: its lead over the baseline shrinks by "
                                         "1.0 percentage points: the baseline rises as much or more"),
])
def test_a_rise_is_said_with_the_baseline_move_and_the_lead(rows, words):
    """A lead that clearly grows (baseline level or falling) is beyond the noise; a rise the baseline
    matches is the measure's, not the network's."""
    text = memorization.sweep_text(rows, 500)
    assert words in text, text


def test_monotone_sweep_names_no_rise():
    """ring8-like: the network's rate falls with N while fresh draws rise: no rise to judge."""
    text = memorization.sweep_text([(2, 0.9, 0.01), (5, 0.6, 0.02), (10, 0.4, 0.04), (20, 0.2, 0.06),
                                    (50, 0.1, 0.09)], 500)
    assert "It never rises as N grows." in text and "From N =" not in text, text


@pytest.mark.parametrize("n_samples", [100, 500, 2000])
def test_rise_numbers_add_up_and_the_verdict_follows_them(n_samples):
    """Random sweeps (counts of n_samples): every printed rise minus the baseline's move is the printed
    lead, and "more than" the noise exactly where the lead exceeds the printed noise, which is
    two standard errors of the four rates."""
    rng = np.random.default_rng(7)
    seen = set()
    for _ in range(60):
        net = rng.integers(0, n_samples // 3, 5) / n_samples
        base = rng.integers(0, n_samples // 6, 5) / n_samples
        rows = list(zip(memorization.SWEEP_POINTS, net, base))
        said = _rises(memorization.sweep_text(rows, n_samples))
        assert len(said) == int(np.sum(np.diff(net) > 0))
        for r in said:
            i = memorization.SWEEP_POINTS.index(r["ns"][0])
            assert r["rise"] == round(float(100 * (net[i + 1] - net[i])), 1)
            assert r["moved"] == round(float(100 * (base[i + 1] - base[i])), 1)
            assert r["lead"] == pytest.approx(r["rise"] - r["moved"], abs=1e-9)
            if r["noise"] is not None:
                se = np.hypot(models.diff_se(net[i], n_samples, net[i + 1], n_samples),
                              models.diff_se(base[i], n_samples, base[i + 1], n_samples))
                assert r["noise"] == round(float(200 * se), 1)
                assert (r["verdict"] == "more than") == (r["lead"] > r["noise"])
            seen.add(r["verdict"])
    assert {"more than", "within", None} <= seen


@pytest.mark.parametrize("mixture", ["ring8", "tutorial"])
def test_every_share_of_a_count_is_printed_alike(mixture):
    """ring8, N = 5 (defaults): 13 of 500 fresh draws read "3%" in the caption and the metric and
    "2.6 %" in the text below. Every share the page prints of the same count now reads the same."""
    at = open_page(MEMO, 600, w_mixture=mixture)
    assert not at.exception and not at.error
    metric = {m.label: m.value for m in at.metric}
    words = " ".join(m.value for m in at.markdown) + " " + " ".join(c.value for c in at.caption)
    n = 500
    base = re.search(rf"Of the panel's {n} fresh draws of the true distribution, (\d+) \(\*\*([^*]+)\*\*\)", words)
    net = re.search(rf"(\d+) of the network's {n} samples \(([^)]+)\) land within r of one, against (\d+) of {n} "
                    r"fresh draws \(([^)]+)\)", words)
    assert base and net, words
    truth = metric[memorization.NAMES["truth"]]
    assert base[2] == net[4] == truth == memorization.rate_text(int(base[1]) / n)
    assert int(net[3]) == int(base[1])
    assert net[2] == metric[memorization.NAMES["learned"]] == memorization.rate_text(int(net[1]) / n)
    assert words.count(f"vs **{truth}** for fresh draws (baseline)") == 2


def test_page_sweep_text_weighs_rises_against_the_baseline(monkeypatch):
    """The page's sweep, its rates those the custom mixture measured (λ 25, r = 0.3 × the data's
    scale, 500 samples): the text under the chart gives each baseline rise and the lead's growth."""
    measured = {2: (0.038, 0.01), 5: (0.158, 0.05), 10: (0.108, 0.064), 20: (0.222, 0.108), 50: (0.08, 0.076)}
    monkeypatch.setattr(memorization, "sweep_point",
                        lambda gmm, n, *a: dict(zip(("network", "truth"), measured[n])))
    at = open_page(MEMO, 600, w_memo_steps=200, w_memo_samples=500)
    next(b for b in at.button if b.label == "Run the sweep").click().run(timeout=600)
    assert not at.exception
    said = next(m.value for m in at.markdown if m.value.startswith("The network's rate"))
    assert "fresh draws stay between 1.0% and 10.8%" in said, said
    assert ("From N = 2 to 5 it rises by 12.0 percentage points and the fresh-draw baseline by 4.0: its lead over "
            "the baseline grows by 8.0 percentage points") in said, said
    assert ("From N = 10 to 20 it rises by 11.4 percentage points and the fresh-draw baseline by 4.4: its lead over "
            "the baseline grows by 7.0 percentage points") in said, said
    assert [r["ns"] for r in _rises(said)] == [(2, 5), (10, 20)]
