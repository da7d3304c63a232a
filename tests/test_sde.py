"""Forward SDEs: marginal std and mean scale against numerical integration, inverses, validation."""
import math

import pytest
import torch
from scipy import integrate

import diffusion_core as dc

pytestmark = pytest.mark.usefixtures("one_thread")

LAMS = [0.3, 0.999999, 1.0, 1.000001, 10.0, 25.0, 50.0]
TIMES = [0.0, 1e-6, 1e-4, 0.01, 0.2, 0.5, 0.9, 1.0]
F64 = torch.float64


def _t(v):
    return torch.tensor(v, dtype=F64)


def _ve_sigma2_quad(lam, t):
    """sigma_t^2 = int_0^t g(s)^2 ds with g(s) = lam^s, by adaptive quadrature."""
    return integrate.quad(lambda s: lam ** (2 * s), 0.0, t, epsabs=0, epsrel=1e-12)[0]


def _vp_beta(bmin, bmax, s):
    return bmin + s * (bmax - bmin)


def _vp_moments_quad(bmin, bmax, t):
    """Linear SDE dx = -beta/2 x dt + sqrt(beta) dw: alpha_t = exp(-1/2 int_0^t beta) and
    sigma_t^2 = int_0^t exp(-int_s^t beta) beta(s) ds, both by quadrature."""
    B = lambda a, b: integrate.quad(lambda u: _vp_beta(bmin, bmax, u), a, b, epsrel=1e-13)[0]
    alpha = math.exp(-0.5 * B(0.0, t))
    var = integrate.quad(lambda s: math.exp(-B(s, t)) * _vp_beta(bmin, bmax, s), 0.0, t,
                         epsabs=0, epsrel=1e-11)[0]
    return alpha, var


@pytest.mark.parametrize("lam", LAMS)
def test_ve_sigma_matches_quadrature(lam):
    sde = dc.VESDE(lam)
    for t in TIMES:
        want = _ve_sigma2_quad(lam, t)
        got = float(sde.sigma(_t(t))) ** 2
        assert got == pytest.approx(want, rel=1e-9, abs=1e-15), (lam, t)
        assert float(sde.mean_scale(_t(t))) == 1.0
        assert float(sde.g(_t(t))) == pytest.approx(lam ** t, rel=1e-12)
        assert float(sde.drift_coef(_t(t))) == 0.0


@pytest.mark.parametrize("bmin,bmax", [(0.1, 20.0), (0.0, 5.0), (1.0, 1.5)])
def test_vp_moments_match_quadrature(bmin, bmax):
    sde = dc.VPSDE(bmin, bmax)
    for t in TIMES:
        alpha, var = _vp_moments_quad(bmin, bmax, t)
        assert float(sde.mean_scale(_t(t))) == pytest.approx(alpha, rel=1e-10)
        assert float(sde.sigma(_t(t))) ** 2 == pytest.approx(var, rel=1e-8, abs=1e-15)
        assert float(sde.g(_t(t))) ** 2 == pytest.approx(_vp_beta(bmin, bmax, t), rel=1e-12)
        assert float(sde.drift_coef(_t(t))) == pytest.approx(-0.5 * _vp_beta(bmin, bmax, t))


def test_ve_lam_one_is_brownian_motion():
    """lam = 1: g = 1, so sigma_t^2 = t (the tutorial's formula divides 0 by 0 there)."""
    sde = dc.VESDE(1.0)
    t = torch.linspace(0, 1, 101, dtype=F64)
    assert torch.allclose(sde.sigma(t) ** 2, t, rtol=1e-14, atol=1e-16)
    assert sde.prior_std() == pytest.approx(1.0, rel=1e-14)


def test_ve_closed_form_matches_tutorial_formula():
    """Away from lam = 1 the tutorial's (lam^(2t) - 1) / (2 ln lam) holds."""
    for lam in (0.3, 10.0, 25.0):
        t = torch.linspace(0, 1, 11, dtype=F64)
        want = (lam ** (2 * t) - 1) / (2 * math.log(lam))
        assert torch.allclose(dc.VESDE(lam).sigma(t) ** 2, want, rtol=1e-12, atol=1e-15)


def test_float32_sigma_is_accurate_near_zero_and_one():
    for sde in (dc.VESDE(25.0), dc.VESDE(1.000001), dc.VPSDE()):
        t = torch.tensor([1e-7, 1e-4, 0.5, 1.0])
        s32 = sde.sigma(t)
        s64 = sde.sigma(t.double())
        assert s32.dtype == torch.float32
        assert torch.allclose(s32.double(), s64, rtol=1e-5)


