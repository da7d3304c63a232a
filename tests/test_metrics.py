"""Distances between sample sets, against closed forms, scipy and direct computations."""
import math

import numpy as np
import pytest
import torch
from scipy import optimize, stats

import diffusion_core as dc

pytestmark = pytest.mark.usefixtures("one_thread")

F64 = torch.float64


def exact_wp_power(a, b, p):
    """min over couplings of sum P_ij |a_i - b_j|^p with uniform marginals, by linear programming."""
    n, m = len(a), len(b)
    cost = np.abs(np.subtract.outer(a, b)) ** p
    rows = np.kron(np.eye(n), np.ones((1, m)))
    cols = np.kron(np.ones((1, n)), np.eye(m))
    res = optimize.linprog(cost.reshape(-1), A_eq=np.vstack([rows, cols]),
                           b_eq=np.concatenate([np.full(n, 1 / n), np.full(m, 1 / m)]),
                           bounds=(0, None), method="highs")
    assert res.status == 0
    return res.fun


@pytest.mark.parametrize("n,m", [(50, 50), (37, 101), (1, 5), (200, 3), (1000, 999)])
def test_wasserstein_1d_matches_scipy(n, m):
    rng = np.random.default_rng(n * 1000 + m)
    a, b = rng.normal(size=n), rng.standard_t(3, size=m) + 0.5
    assert float(dc.wasserstein_1d(a, b)) == pytest.approx(stats.wasserstein_distance(a, b),
                                                           rel=1e-12, abs=1e-14)
    assert float(dc.wasserstein_1d(b, a)) == pytest.approx(float(dc.wasserstein_1d(a, b)), rel=1e-12)


@pytest.mark.parametrize("n,m", [(6, 6), (7, 5), (3, 8)])
def test_wasserstein_1d_p2_matches_linear_programming(n, m):
    rng = np.random.default_rng(n + 10 * m)
    a, b = rng.normal(size=n), rng.normal(size=m) * 2
    want = math.sqrt(exact_wp_power(a, b, 2))
    assert float(dc.wasserstein_1d(a, b, p=2)) == pytest.approx(want, rel=1e-7)


def test_sliced_w2_zero_for_identical_sets():
    x = torch.randn(500, 3, generator=torch.Generator().manual_seed(0), dtype=F64)
    assert dc.sliced_w2(x, x) == 0.0
    assert dc.sliced_w2(x, x[torch.randperm(500)]) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("d", [2, 3, 5])
def test_sliced_w2_of_a_shift_is_norm_over_sqrt_d(d):
    """b = a + m moves every slice by m . theta, so SW2^2 = E_theta (m . theta)^2 = |m|^2 / d.
    With P random directions, (m.theta)^2 / |m|^2 ~ Beta(1/2, (d-1)/2), whose mean over P has
    standard deviation sqrt(2 (d-1) / (d^2 (d+2)) / P): tolerance 5 of those."""
    a = torch.randn(300, d, generator=torch.Generator().manual_seed(d), dtype=F64)
    shift = torch.arange(1, d + 1, dtype=F64)
    P = 4096
    got = dc.sliced_w2(a, a + shift, n_proj=P) ** 2 / float(shift @ shift)
    sd = math.sqrt(2 * (d - 1) / (d * d * (d + 2)) / P)
    assert got == pytest.approx(1 / d, abs=5 * sd)


def test_sliced_w2_two_gaussians_equal_covariance():
    """Independent samples of N(0, S) and N(m, S): all slices of two Gaussians with equal
    variance differ by their means, so SW2^2 -> |m|^2 / d. Tolerance 10%: the mean of
    cos^2 over 1024 random directions has relative sd 2.2% in 2D, and two samples of 4000
    points add ~1% of |m|^2 / d."""
    g = torch.Generator().manual_seed(1)
    L = torch.tensor([[1.0, 0.0], [0.6, 0.5]], dtype=F64)
    m = torch.tensor([2.0, -1.0], dtype=F64)
    a = torch.randn(4000, 2, generator=g, dtype=F64) @ L.T
    b = torch.randn(4000, 2, generator=g, dtype=F64) @ L.T + m
    got = dc.sliced_w2(a, b, n_proj=1024) ** 2
    assert got == pytest.approx(float(m @ m) / 2, rel=0.1)
    assert dc.sliced_w2(a, b[:2000] - m, n_proj=1024) < 0.1


