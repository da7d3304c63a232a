"""The Memorization page's words on the exact (empirical) score's samples: whether this run shows
the theory that they reproduce the training set, and why not where they miss r, from the run's
own numbers (the page's cached functions, the page's default sliders)."""

import re

import numpy as np
import pytest
import torch

import diffusion_core as dc
from dashboard import memorization, models, settings as sio, state
from diffusion_core import memorization as mem
from conftest import heavy_corner_mixture

pytestmark = pytest.mark.usefixtures("one_thread")


def _state(gmm, n_points: int) -> tuple:
    """(exact score's samples, training points, r, their distance_stats entry) as the page computes them."""
    seed, n = state.DEFAULT_SEED, sio.SCHEMA["w_memo_samples"].default
    radius = sio.SCHEMA["w_memo_radius"].default * memorization.data_scales(gmm, n_points)[2]
    points = memorization.training_points(gmm, n_points, seed)
    emp = mem.empirical_mixture(points, mem.DEFAULT_DELTA)
    x = models.exact_samples(emp, memorization.LAM, "sde", memorization.SAMPLER_STEPS, n, seed)
    stats = memorization.distance_stats({"exact": x}, points, radius)["exact"]
    return x, points, radius, stats


def _custom():
    """The teaching custom mixture: (3, 3) std 0.02 weight 0.9, a thin mode at (−3, 0), (0, −4) std 0.02."""
    return heavy_corner_mixture()


@pytest.mark.parametrize("n_points", [50, 200])
def test_exact_score_missing_r_is_said_with_its_numbers_and_cause(n_points):
    """Custom mixture, N = 50: 18 % of the exact score's samples within r = 0.00176, median 0.00356, next
    to "a perfect learner can only reproduce the training set" read as what the run shows. The words
    now say the run does not show it, with the metric's rate and median, and the cause: the sampler's
    last noise σ(ε) = 0.01 is larger than most training points' distance to their nearest neighbour."""
    x, points, radius, stats = _state(_custom(), n_points)
    assert stats["rate"] < 0.5                                   # the state of the finding: a low rate
    text = memorization.exact_score_text(x, points, radius)
    assert "This run shows it" not in text
    k = int(round(stats["rate"] * len(x)))
    assert (f"This run does not show it at r = {radius:.3g}: {k:,} of the exact score's {len(x):,} samples "
            f"({memorization.rate_text(stats['rate'])}) land within r") in text, text
    assert (f"the median distance of all {len(x):,} to the nearest training point is {stats['median']:.3g}, "
            f"against r = {radius:.3g}") in text, text
    eps, sigma = memorization.last_noise()
    assert eps == dc.sampling.T_EPS and sigma == pytest.approx(float(dc.VESDE(memorization.LAM).sigma(torch.tensor(eps))))
    nn = mem.neighbour_distances(points).numpy()
    crowded = int(np.sum(nn < sigma))
    assert crowded > len(points) / 2                             # most points have a neighbour within σ(ε)
    assert f"σ(ε) = {sigma:.3g}, and {crowded:,} of the {n_points:,} training points have another one closer" in text
    got = re.search(r"(\d+) of the (\d+) samples outside r are nearest to such a point", text)
    assert got and int(got[2]) == len(x) - k and int(got[1]) > int(got[2]) / 2, text


def test_exact_score_memorizing_runs_are_said_to_show_it():
    """tutorial and ring8 at their default N: every exact-score sample lands within r; the words say so."""
    for name in ("tutorial", "ring8"):
        x, points, radius, stats = _state(dc.PRESETS[name], sio.SCHEMA["w_memo_points"].default)
        assert stats["rate"] == 1.0
        text = memorization.exact_score_text(x, points, radius)
        assert text.startswith(f" This run shows it: all {len(x):,} of the exact score's samples land within "
                               f"r = {radius:.3g}"), text
        assert f"(median distance {stats['median']:.3g})" in text and "does not show" not in text


def test_exact_score_miss_without_crowded_points_names_no_cause():
    """A miss whose samples are not near crowded training points: no cause is claimed."""
    points = np.array([[0.0, 0.0], [5.0, 5.0]])
    x = np.array([[0.0, 0.3], [5.0, 5.001], [0.0, 0.001]])
    text = memorization.exact_score_text(x, points, 0.01)
    assert "2 of the exact score's 3 samples (66.7%)" in text and "do not single out why" in text, text
    assert "weighted mean" not in text


def test_neighbour_distances():
    """Each point's distance to its nearest other point; a lone point has none (inf)."""
    d = mem.neighbour_distances(torch.tensor([[0.0, 0.0], [3.0, 4.0], [3.0, 5.0]]))
    assert d.tolist() == pytest.approx([5.0, 1.0, 1.0])
    assert torch.isinf(mem.neighbour_distances(torch.zeros(1, 2))).all()
