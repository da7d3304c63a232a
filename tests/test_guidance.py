"""Guidance: the exact conditional score against autograd of the diffused class density
(torch.distributions), classifier-free = classifier guidance, p_t(y | x) and its gradient, the
w = 0 and w = 1 limits, finiteness far away, the sweep's metrics, the class-conditional network,
and property tests over random mixtures and class partitions."""
import dataclasses

import pytest
import torch
from hypothesis import given, settings, strategies as st
from torch.distributions import MultivariateNormal

import diffusion_core as dc

pytestmark = pytest.mark.usefixtures("one_thread")

F64 = torch.float64
SDES = {"VE": dc.VESDE(25.0), "VP": dc.VPSDE()}
CASES = {"tutorial, class 1": ("tutorial", None, 1), "ring8, class 3": ("ring8", None, 3),
         "grid, two groups": ("grid 3x3", [[0, 1, 2], [4, 8]], 0), "cross": ("cross", None, 0)}


def points_and_times(n=200, seed=0, spread=4.0):
    g = torch.Generator().manual_seed(seed)
    x = spread * torch.randn(n, 2, generator=g, dtype=F64)
    t = torch.rand(n, generator=g, dtype=F64) * 0.999 + 0.001
    return x, t


def class_log_density(gmm, sde, idx, x, t):
    """log p_t(x | y) from torch.distributions, one diffused Gaussian per member component."""
    a, s = sde.mean_scale(t)[:, None], sde.sigma(t)[:, None, None]
    w = gmm.weights[idx] / gmm.weights[idx].sum()
    terms = [torch.log(w[j]) + MultivariateNormal(a * gmm.means[k], a[:, :, None] ** 2 * gmm.covs[k]
                                                  + s ** 2 * torch.eye(2, dtype=F64)).log_prob(x)
             for j, k in enumerate(idx)]
    return torch.logsumexp(torch.stack(terms), 0)