def test_sliced_w2_unequal_sizes_is_exact_per_slice():
    """With one direction, sliced W₂ is the 1D W2 of the projections (checked by LP)."""
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(7, 2)), rng.normal(size=(4, 2)) + 1
    g = torch.Generator().manual_seed(0)
    theta = torch.randn(2, 1, generator=g, dtype=F64)
    theta = (theta / theta.norm()).numpy()[:, 0]
    want = math.sqrt(exact_wp_power(a @ theta, b @ theta, 2))
    assert dc.sliced_w2(a, b, n_proj=1, seed=0) == pytest.approx(want, rel=1e-7)


def direct_energy(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    dist = lambda u, v: np.sqrt(((u[:, None, :] - v[None, :, :]) ** 2).sum(-1)).mean()
    return 2 * dist(a, b) - dist(a, a) - dist(b, b)


def test_energy_distance_matches_direct_computation():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(300, 2)), rng.normal(size=(200, 2)) * 1.3 + 0.2
    assert dc.energy_distance(a, b) == pytest.approx(direct_energy(a, b), rel=1e-10)
    assert dc.energy_distance(a, a) == pytest.approx(0.0, abs=1e-12)
    u, v = rng.normal(size=150), rng.normal(size=90) + 1
    assert dc.energy_distance(u[:, None], v[:, None]) == pytest.approx(
        stats.energy_distance(u, v) ** 2, rel=1e-9)


def test_energy_distance_subsamples_large_sets():
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(3000, 2)), rng.normal(size=(3000, 2)) + 0.5
    full = direct_energy(a[:1500], b[:1500])
    sub = dc.energy_distance(a, b, max_points=1500)
    # E|X-Y| - ... estimated from 1500 of 3000 points: agree to a few percent
    assert sub == pytest.approx(full, rel=0.1)
    assert dc.energy_distance(a, b, max_points=1500, seed=2) != sub


def test_mode_weights_match_independent_assignment():
    gmm = dc.PRESETS["unbalanced"]
    x, _ = gmm.sample(5000, generator=torch.Generator().manual_seed(6), dtype=F64)
    x = x + 0.5 * torch.randn(x.shape, generator=torch.Generator().manual_seed(7), dtype=F64)
    lj = np.stack([np.log(float(w)) + stats.multivariate_normal(mu.numpy(), c.numpy()).logpdf(x.numpy())
                   for w, mu, c in zip(gmm.weights, gmm.means, gmm.covs)], 1)
    want = np.bincount(lj.argmax(1), minlength=2) / 5000
    assert np.allclose(dc.mode_weights(x, gmm).numpy(), want)
    at_means = dc.PRESETS["ring8"].means.repeat(3, 1)
    assert torch.allclose(dc.mode_weights(at_means, dc.PRESETS["ring8"]), torch.full((8,), 1 / 8, dtype=F64))


def test_loglik_gap_sign_and_logp_w1():
    gmm = dc.PRESETS["ring8"]
    g = torch.Generator().manual_seed(8)
    ref, _ = gmm.sample(20_000, generator=g, dtype=F64)
    true, _ = gmm.sample(20_000, generator=g, dtype=F64)
    blurred = true + 0.1 * torch.randn(true.shape, generator=g, dtype=F64)
    sharp = gmm.means[torch.arange(20_000) % 8] + 0.5 * (true - gmm.means[
        gmm.responsibilities(true).argmax(1)])
    assert dc.loglik_gap(blurred, gmm, reference=ref) > 0.3          # less likely places
    assert dc.loglik_gap(sharp, gmm, reference=ref) < -0.3           # more likely than the truth
    # true samples: the gap is a difference of two means of 20,000 log-densities (sd ~1 each)
    assert abs(dc.loglik_gap(true, gmm, reference=ref)) < 5 * math.sqrt(2 / 20_000)
    assert abs(dc.loglik_gap(true, gmm)) < 5 * math.sqrt(1 / 20_000 + 1 / 100_000)
    w_true, w_blur, w_sharp = (dc.logp_w1(s, gmm, ref) for s in (true, blurred, sharp))
    assert w_true < 0.05 and w_blur > 0.3 and w_sharp > 0.3
    assert dc.logp_w1(ref, gmm, ref) == 0.0
    assert w_blur == pytest.approx(stats.wasserstein_distance(gmm.log_prob(blurred).numpy(),
                                                              gmm.log_prob(ref).numpy()), rel=1e-10)


def test_validation():
    with pytest.raises(ValueError, match="same d"):
        dc.sliced_w2(torch.zeros(5, 2), torch.zeros(5, 3))
    with pytest.raises(ValueError, match="same d"):
        dc.energy_distance(torch.zeros(5, 2), torch.zeros(5, 3))
    with pytest.raises(ValueError, match="at least one"):
        dc.sliced_w2(torch.zeros(0, 2), torch.zeros(5, 2))
    with pytest.raises(ValueError, match="at least one"):
        dc.wasserstein_1d([], [1.0])
