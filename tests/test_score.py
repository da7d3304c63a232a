"""Exact scores of diffused mixtures and the denoising score-matching loss."""
import math

import pytest
import torch
from scipy import integrate

import diffusion_core as dc

pytestmark = pytest.mark.usefixtures("one_thread")

F64 = torch.float64
SDES = [dc.VESDE(25.0), dc.VESDE(1.0), dc.VESDE(0.5), dc.VPSDE()]


def _points(gmm, n, seed, spread=2.0):
    g = torch.Generator().manual_seed(seed)
    x, _ = gmm.sample(n, generator=g, dtype=F64)
    return x + spread * torch.randn(x.shape, generator=g, dtype=F64)


@pytest.mark.parametrize("sde", SDES, ids=repr)
@pytest.mark.parametrize("name", ["tutorial", "ring8", "bimodal 1D"])
def test_exact_score_scalar_time_is_the_diffused_mixture(sde, name):
    gmm = dc.PRESETS[name]
    fn = dc.exact_score(gmm, sde)
    x = _points(gmm, 200, 0)
    for t in (0.0, 1e-4, 0.05, 0.5, 1.0):
        want = gmm.diffuse(sde, t).score(x)
        assert torch.allclose(fn(x, t), want, rtol=1e-10, atol=1e-12)
        assert torch.allclose(fn(x, torch.full((200,), t, dtype=F64)), want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("sde", SDES, ids=repr)
def test_exact_score_time_per_point(sde):
    gmm = dc.PRESETS["tutorial"]
    x = _points(gmm, 60, 1)
    t = torch.rand(60, generator=torch.Generator().manual_seed(2), dtype=F64)
    got = dc.exact_score(gmm, sde)(x, t)
    for i in range(60):
        want = gmm.diffuse(sde, float(t[i])).score(x[i:i + 1])[0]
        assert torch.allclose(got[i], want, rtol=1e-10, atol=1e-12)


def test_exact_score_time_per_point_across_chunks():
    """Per-point times on more rows than one chunk (65,536 rows for K = 8, d = 2)."""
    gmm, sde = dc.PRESETS["ring8"], dc.VESDE(25.0)
    n = 70_000
    x = _points(gmm, n, 3)
    t = torch.linspace(0, 1, n, dtype=F64)
    got = dc.exact_score(gmm, sde)(x, t)
    for i in (0, 1, 65_535, 65_536, 65_537, n - 1):
        want = gmm.diffuse(sde, float(t[i])).score(x[i:i + 1])[0]
        assert torch.allclose(got[i], want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("sde", [dc.VESDE(10.0), dc.VPSDE()], ids=repr)
def test_exact_score_is_gradient_of_log_p_t(sde):
    gmm = dc.PRESETS["tutorial"]
    x = _points(gmm, 40, 4).requires_grad_(True)
    t = torch.linspace(0.01, 1, 40, dtype=F64)
    logp = sum(gmm.diffuse(sde, float(t[i])).log_prob(x[i:i + 1]).sum() for i in range(40))
    (grad,) = torch.autograd.grad(logp, x)
    assert torch.allclose(dc.exact_score(gmm, sde)(x.detach(), t), grad, rtol=1e-9, atol=1e-10)


def test_exact_score_dtype_and_validation():
    gmm, sde = dc.PRESETS["ring8"], dc.VESDE(25.0)
    fn = dc.exact_score(gmm, sde)
    x = torch.randn(10, 2)
    assert fn(x, torch.full((10,), 0.3)).dtype == torch.float32
    assert torch.allclose(fn(x, 0.3).double(), fn(x.double(), 0.3), rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="one time per point"):
        fn(x, torch.full((7,), 0.3))
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        fn(torch.randn(10, 3), 0.3)
    assert fn.gmm is gmm and fn.sde is sde


# ------------------------------------------------------------------------------------ DSM loss
@pytest.mark.parametrize("sde", [dc.VESDE(10.0), dc.VPSDE()], ids=repr)
def test_tutorial_check_single_point_dataset_gives_zero_loss(sde):
    """Data = the single point 0: p_t = N(0, sigma_t^2 I), score -x / sigma_t^2, loss 0."""
    score = lambda x, t: -x / sde.sigma(t)[:, None] ** 2
    x0 = torch.zeros(10, 2)
    loss = dc.dsm_loss(score, x0, sde, eps=1e-3, generator=torch.Generator().manual_seed(0))
    assert loss.shape == () and torch.allclose(loss, torch.zeros(1), atol=1e-10)
    loss64 = dc.dsm_loss(score, x0.double(), sde, eps=1e-3)
    assert float(loss64) < 1e-24
    # a wrong score is caught: twice the true score gives sigma^2 |s|^2 = |z|^2, about d = 2
    bad = dc.dsm_loss(lambda x, t: 2 * score(x, t), torch.zeros(4000, 2, dtype=F64), sde, eps=1e-3,
                      generator=torch.Generator().manual_seed(1))
    assert float(bad) == pytest.approx(2.0, rel=0.1)


def test_exact_score_beats_a_perturbed_score_by_the_predicted_margin():
    """DSM(s + c) - DSM(s) = E_t[sigma_t^2] |c|^2 + 2 E[sigma_t^2 c . (s + z / sigma_t)], whose
    second term vanishes in expectation for the exact s: compare with quadrature of sigma_t^2."""
    gmm, sde = dc.PRESETS["tutorial"], dc.VESDE(10.0)
    exact = dc.exact_score(gmm, sde)
    c = torch.tensor([0.3, -0.2], dtype=F64)
    x0, _ = gmm.sample(40_000, generator=torch.Generator().manual_seed(5), dtype=F64)
    eps = 1e-3
    per = lambda fn: dc.dsm_loss(fn, x0, sde, eps=eps, generator=torch.Generator().manual_seed(6),
                                 reduce=False)
    diff = per(lambda x, t: exact(x, t) + c) - per(exact)
    mean_s2 = integrate.quad(lambda t: float(sde.sigma(torch.tensor(t, dtype=F64))) ** 2, eps, 1)[0]
    predicted = mean_s2 / (1 - eps) * float(c @ c)
    se = float(diff.std()) / math.sqrt(len(diff))
    assert float(diff.mean()) == pytest.approx(predicted, abs=5 * se)
    assert float(diff.mean()) > 0


@pytest.mark.parametrize("sde", [dc.VESDE(25.0), dc.VPSDE()], ids=repr)
def test_weightings(sde):
    gmm = dc.PRESETS["ring8"]
    exact = dc.exact_score(gmm, sde)
    x0, _ = gmm.sample(500, generator=torch.Generator().manual_seed(7), dtype=F64)
    t = torch.linspace(0.01, 1, 500, dtype=F64)
    per = {w: dc.dsm_loss(exact, x0, sde, generator=torch.Generator().manual_seed(8), t=t,
                          weighting=w, reduce=False) for w in dc.WEIGHTINGS}
    z = torch.randn(x0.shape, generator=torch.Generator().manual_seed(8), dtype=F64)
    sigma = sde.sigma(t)
    xt = sde.mean_scale(t)[:, None] * x0 + sigma[:, None] * z
    direct = ((exact(xt, t) + z / sigma[:, None]) ** 2).sum(1)
    assert torch.allclose(per["uniform"], direct, rtol=1e-10)
    assert torch.allclose(per["sigma2"], sigma ** 2 * direct, rtol=1e-8)
    assert torch.allclose(per["g2"], sde.g(t) ** 2 * direct, rtol=1e-10)
    reduced = dc.dsm_loss(exact, x0, sde, generator=torch.Generator().manual_seed(8), t=t)
    assert float(reduced) == pytest.approx(float(per["sigma2"].mean()), rel=1e-12)
    assert torch.allclose(dc.loss_weight(sde, t, "sigma2"), sigma ** 2)
    with pytest.raises(ValueError, match="weighting must be one of"):
        dc.dsm_loss(exact, x0, sde, weighting="snr")
    with pytest.raises(ValueError, match="weighting must be one of"):
        dc.loss_weight(sde, t, "snr")


def test_dsm_loss_validation_and_times():
    sde = dc.VESDE(25.0)
    fn = dc.exact_score(dc.PRESETS["ring8"], sde)
    with pytest.raises(ValueError, match="eps"):
        dc.dsm_loss(fn, torch.zeros(5, 2), sde, eps=1.5)
    with pytest.raises(ValueError, match="one time per sample"):
        dc.dsm_loss(fn, torch.zeros(5, 2), sde, t=torch.full((3,), 0.5))
    assert dc.dsm_loss(fn, torch.zeros(5, 2), sde, t=0.5).shape == ()
    t = dc.sample_times(1000, 0.2, generator=torch.Generator().manual_seed(0))
    assert float(t.min()) >= 0.2 and float(t.max()) <= 1.0
    ts = dc.sample_times(10, 0.0, generator=torch.Generator().manual_seed(0), stratified=True)
    assert torch.equal((ts * 10).floor().long(), torch.arange(10))