@pytest.mark.parametrize("sde", SDES.values(), ids=SDES)
@pytest.mark.parametrize("case", CASES)
def test_conditional_score_is_the_gradient_of_the_class_density(case, sde):
    name, classes, y = CASES[case]
    gmm = dc.PRESETS[name]
    x, t = points_and_times()
    xr = x.clone().requires_grad_(True)
    idx = list(dc.make_classes(gmm, classes)[y])
    grad, = torch.autograd.grad(class_log_density(gmm, sde, idx, xr, t).sum(), xr)
    assert torch.allclose(dc.conditional_score(gmm, sde, classes, y)(x, t), grad, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("w", [0.0, 0.5, 1.0, 3.0, 10.0])
@pytest.mark.parametrize("case", CASES)
def test_classifier_free_guidance_equals_classifier_guidance(case, w):
    name, classes, y = CASES[case]
    gmm, sde = dc.PRESETS[name], SDES["VE"]
    x, t = points_and_times(seed=1)
    cfg = dc.guided_score(gmm, sde, classes, y, w)(x, t)
    clf = dc.classifier_guided_score(gmm, sde, classes, y, w)(x, t)
    assert torch.allclose(cfg, clf, rtol=1e-9, atol=1e-9 * max(1.0, float(cfg.abs().max())))


@pytest.mark.parametrize("case", CASES)
def test_classifier_gradient_is_the_gradient_of_log_p_y_given_x(case):
    name, classes, y = CASES[case]
    gmm, sde = dc.PRESETS[name], SDES["VP"]
    x, t = points_and_times(seed=2, spread=2.0)
    xr = x.clone().requires_grad_(True)
    grad, = torch.autograd.grad(dc.class_log_prob(gmm, sde, classes, y, xr, t).sum(), xr)
    assert torch.allclose(dc.classifier_gradient(gmm, sde, classes, y)(x, t), grad, rtol=1e-8, atol=1e-8)


def test_class_posterior_is_bayes_rule_and_sums_to_one_on_a_partition():
    gmm, sde = dc.PRESETS["grid 3x3"], SDES["VE"]
    classes = [[0, 1, 2], [3, 4, 5, 6, 7, 8]]
    x, t = points_and_times(seed=3)
    post = dc.class_posterior(gmm, sde, classes, x, t)
    assert torch.allclose(post.sum(1), torch.ones(len(x), dtype=F64))
    w0 = gmm.weights[:3].sum()
    logp = torch.logsumexp(torch.stack([class_log_density(gmm, sde, [0, 1, 2], x, t) + torch.log(w0),
                                        class_log_density(gmm, sde, [3, 4, 5, 6, 7, 8], x, t)
                                        + torch.log(1 - w0)]), 0)
    bayes = torch.exp(class_log_density(gmm, sde, [0, 1, 2], x, t) + torch.log(w0) - logp)
    assert torch.allclose(post[:, 0], bayes, rtol=1e-9, atol=1e-12)
    assert torch.allclose(dc.class_log_prob(gmm, sde, classes, 0, x, t).exp(), bayes, rtol=1e-9, atol=1e-12)


def test_w0_is_the_unconditional_and_w1_the_conditional_score():
    gmm, sde = dc.PRESETS["ring8"], SDES["VE"]
    x, t = points_and_times(seed=4)
    assert torch.equal(dc.guided_score(gmm, sde, None, 2, 0)(x, t), dc.exact_score(gmm, sde)(x, t))
    assert torch.allclose(dc.guided_score(gmm, sde, None, 2, 1)(x, t),
                          dc.conditional_score(gmm, sde, None, 2)(x, t), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [F64, torch.float32])
@pytest.mark.parametrize("name", list(dc.PRESETS))
def test_guided_fields_are_finite_everywhere_a_user_can_reach(name, dtype):
    gmm, sde = dc.PRESETS[name], SDES["VE"]
    r = torch.tensor([1e4, -1e4, 0.0, 3.0], dtype=dtype)
    x = torch.cartesian_prod(r, r)[:, :gmm.dim] if gmm.dim == 2 else r[:, None]
    y = gmm.n_components - 1
    for t in (0.0, 1e-4, 0.5, 1.0):
        tt = torch.full((len(x),), t, dtype=dtype)
        for fn in (dc.guided_score(gmm, sde, None, y, 10.0), dc.classifier_guided_score(gmm, sde, None, y, 10.0)):
            assert torch.isfinite(fn(x, tt)).all(), (name, t)
        assert torch.isfinite(dc.class_posterior(gmm, sde, None, x, tt)).all()


@pytest.mark.parametrize("classes, y, words", [
    ([[0], [0, 1]], 0, "already in another class"), ([[]], 0, "at least one component"),
    ([[0, 9]], 0, r"indices must be in 0\.\.1"), ([], 0, "at least one class"),
    ([["a"]], 0, "list of component indices"), (None, 2, r"integer in 0\.\.1"), (None, True, "integer")])
def test_bad_classes_are_refused(classes, y, words):
    with pytest.raises(ValueError, match=words):
        dc.guided_score(dc.PRESETS["tutorial"], SDES["VE"], classes, y, 1.0)


@pytest.mark.parametrize("w", [-0.5, float("nan"), 101, "x"])
def test_bad_guidance_scales_are_refused(w):
    with pytest.raises(ValueError, match="guidance scale w"):
        dc.guided_score(dc.PRESETS["tutorial"], SDES["VE"], None, 0, w)


def test_guidance_metrics_of_true_class_samples():
    gmm = dc.PRESETS["grid 3x3"]
    classes = [[0, 1, 2], [3, 4, 5, 6, 7, 8]]
    x, _ = dc.class_mixture(gmm, classes, 0).sample(4000, torch.Generator().manual_seed(0))
    m = dc.guidance_metrics(x, gmm, classes, 0)
    assert m["leak"] < 0.01 and m["coverage"] > 0.97 and abs(m["spread_ratio"] - 1) < 0.05
    assert m["logp_class"] == pytest.approx(float(dc.class_mixture(gmm, classes, 0).log_prob(x).mean()))


def test_sweep_leak_falls_and_fidelity_rises_with_w():
    gmm, sde = dc.PRESETS["grid 3x3"], SDES["VE"]
    classes = [[0, 1, 2], [3, 4, 5, 6, 7, 8]]
    df = dc.guidance_sweep(gmm, sde, classes, 0, ws=(0, 1, 4), n=600, steps=40)
    assert list(df["w"]) == [0, 1, 4] and set(dc.guidance.GUIDANCE_COLUMNS) <= set(df.columns)
    assert df["leak"].iloc[0] > 0.5 and df["leak"].iloc[1] < 0.03 and df["leak"].iloc[2] <= df["leak"].iloc[1]
    assert df["logp_class"].iloc[2] > df["logp_class"].iloc[0]
    assert abs(df["spread_ratio"].iloc[1] - 1) < 0.15 and df["coverage"].iloc[1] > 0.85


# ------------------------------------------------------------------------------ network
def test_cond_net_null_class_labels_and_validation():
    sde = SDES["VE"]
    net = dc.CondScoreNet(sde, n_classes=3, width=16, depth=2, precond="edm", seed=1)
    x, t = torch.randn(5, 2), torch.rand(5)
    assert torch.equal(net(x, t), net(x, t, torch.full((5,), 3)))
    assert net(x, t, 1).shape == (5, 2) and net(x.double(), 0.3, [0, 1, 2, 0, 1]).dtype == F64
    base = dc.ScoreNet(sde, width=16, depth=2, precond="edm")
    assert torch.allclose(net(x, t, 2), base(x, t))        # edm: zero last layer, Gaussian score
    for bad in (5, -1, [0, 1]):
        with pytest.raises(ValueError, match="labels must be one class"):
            net(x, t, bad)
    with pytest.raises(ValueError, match="n_classes"):
        dc.CondScoreNet(sde, n_classes=0)
    assert torch.equal(dc.learned_guided_score(net, 1, 0.0)(x, t), net(x, t))


def test_cond_training_learns_class_scores_with_label_dropout():
    gmm, sde = dc.PRESETS["two clusters"], SDES["VE"]
    cfg = dataclasses.replace(dc.TrainConfig(), steps=300, n_data=4000, log_every=100)
    net, hist = dc.train_cond_score_model(gmm, sde, cfg=cfg, p_uncond=0.2)
    assert hist["train_loss"].iloc[-1] < hist["train_loss"].iloc[0] and net.classes == ((0,), (1,))
    assert not any(p.requires_grad for p in net.parameters())
    for y in (0, 1):
        res = dc.sample(dc.learned_guided_score(net, y, 1.0), sde, 500, 40,
                        generator=torch.Generator().manual_seed(y))
        assert dc.guidance_metrics(res.x, gmm, None, y)["leak"] < 0.05
    with pytest.raises(ValueError, match="p_uncond"):
        dc.train_cond_score_model(gmm, sde, cfg=cfg, p_uncond=1.0)


# ------------------------------------------------------------------------------ properties
@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(0, 10_000), st.floats(0.0, 10.0), st.floats(0.0, 1.0))
def test_identity_and_finiteness_on_random_mixtures(k, seed, w, t):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(k, 2, 2, generator=g, dtype=F64) * 0.7
    gmm = dc.GaussianMixture(6 * torch.rand(k, 2, generator=g, dtype=F64) - 3,
                             a @ a.transpose(1, 2) + 0.05 * torch.eye(2, dtype=F64),
                             0.2 + torch.rand(k, generator=g, dtype=F64))
    perm = torch.randperm(k, generator=g).tolist()
    cut = int(torch.randint(1, k + 1, (1,), generator=g))
    classes = [perm[:cut]] + ([perm[cut:]] if cut < k else [])
    x = torch.cat([3 * torch.randn(20, 2, generator=g, dtype=F64), torch.tensor([[1e4, -1e4]], dtype=F64)])
    for sde in SDES.values():
        cfg = dc.guided_score(gmm, sde, classes, 0, w)(x, t)
        clf = dc.classifier_guided_score(gmm, sde, classes, 0, w)(x, t)
        assert torch.isfinite(cfg).all() and torch.isfinite(clf).all()
        assert torch.allclose(cfg, clf, rtol=1e-7, atol=1e-7 * max(1.0, float(cfg.abs().max())))


