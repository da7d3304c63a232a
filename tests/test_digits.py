"""diffusion_core.digits: the 8x8 digits as data, the exact score of the training set in 64
dimensions, every sampler of the registry on a 64-D network, training, measures, bad input."""
import numpy as np
import pytest
import torch

import diffusion_core as dc
from diffusion_core import digits as dg

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def tiny_net():
    """A small network trained a few steps (its quality does not matter here)."""
    cfg = dc.DigitsConfig().with_train(steps=3, warmup=0, width=32, log_every=1)
    return dc.train_digits_model(cfg)[0], cfg


def test_split_sizes_scaling_and_seed():
    from sklearn.datasets import load_digits
    d = dc.load_digits_split()
    assert d.x_train.shape == (1437, 64) and d.x_test.shape == (360, 64)
    assert len(d.y_train) == 1437 and len(d.y_test) == 360
    for x in (d.x_train, d.x_test):
        assert x.dtype == torch.float32 and float(x.min()) == -1.0 and float(x.max()) == 1.0
    # stratified: every class holds about a fifth of its images out
    share = np.bincount(d.y_test, minlength=10) / np.bincount(np.r_[d.y_train, d.y_test], minlength=10)
    assert np.all(np.abs(share - 0.2) < 0.01), share
    # the pixels 0..16 come back exactly, every image once, with its label
    raw = load_digits()
    got = np.r_[dc.to_pixels(d.x_train), dc.to_pixels(d.x_test)]
    labels = np.r_[d.y_train, d.y_test]
    want_rows = sorted(map(tuple, np.c_[raw.data, raw.target]))
    assert sorted(map(tuple, np.c_[got, labels])) == want_rows
    # fixed by its seed
    again, other = dc.load_digits_split(0.2, 0), dc.load_digits_split(0.2, 1)
    assert torch.equal(again.x_test, d.x_test) and not torch.equal(other.x_test, d.x_test)
    assert dc.load_digits_split(0.3).x_test.shape[0] == 540


def test_to_pixels_clips():
    assert dc.to_pixels(torch.tensor([[-3.0, 0.0, 5.0]])).tolist() == [[0.0, 8.0, 16.0]]


@pytest.mark.parametrize("n", [40, 300])      # the general kernel (K < 64) and the isotropic path
@pytest.mark.parametrize("t", [0.02, 0.3, 1.0])
def test_exact_score_in_64_dimensions_is_the_gradient_of_log_p(n, t):
    d = dc.load_digits_split()
    gmm = dc.exact_digits_mixture(d.x_train[:n], width=0.3)
    assert gmm.dim == 64 and gmm.n_components == n
    sde = dc.VESDE(25.0)
    g = torch.Generator().manual_seed(0)
    x0 = d.x_test[:16].double()
    sigma = float(sde.sigma(torch.tensor(t)))
    x = (x0 + sigma * torch.randn(x0.shape, generator=g, dtype=torch.float64)).requires_grad_(True)
    logp = gmm.diffuse(sde, t).log_prob(x).sum()
    (grad,) = torch.autograd.grad(logp, x)
    got = dc.exact_score(gmm, sde)(x.detach(), t)
    assert torch.isfinite(got).all()
    assert torch.allclose(got, grad, rtol=1e-6, atol=1e-8 * float(grad.abs().max()))


def test_mixture_from_points_checks_the_dimension():
    with pytest.raises(ValueError, match="64 columns"):
        dc.mixture_from_points(np.zeros((5, 2)), 0.1, dim=64)
    with pytest.raises(ValueError, match="2 columns"):
        dc.mixture_from_points(np.zeros((5, 64)), 0.1)


@pytest.mark.parametrize("method", dc.METHODS)
def test_every_sampler_counts_its_score_evaluations_on_a_64d_network(tiny_net, method):
    net, cfg = tiny_net
    calls = []
    score = dg.digits_score(net, torch.arange(5), 1.0)

    def counted(x, t):
        calls.append(x.shape)
        return score(x, t)
    for budget in (10, 25):
        calls.clear()
        res = dc.sample_digits(counted, cfg.sde, 5, method, budget, seed=0)
        steps = dc.steps_for_nfe(method, budget)
        assert res.x.shape == (5, 64) and torch.isfinite(res.x).all()
        assert len(calls) == res.nfe == dc.nfe(method, steps) <= budget
        assert all(s == (5, 64) for s in calls)


def test_guided_score_at_w_0_and_1_is_the_unconditional_and_conditional_net(tiny_net):
    net, _ = tiny_net
    x, t = torch.randn(4, 64, generator=torch.Generator().manual_seed(1)), torch.full((4,), 0.3)
    y = torch.tensor([0, 3, 5, 9])
    with torch.no_grad():
        assert torch.allclose(dg.digits_score(net, y, 0.0)(x, t), net(x, t, None))
        assert torch.allclose(dg.digits_score(net, y, 1.0)(x, t), net(x, t, y), atol=1e-6)
        assert torch.allclose(dg.digits_score(net, [7], 1.0)(x, t), net(x, t, torch.full((4,), 7)), atol=1e-6)


