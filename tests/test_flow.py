"""Flow matching: the exact marginal velocity against Monte Carlo (self-normalized importance
weights over data draws), against the score identity v = -(x + t s) / (1 - t), its endpoints,
the closed-form flow of one Gaussian, finiteness far away, the integrators and straightness, the
flow network, rectification, and property tests."""
import dataclasses
import math

import pytest
import torch
from hypothesis import given, settings, strategies as st

import diffusion_core as dc

pytestmark = pytest.mark.usefixtures("one_thread")

F64 = torch.float64
PATH = dc.StraightPath()
MIXTURES = {n: g for n, g in dc.PRESETS.items()}
MIXTURES["points"] = dc.mixture_from_points(dc.smiley(200))


def grid_points(gmm, n=100, seed=0):
    g = torch.Generator().manual_seed(seed)
    return 3 * torch.randn(n, gmm.dim, generator=g, dtype=F64)


@pytest.mark.parametrize("name", MIXTURES)
@pytest.mark.parametrize("t", [1e-3, 0.2, 0.5, 0.9, 0.999])
def test_velocity_matches_the_score_identity(name, t):
    gmm = MIXTURES[name]
    x = grid_points(gmm)
    score = dc.exact_score(gmm, PATH)(x, t)
    v = dc.fm_velocity(gmm, x, t)
    assert torch.allclose(v, dc.velocity_from_score(score, x, t), rtol=1e-7, atol=1e-7 / (1 - t))


@pytest.mark.parametrize("name, t", [("tutorial", 0.3), ("ring8", 0.6), ("cross", 0.85)])
def test_velocity_matches_monte_carlo(name, t):
    """v(x) = E[eps - x0 | x_t = x] = sum_i w_i ((x - a x0_i) / t - x0_i) / sum_i w_i,
    w_i = N(x; a x0_i, t^2 I), over draws x0_i of the data (no mixture algebra involved)."""
    gmm = dc.PRESETS[name]
    x0, _ = gmm.sample(400_000, torch.Generator().manual_seed(1), dtype=F64)
    a = 1 - t
    xt = a * x0[:8] + t * torch.randn(8, 2, generator=torch.Generator().manual_seed(2), dtype=F64)
    logw = -((xt[:, None, :] - a * x0[None]) ** 2).sum(-1) / (2 * t * t)        # (8, M)
    w = torch.softmax(logw, 1)
    target = (xt[:, None, :] - a * x0[None]) / t - x0[None]
    mc = (w[:, :, None] * target).sum(1)
    se = ((w[:, :, None] ** 2) * (target - mc[:, None, :]) ** 2).sum(1).sqrt()   # standard error
    assert float((1 / (w ** 2).sum(1)).min()) > 200                              # effective size
    assert ((dc.fm_velocity(gmm, xt, t) - mc).abs() < 5 * se + 1e-6).all()


@pytest.mark.parametrize("name", MIXTURES)
def test_endpoints_are_exact_and_continuous(name):
    gmm = MIXTURES[name]
    x = grid_points(gmm, seed=3)
    mean = gmm.weights @ gmm.means
    assert torch.allclose(dc.fm_velocity(gmm, x, 0.0), -x, atol=1e-12)
    assert torch.allclose(dc.fm_velocity(gmm, x, 1.0), x - mean, atol=1e-12)
    assert torch.allclose(dc.fm_velocity(gmm, x, 1 - 1e-9), x - mean, atol=1e-6)
    near0 = dc.fm_velocity(gmm, gmm.means[:1].expand(3, -1), 1e-9)
    assert torch.isfinite(near0).all()


@pytest.mark.parametrize("dtype", [F64, torch.float32])
@pytest.mark.parametrize("name", MIXTURES)
def test_velocity_is_finite_everywhere_a_user_can_reach(name, dtype):
    gmm = MIXTURES[name]
    r = torch.tensor([1e4, -1e4, 0.0, 2.5], dtype=dtype)
    x = torch.cartesian_prod(r, r)[:, :gmm.dim] if gmm.dim == 2 else r[:, None]
    for t in (0.0, 1e-6, 0.5, 1 - 1e-6, 1.0):
        assert torch.isfinite(dc.fm_velocity(gmm, x, torch.full((len(x),), t, dtype=dtype))).all(), t