@pytest.mark.parametrize("sde", [dc.VESDE(lam) for lam in LAMS] + [dc.VPSDE(), dc.VPSDE(0.0, 5.0)],
                         ids=repr)
def test_inverses(sde):
    t = torch.tensor([1e-5, 1e-3, 0.05, 0.3, 0.6, 0.95], dtype=F64)
    assert torch.allclose(sde.t_of_noise_ratio(sde.noise_ratio(t)), t, rtol=1e-8)
    assert torch.allclose(sde.t_of_sigma(sde.sigma(t)), t, rtol=1e-6)
    s = sde.sigma(t)
    assert torch.allclose(sde.sigma(sde.t_of_sigma(s)), s, rtol=1e-8)
    assert float(sde.t_of_noise_ratio(_t(0.0))) == 0.0


def test_noise_ratio_is_sigma_over_alpha():
    sde = dc.VPSDE()
    t = torch.linspace(0.01, 1, 7, dtype=F64)
    assert torch.allclose(sde.noise_ratio(t), sde.sigma(t) / sde.mean_scale(t), rtol=1e-13)
    assert torch.allclose(dc.VESDE(25).noise_ratio(t), dc.VESDE(25).sigma(t))


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), "abc", None])
def test_ve_rejects_bad_lam(bad):
    with pytest.raises(ValueError, match="lam"):
        dc.VESDE(bad)


@pytest.mark.parametrize("args,name", [((-0.1, 20.0), "beta_min"), ((0.1, float("nan")), "beta_max"),
                                       ((5.0, 1.0), "beta_max"), ((1.0, 1.0), "beta_max"),
                                       (("x", 1.0), "beta_min"), ((0.1, float("inf")), "beta_max")])
def test_vp_rejects_bad_betas(args, name):
    with pytest.raises(ValueError, match=name):
        dc.VPSDE(*args)


def test_perturb_scalar_and_per_row_time():
    sde = dc.VPSDE()
    x0 = torch.randn(5, 2, dtype=F64, generator=torch.Generator().manual_seed(0))
    z = torch.randn(5, 2, dtype=F64, generator=torch.Generator().manual_seed(1))
    t = torch.linspace(0.1, 0.9, 5, dtype=F64)
    rows = sde.perturb(x0, t, z)
    for i in range(5):
        a, s = float(sde.mean_scale(t[i])), float(sde.sigma(t[i]))
        assert torch.allclose(rows[i], a * x0[i] + s * z[i], rtol=1e-14)
        assert torch.allclose(sde.perturb(x0, float(t[i]), z)[i], rows[i], rtol=1e-14)


def test_prior_sample_std_and_reproducibility():
    sde = dc.VESDE(25.0)
    x = sde.prior_sample(40_000, 2, generator=torch.Generator().manual_seed(3), dtype=F64)
    assert x.shape == (40_000, 2)
    # std of a sample std of n Gaussians is about std / sqrt(2n): 0.35% here; allow 4 of those
    assert float(x.std()) == pytest.approx(sde.prior_std(), rel=0.015)
    y = sde.prior_sample(40_000, 2, generator=torch.Generator().manual_seed(3), dtype=F64)
    assert torch.equal(x, y)


def test_reverse_drift_formula():
    sde = dc.VPSDE()
    x = torch.randn(4, 2, dtype=F64, generator=torch.Generator().manual_seed(0))
    t = torch.tensor([0.1, 0.4, 0.7, 1.0], dtype=F64)
    score = lambda x, t: -x * 3.0
    for ode, c in ((False, 1.0), (True, 0.5)):
        beta = 0.1 + t * 19.9
        want = -0.5 * beta[:, None] * x - c * beta[:, None] * (-3.0 * x)
        assert torch.allclose(dc.reverse_drift(sde, score, x, t, ode=ode), want, rtol=1e-13)


def test_equality_and_hash():
    assert dc.VESDE(25) == dc.VESDE(25.0) and hash(dc.VESDE(25)) == hash(dc.VESDE(25.0))
    assert dc.VESDE(25) != dc.VESDE(10) and dc.VESDE(1) != dc.VPSDE()
    assert dc.VPSDE(0.1, 20) == dc.VPSDE() and len({dc.VPSDE(), dc.VPSDE(0.1, 20.0)}) == 1
    assert dc.VESDE(10).config() == {"kind": "VE", "lam": 10.0}