def test_short_training_improves_the_dsm_loss():
    cfg = dc.DigitsConfig().with_train(steps=150, warmup=10, width=64, log_every=10, ema=0.0)
    d = cfg.data()

    def held_out_loss(net):
        g = torch.Generator().manual_seed(5)
        with torch.no_grad():
            return float(dc.dsm_loss(lambda x, t: net(x, t, d.y_test), d.x_test, cfg.sde,
                                     eps=1e-3, generator=g))
    before, _ = dc.train_digits_model(cfg.with_train(steps=1, warmup=0, lr=1e-8, log_every=1))
    after, history = dc.train_digits_model(cfg)
    assert history["step"].iloc[-1] == 150
    assert held_out_loss(after) < 0.9 * held_out_loss(before)
    assert history["train_loss"].iloc[-1] < history["train_loss"].iloc[0]


def test_exact_empirical_score_samples_are_training_images():
    d = dc.load_digits_split()
    labels = torch.arange(20) % 10
    x = dc.exact_digits(d.x_train, d.y_train, labels, dc.VESDE(25.0), "sde", 100, seed=3)
    dist, idx = dc.memorization.nearest(x, d.x_train)
    held = float(dc.memorization.nearest(d.x_test, d.x_train)[0].mean())
    assert float(dist.mean()) <= 0.05 * held
    assert len(set(idx.tolist())) >= 15           # different images, not one
    assert torch.equal(d.y_train[idx], labels)    # each of its own class


def test_denoising_film_goes_from_noise_to_a_digit(tiny_net):
    net, cfg = tiny_net
    t, s, xt, den = dg.denoising_film(dg.digits_score(net, [2], 1.0), cfg.sde, seed=0)
    L = len(dg.FILM_LEVELS)
    assert t.shape == s.shape == (L,) and xt.shape == den.shape == (L, 64)
    assert np.all(np.diff(s) < 0) and s[0] > 9 and s[-1] < 0.05
    assert np.isfinite(xt).all() and np.isfinite(den).all()
    assert np.abs(xt[0]).std() > 5 > np.abs(xt[-1]).std()
    fwd = dg.forward_film(cfg.data().x_train[0], cfg.sde, dg.FILM_LEVELS)
    assert fwd.shape == (L, 64) and np.allclose(fwd[-1], cfg.data().x_train[0].double().numpy())


def test_measures_and_frechet():
    d = dc.load_digits_split()
    a = d.x_test.double()
    assert dc.frechet_distance(a, a) == pytest.approx(0, abs=1e-6)
    assert dc.frechet_distance(a, a + 0.5) == pytest.approx(64 * 0.25, rel=1e-6)
    clf, acc = dc.fit_digit_classifier(d)
    assert acc >= 0.95
    m = dc.digit_measures(d.x_test, d.y_test, d, clf)
    assert m["accuracy"] == pytest.approx(acc) and m["nn_ratio"] == pytest.approx(1.0)
    assert m["frechet"] == pytest.approx(0, abs=1e-6) and m["bad"] == 0
    x = d.x_test.clone()
    x[0] = float("nan")
    assert dc.digit_measures(x, d.y_test, d, clf)["bad"] == pytest.approx(1 / 360)


def test_bad_input_gets_clear_messages(tiny_net):
    net, cfg = tiny_net
    with pytest.raises(ValueError, match=r"guidance scale w must be in \[0, 100\]"):
        dc.guided_digits(net, cfg.sde, [1], -1.0)
    with pytest.raises(ValueError, match="budget must be in 3..500"):
        dc.guided_digits(net, cfg.sde, [1], 1.0, "ode", 2)
    with pytest.raises(ValueError, match="budget must be in"):
        dc.guided_digits(net, cfg.sde, [1], 1.0, "sde", 10_000)
    with pytest.raises(ValueError, match="labels must be"):
        dc.guided_digits(net, cfg.sde, [10], 1.0)
    with pytest.raises(ValueError, match="method must be one of"):
        dc.guided_digits(net, cfg.sde, [1], 1.0, "magic")
    with pytest.raises(ValueError, match="lam must be"):
        dc.DigitsConfig(lam=0.5)
    with pytest.raises(ValueError, match="test_fraction"):
        dc.DigitsConfig(test_fraction=0.9)
    with pytest.raises(ValueError, match="n_data must be at most the 1437"):
        dc.train_digits_model(dc.DigitsConfig().with_train(n_data=1500, steps=1, warmup=0))


def test_config_is_hashable_and_the_page_default_is_the_recipe():
    from dashboard import settings as sio
    cfg = dc.DigitsConfig()
    assert hash(cfg) == hash(dc.DigitsConfig()) and cfg != cfg.with_train(steps=200)
    assert sio.SCHEMA["w_digits_steps"].default == cfg.train.steps
    assert cfg.train.n_data == len(cfg.data().x_train)