def test_one_gaussian_flow_has_the_closed_form_solution():
    """N(mu, Sigma): x_t = (1 - t) mu + C_t^(1/2) z, C_t = (1 - t)^2 Sigma + t^2 I, so the flow maps
    z at t = 1 to mu + Sigma^(1/2) z at t = 0."""
    gmm = dc.PRESETS["tutorial"].component(1)
    z = torch.randn(50, 2, generator=torch.Generator().manual_seed(0), dtype=F64)
    res = dc.flow_sample(dc.exact_velocity(gmm), 50, 200, "heun", x_init=z, dtype=F64)
    l, u = torch.linalg.eigh(gmm.covs[0])
    root = u @ torch.diag(l.sqrt()) @ u.T
    assert torch.allclose(res.x, gmm.means[0] + z @ root, atol=5e-5)       # Heun: error O(h^2)
    assert res.nfe == 400 and res.times[0] == 1 and res.times[-1] == 0


def test_exact_flow_samples_the_mixture_and_counts_evaluations():
    gmm = dc.PRESETS["ring8"]
    res = dc.flow_sample(dc.exact_velocity(gmm), 2000, 32, "heun", torch.Generator().manual_seed(0),
                         trajectory=True)
    truth, _ = gmm.sample(2000, torch.Generator().manual_seed(1))
    other, _ = gmm.sample(2000, torch.Generator().manual_seed(2))
    assert dc.sliced_w2(res.x, truth) < 1.5 * dc.sliced_w2(other, truth) + 0.02
    assert res.trajectory.shape == (33, 2000, 2) and res.nfe == 64
    assert dc.flow_sample(dc.exact_velocity(gmm), 10, 7, "euler").nfe == 7


def test_straightness():
    line = torch.linspace(0, 1, 11, dtype=F64)[:, None, None] * torch.tensor([[[3.0, 4.0]]], dtype=F64)
    assert dc.straightness(line) == pytest.approx(1.0)
    corner = torch.tensor([[[0.0, 0.0]], [[1.0, 0.0]], [[1.0, 1.0]]], dtype=F64)
    assert dc.straightness(corner) == pytest.approx(math.sqrt(2) / 2)
    assert dc.straightness(torch.zeros(5, 3, 2)) == 1.0


def test_straightness_per_path_and_its_standard_error():
    from diffusion_core import flow as fl
    line = torch.linspace(0, 1, 11, dtype=F64)[:, None, None] * torch.tensor([[[3.0, 4.0]]], dtype=F64)
    corner = torch.tensor([[[0.0, 0.0]], [[1.0, 0.0]], [[1.0, 1.0]]], dtype=F64)
    both = torch.cat([line[[0, 5, 10]], corner], dim=1)          # one straight path, one corner
    per = fl.path_straightness(both)
    assert per.tolist() == pytest.approx([1.0, math.sqrt(2) / 2])
    assert fl.straightness(both) == pytest.approx(float(per.mean()))
    assert fl.straightness_error(both) == pytest.approx(float(per.std()) / math.sqrt(2))
    assert fl.straightness_error(line) == math.inf                # one path: no spread to measure


def test_compare_paths_and_quality_tables():
    gmm, sde = dc.PRESETS["ring8"], dc.VESDE(25.0)
    paths = dc.compare_paths(gmm, sde, n=100, steps=50)
    assert set(paths) == {"flow", "VE PF-ODE"}
    for traj, s in paths.values():
        assert traj.shape == (51, 100, 2) and 0 < s <= 1
    assert paths["flow"][1] > paths["VE PF-ODE"][1]        # the straight path's flow is straighter
    df = dc.flow_quality(gmm, sde, (2, 8), n=500)
    assert len(df) == 8 and set(df["nfe"]) == {2, 4, 8, 16}
    few = df[(df.steps == 2) & (df.method == "heun")].set_index("field")["sw2"]
    assert few["flow"] < few["VE PF-ODE"]


@pytest.mark.parametrize("call, words", [
    (lambda g: dc.fm_velocity(g, torch.zeros(3, 2), 1.5), r"in \[0, 1\]"),
    (lambda g: dc.fm_velocity(g, torch.zeros(3, 2), float("nan")), "no NaN"),
    (lambda g: dc.fm_velocity(g, torch.zeros(3, 2), torch.zeros(2)), "one time per point"),
    (lambda g: dc.fm_velocity(g, torch.zeros(3, 3), 0.5), r"shape \(N, 2\)"),
    (lambda g: dc.flow_sample(dc.exact_velocity(g), 3, 0), "steps must be"),
    (lambda g: dc.flow_sample(dc.exact_velocity(g), 3, 2, "rk4"), "method must be one of"),
    (lambda g: dc.train_flow_model(None, pairs=(torch.zeros(5, 2), torch.zeros(4, 2))), "pairs must be")])