@pytest.mark.parametrize("name", ["tutorial", "ring8"])
def test_truth_reference_and_the_sampler_at_w1(name):
    """True samples of p(x | y) score spread 1 and their own leak; the sampler of the Guidance
    page (dpm2m_sde, 60 steps) at w = 1 lands within 2 truth-vs-truth standard deviations of the
    truth's mean on every measure, and w = 4 removes the leak."""
    gmm, sde = dc.PRESETS[name], dc.VESDE(25.0)
    from diffusion_core import guidance as gd
    x, ref = gd.truth_reference(gmm, None, 0, 600, seed=1, repeats=20)
    assert x.shape == (600, 2) and set(ref) == {"spread", "spread_ratio", "coverage", "logp_class", "leak"}
    assert abs(ref["spread_ratio"][0] - 1) < 0.02 and 0 < ref["spread_ratio"][1] < 0.05
    for w, within in [(1.0, True), (4.0, False)]:
        res = dc.sample(gd.guided_score(gmm, sde, None, 0, w), sde, 600, 60, method="dpm2m_sde",
                        generator=torch.Generator().manual_seed(0))
        m = dc.guidance_metrics(res.x, gmm, None, 0)
        if within:
            for k in ("spread_ratio", "leak", "logp_class"):
                mean, sd = ref[k]
                assert abs(m[k] - mean) <= 2 * sd + 1e-12, (k, m[k], mean, sd)
        else:
            assert m["leak"] <= ref["leak"][0]
    with pytest.raises(ValueError, match="repeats"):
        gd.truth_reference(gmm, None, 0, 10, repeats=1)


def test_truth_sw2_is_the_truths_own_distance():
    """truth_sw2: the sliced W₂ between two sets of true samples of p(x | y), positive and small
    against the class's spread, and shrinking with more samples (the level the Guidance page
    compares learned CFG's distance from exact CFG with)."""
    from diffusion_core import guidance as gd
    gmm = dc.PRESETS["ring8"]
    mean, sd = gd.truth_sw2(gmm, None, 0, 600, seed=1, repeats=8)
    spread = gd.truth_reference(gmm, None, 0, 600, seed=1, repeats=8)[1]["spread"][0]
    assert 0 < sd < mean < 0.2 * spread
    assert gd.truth_sw2(gmm, None, 0, 4000, seed=1, repeats=8)[0] < mean
    with pytest.raises(ValueError, match="repeats"):
        gd.truth_sw2(gmm, None, 0, 10, repeats=1)