def test_bad_input_is_refused(call, words):
    with pytest.raises(ValueError, match=words):
        call(dc.PRESETS["tutorial"])


# ------------------------------------------------------------------------------ network
def test_flownet_shapes_dtypes_and_seed():
    net = dc.FlowNet(width=16, depth=2, fourier_dim=8, seed=3)
    x = torch.randn(7, 2, dtype=F64)
    assert net(x, 0.5).shape == (7, 2) and net(x, torch.rand(7)).dtype == F64
    assert torch.equal(net(x, 0.5), dc.FlowNet(width=16, depth=2, fourier_dim=8, seed=3)(x, 0.5))
    with pytest.raises(ValueError, match="width"):
        dc.FlowNet(width=0)


def test_training_learns_the_velocity_and_rectification_straightens_it():
    gmm, sde = dc.PRESETS["two clusters"], dc.VESDE(25.0)
    cfg = dataclasses.replace(dc.TrainConfig(), steps=300, n_data=4000, log_every=100)
    net, hist = dc.train_flow_model(gmm, cfg)
    assert hist["train_loss"].iloc[-1] < hist["train_loss"].iloc[0]
    ts = [0.1, 0.5, 0.9]
    err = dc.velocity_mse_by_t(net, gmm, ts, 500, torch.Generator().manual_seed(0))
    zero = dc.velocity_mse_by_t(lambda x, t: torch.zeros_like(x), gmm, ts, 500,
                                torch.Generator().manual_seed(0))
    assert (err < 0.1 * zero).all()
    rect, _ = dc.rectify(net, steps=20)
    s_net = dc.compare_paths(gmm, sde, n=200, steps=40, velocity_fn=net)["flow"][1]
    s_rect = dc.compare_paths(gmm, sde, n=200, steps=40, velocity_fn=rect)["flow"][1]
    assert s_rect > s_net


# ------------------------------------------------------------------------------ properties
@settings(max_examples=30, deadline=None)
@given(st.integers(1, 5), st.integers(0, 10_000), st.floats(0.0, 1.0),
       st.floats(-1e4, 1e4), st.floats(-1e4, 1e4))
def test_velocity_is_finite_and_matches_the_identity_on_random_mixtures(k, seed, t, u, w):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(k, 2, 2, generator=g, dtype=F64) * 0.7
    gmm = dc.GaussianMixture(6 * torch.rand(k, 2, generator=g, dtype=F64) - 3,
                             a @ a.transpose(1, 2) + 0.05 * torch.eye(2, dtype=F64),
                             0.2 + torch.rand(k, generator=g, dtype=F64))
    x = torch.tensor([[u, w], [0.0, 0.0], [u / 1e3, w / 1e3]], dtype=F64)
    v = dc.fm_velocity(gmm, x, t)
    assert torch.isfinite(v).all()
    if 0 < t < 0.99:
        ref = dc.velocity_from_score(dc.exact_score(gmm, PATH)(x[1:], t), x[1:], t)
        assert torch.allclose(v[1:], ref, rtol=1e-6, atol=1e-6 / (1 - t))


def test_count_crossings_of_segments():
    from diffusion_core import flow as fl
    assert fl.count_crossings([[0, 0], [0, 1]], [[1, 1], [1, 0]]) == 1        # an X
    assert fl.count_crossings([[0, 0], [0, 1]], [[1, 0], [1, 1]]) == 0        # parallel
    assert fl.count_crossings([[0, 0], [0, 1], [0, 2]], [[2, 2], [2, 1], [2, 0]]) == 3
    assert fl.count_crossings([[0, 0], [2, 0]], [[1, 0], [3, 0]]) == 0        # collinear, apart
    with pytest.raises(ValueError, match="two \\(n, 2\\) tables"):
        fl.count_crossings([[0, 0]], [[1, 1], [2, 2]])


def test_independent_pairs_cross_and_the_data_spread():
    from diffusion_core import flow as fl
    gmm = dc.PRESETS["tutorial"]
    x0, eps = fl.independent_pairs(gmm, 30, 0)
    assert x0.shape == eps.shape == (30, 2) and x0.dtype == torch.float64
    assert fl.count_crossings(x0, eps) > 0            # single pairs' straight lines cross
    # ring8: radius 4, std 0.15, equal weights: per-coordinate variance 4^2 / 2 + 0.15^2
    assert fl.data_spread(dc.PRESETS["ring8"]) == pytest.approx(math.sqrt(8 + 0.0225), rel=1e-6)


def test_length_share_above():
    from diffusion_core import flow as fl
    traj = torch.tensor([[[0.0, 0.0]], [[3.0, 0.0]], [[4.0, 0.0]]])      # steps of length 3 and 1
    assert fl.length_share_above(traj, [10.0, 2.0, 0.0], 5.0) == pytest.approx(0.75)
    assert fl.length_share_above(traj, [10.0, 8.0, 0.0], 5.0) == pytest.approx(1.0)
    assert fl.length_share_above(traj, [1.0, 0.5, 0.0], 5.0) == 0.0
    with pytest.raises(ValueError, match="one noise level per saved time"):
        fl.length_share_above(traj, [1.0, 0.0], 5.0)


def test_ve_paths_glide_when_sigma_one_dwarfs_the_data():
    """With lambda = 25 (sigma_1 ~ 9.8, the tutorial's spread 1.5) most of the VE paths' length is
    travelled while sigma_t is above the data's spread; with lambda = 2 none is."""
    from diffusion_core import flow as fl
    from diffusion_core.sampling import time_grid
    gmm = dc.PRESETS["tutorial"]
    for lam, (lo, hi) in [(25.0, (0.8, 1.0)), (2.0, (0.0, 0.0))]:
        sde = dc.VESDE(lam)
        traj = fl.compare_paths(gmm, sde, 50, 50, 0)["VE PF-ODE"][0]
        share = fl.length_share_above(traj, sde.sigma(time_grid(sde, 50)), fl.data_spread(gmm))
        assert lo <= share <= hi, (lam, share)


def test_off_mode_count_and_truth_noise():
    """A sample far from every mode counts as off; true samples against true samples give the
    quality measure's noise (a positive sliced W₂) and few samples off every mode."""
    from diffusion_core import flow as fl
    gmm = dc.PRESETS["ring8"]
    ref, _ = gmm.sample(1000, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    far = torch.zeros(5, 2, dtype=torch.float64)                  # the ring's empty centre
    assert fl.off_mode_count(gmm, far, ref) == 5
    assert fl.off_mode_count(gmm, torch.full((1, 2), float("nan")), ref) == 1
    noise = fl.truth_noise(gmm, 1000, 0)
    assert noise["sw2"] > 0 and noise["off"] <= 10 and noise["n"] == 1000
    df = dc.flow_quality(gmm, dc.VESDE(25.0), (2,), n=300)
    assert "off" in df and (df["off"] >= 0).all()


@pytest.mark.parametrize("name", ["tutorial", "ring8", "moons"])
def test_truth_noise_spread_rarely_separates_two_equally_good_samplers(name):
    """The spread of fresh true sets' scores (largest minus smallest of 8) is the tolerance that
    ranks two samplers. Two independent sets of true samples, scored against the same truth, are
    equally good samplers: over 20 seeds the rule separates them at most 4 times (2, 1 and 2 here,
    about the 5 % that two standard errors of a difference give)."""
    from diffusion_core import flow as fl
    from diffusion_core.metrics import sliced_w2
    gmm, separated = dc.PRESETS[name], 0
    for seed in range(20):
        noise = fl.truth_noise(gmm, 1000, seed)
        assert noise["draws"] == 8 and noise["spread"] == pytest.approx(noise["sw2"] - noise["sw2_low"])
        truth, _ = gmm.sample(1000, generator=torch.Generator().manual_seed(seed + 1), dtype=torch.float64)
        a, _ = gmm.sample(1000, generator=torch.Generator().manual_seed(seed + 5001), dtype=torch.float64)
        b, _ = gmm.sample(1000, generator=torch.Generator().manual_seed(seed + 7001), dtype=torch.float64)
        separated += abs(sliced_w2(a, truth) - sliced_w2(b, truth)) > noise["spread"]
    assert separated <= 4, separated
