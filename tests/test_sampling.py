"""Samplers: shapes, step and evaluation counts, grids, agreement with direct implementations of
each update rule, recovery of known mixtures with the exact score, validation."""
import math

import numpy as np
import pytest
import torch
from scipy import integrate

import diffusion_core as dc

pytestmark = pytest.mark.usefixtures("one_thread")

F64 = torch.float64


class Counted:
    """A score function that counts its calls and checks the times it is given."""

    def __init__(self, fn):
        self.fn, self.calls, self.times = fn, 0, []

    def __call__(self, x, t):
        self.calls += 1
        assert t.shape == (x.shape[0],) and t.dtype == x.dtype
        self.times.append(float(t[0]))
        return self.fn(x, t)


@pytest.mark.parametrize("method", dc.METHODS)
@pytest.mark.parametrize("denoise", [True, False])
def test_shapes_counts_and_finiteness(method, denoise):
    gmm, sde = dc.PRESETS["tutorial"], dc.VESDE(25.0)
    fn = Counted(dc.exact_score(gmm, sde))
    steps, n = 12, 64
    seen = []
    res = dc.sample(fn, sde, n, steps, method=method, trajectory=True, denoise=denoise,
                    generator=torch.Generator().manual_seed(0),
                    callback=lambda i, t, x: seen.append((i, t, x.shape)))
    assert res.x.shape == (n, 2) and res.x.dtype == torch.float32 and torch.isfinite(res.x).all()
    if method == "tutorial":      # the tutorial's loop: steps - 1 updates, no denoising
        states, nfe = steps, steps - 1
        assert torch.allclose(res.times, 1 - torch.arange(steps, dtype=F64) / steps)
    else:
        states, nfe = steps + 1, dc.SAMPLERS[method].per_step * steps + int(denoise)
        assert res.times[0] == 1.0 and res.times[-1] == dc.sampling.T_EPS
    assert res.trajectory.shape == (states, n, 2) and res.times.shape == (states,)
    assert res.nfe == nfe == fn.calls
    assert torch.equal(res.trajectory[-1], res.x) and torch.isfinite(res.trajectory).all()
    assert [s[0] for s in seen] == list(range(states - 1))
    assert [s[1] for s in seen] == pytest.approx(res.times[1:].tolist())
    assert dc.sample(fn, sde, n, steps, method=method).trajectory is None


@pytest.mark.parametrize("sde", [dc.VESDE(25.0), dc.VESDE(1.0), dc.VESDE(0.5), dc.VPSDE()], ids=repr)
@pytest.mark.parametrize("kind", dc.GRIDS)
def test_time_grid(sde, kind):
    t = dc.time_grid(sde, 30, kind, t_eps=1e-3)
    assert t.shape == (31,) and t.dtype == F64
    assert t[0] == 1.0 and t[-1] == 1e-3 and (t.diff() < 0).all()
    if kind == "karras":          # uniform in r^(1/rho), r = sigma / alpha
        q = sde.noise_ratio(t) ** (1 / 7)
        assert torch.allclose(q.diff(), q.diff().mean().expand(30), rtol=1e-6)
    elif kind == "exponential" or (kind == "fitted" and 30 not in dc.sampling.FITTED):  # uniform in log r
        q = sde.noise_ratio(t).log()
        assert torch.allclose(q.diff(), q.diff().mean().expand(30), rtol=1e-6)
    else:
        assert torch.allclose(t.diff(), t.diff().mean().expand(30), rtol=1e-9)
    with pytest.raises(ValueError, match="grid must be one of"):
        dc.time_grid(sde, 10, "cosine")
    with pytest.raises(ValueError, match="t_eps"):
        dc.time_grid(sde, 10, kind, t_eps=0.0)
    with pytest.raises(ValueError, match="steps"):
        dc.time_grid(sde, 0, kind)


@pytest.mark.parametrize("sde", [dc.VESDE(25.0), dc.VPSDE()], ids=repr)
def test_fitted_grid_puts_log_r_at_its_positions(sde):
    """grid_fitted: log r_i = log r_max + u_i (log r_min - log r_max) at FITTED[steps]; the
    log-uniform grid at step counts without a fit."""
    assert dc.sampling.FITTED, "no fitted grid"
    for steps, u in dc.sampling.FITTED.items():
        assert len(u) == steps - 1 and all(0 < a < b < 1 for a, b in zip(u, u[1:])) and 0 < u[0]
        q = sde.noise_ratio(dc.time_grid(sde, steps, "fitted", t_eps=1e-2)).log()
        assert ((q[1:-1] - q[0]) / (q[-1] - q[0])).tolist() == pytest.approx(u, abs=1e-9)
    missing = max(dc.sampling.FITTED) + 1
    assert torch.equal(dc.time_grid(sde, missing, "fitted", t_eps=1e-3),
                       dc.time_grid(sde, missing, "exponential", t_eps=1e-3))


# ------------------------------------------------------------------------------------ update rules
def _karras_ve(lam, steps, t_eps, rho=7.0):
    """Karras times for g = lam^t written out: r = sigma_t, t = ln(1 + 2 ln(lam) r^2) / (2 ln lam)."""
    c = math.log(lam)
    s2 = lambda t: (lam ** (2 * t) - 1) / (2 * c)
    r_max, r_min = math.sqrt(s2(1.0)), math.sqrt(s2(t_eps))
    u = np.linspace(0, 1, steps + 1)
    r = (r_max ** (1 / rho) + u * (r_min ** (1 / rho) - r_max ** (1 / rho))) ** rho
    t = np.log1p(2 * c * r * r) / (2 * c)
    t[0], t[-1] = 1.0, t_eps
    return t, np.sqrt([s2(v) for v in t])


def test_tutorial_method_is_the_tutorials_loop():
    """x <- x + lam^(2t) s_t(x) dt + lam^t sqrt(dt) z at t = 1 - i dt, i = 1 .. steps - 1,
    with s_t the score of the diffused mixture, from N(0, sigma_1^2 I)."""
    gmm, lam, steps, n = dc.PRESETS["tutorial"], 10.0, 40, 50
    sde = dc.VESDE(lam)
    res = dc.sample(dc.exact_score(gmm, sde), sde, n, steps, method="tutorial", dtype=F64,
                    generator=torch.Generator().manual_seed(3))
    g = torch.Generator().manual_seed(3)
    x = torch.randn(n, 2, generator=g, dtype=F64) * math.sqrt((lam ** 2 - 1) / (2 * math.log(lam)))
    dt = 1 / steps
    for i in range(1, steps):
        t = 1 - i * dt
        z = torch.randn(n, 2, generator=g, dtype=F64)
        x = x + lam ** (2 * t) * gmm.diffuse(sde, t).score(x) * dt + lam ** t * math.sqrt(dt) * z
    assert torch.allclose(res.x, x, rtol=1e-9, atol=1e-9)


def test_sde_method_is_euler_maruyama_on_the_karras_grid():
    """VE: x <- x + (r_i^2 - r_j^2) s(x, t_i) + sqrt(r_i^2 - r_j^2) z, then x + r_N^2 s(x, t_N)."""
    gmm, lam, steps, n, t_eps = dc.PRESETS["ring8"], 25.0, 15, 40, 1e-3
    sde = dc.VESDE(lam)
    res = dc.sample(dc.exact_score(gmm, sde), sde, n, steps, method="sde", dtype=F64, t_eps=t_eps,
                    generator=torch.Generator().manual_seed(4))
    t, r = _karras_ve(lam, steps, t_eps)
    g = torch.Generator().manual_seed(4)
    x = torch.randn(n, 2, generator=g, dtype=F64) * r[0]
    for i in range(steps):
        d = r[i] ** 2 - r[i + 1] ** 2
        z = torch.randn(n, 2, generator=g, dtype=F64)
        x = x + d * gmm.diffuse(sde, t[i]).score(x) + math.sqrt(d) * z
    x = x + r[-1] ** 2 * gmm.diffuse(sde, t[-1]).score(x)
    assert torch.allclose(res.times, torch.tensor(t), rtol=1e-9)
    assert torch.allclose(res.x, x, rtol=1e-8, atol=1e-8)


def test_ode_method_is_heun_in_sigma():
    """VE PF ODE dx/dsigma = -sigma s(x, t(sigma)), Heun's method on the Karras grid."""
    gmm, lam, steps, n, t_eps = dc.PRESETS["tutorial"], 25.0, 10, 40, 1e-3
    sde = dc.VESDE(lam)
    x0 = sde.prior_sample(n, 2, generator=torch.Generator().manual_seed(5), dtype=F64)
    res = dc.sample(dc.exact_score(gmm, sde), sde, n, steps, method="ode", x_init=x0, t_eps=t_eps,
                    denoise=False)
    t, r = _karras_ve(lam, steps, t_eps)
    f = lambda x, i: -r[i] * gmm.diffuse(sde, t[i]).score(x)
    x = x0.clone()
    for i in range(steps):
        h = r[i + 1] - r[i]
        d1 = f(x, i)
        d2 = f(x + h * d1, i + 1)
        x = x + h * (d1 + d2) / 2
    assert res.x.dtype == F64 and torch.allclose(res.x, x, rtol=1e-9, atol=1e-9)


def test_ode_method_solves_the_vp_probability_flow():
    """VP PF ODE dx/dt = -1/2 beta(t) (x + s(x, t)), solved by scipy's RK45 at tight tolerance,
    against the sampler's Heun steps in (x / alpha, sigma / alpha): they agree to 1e-3."""
    gmm, sde, t_eps = dc.PRESETS["tutorial"], dc.VPSDE(), 1e-3
    fn = dc.exact_score(gmm, sde)
    x1 = torch.randn(6, 2, generator=torch.Generator().manual_seed(6), dtype=F64)

    def rhs(t, y):
        x = torch.tensor(y, dtype=F64).reshape(6, 2)
        beta = 0.1 + t * 19.9
        return (-0.5 * beta * (x + fn(x, t))).reshape(-1).numpy()

    sol = integrate.solve_ivp(rhs, (1.0, t_eps), x1.reshape(-1).numpy(), rtol=1e-10, atol=1e-10)
    want = torch.tensor(sol.y[:, -1]).reshape(6, 2)
    res = dc.sample(fn, sde, 6, 200, method="ode", x_init=x1, t_eps=t_eps, denoise=False)
    assert torch.allclose(res.x, want, atol=1e-3)
    assert not torch.allclose(dc.sample(fn, sde, 6, 3, method="ode", x_init=x1, t_eps=t_eps,
                                        denoise=False).x, want, atol=1e-3)


def test_pc_corrector_step():
    """With the predictor removed (r_i = r_j cannot happen on a grid, so check one step by hand):
    pc = sde predictor then x <- x + e s + sqrt(2 e) z, e = 2 (snr mean|z| / mean|s|)^2."""
    gmm, lam, n, t_eps, snr = dc.PRESETS["ring8"], 25.0, 30, 1e-3, 0.2
    sde = dc.VESDE(lam)
    res = dc.sample(dc.exact_score(gmm, sde), sde, n, 1, method="pc", dtype=F64, t_eps=t_eps,
                    snr=snr, denoise=False, generator=torch.Generator().manual_seed(7))
    t, r = _karras_ve(lam, 1, t_eps)
    g = torch.Generator().manual_seed(7)
    x = torch.randn(n, 2, generator=g, dtype=F64) * r[0]
    d = r[0] ** 2 - r[1] ** 2
    x = x + d * gmm.diffuse(sde, 1.0).score(x) + math.sqrt(d) * torch.randn(n, 2, generator=g, dtype=F64)
    s = gmm.diffuse(sde, t_eps).score(x)
    z = torch.randn(n, 2, generator=g, dtype=F64)
    e = 2 * (snr * z.norm(dim=1).mean() / s.norm(dim=1).mean()) ** 2
    x = x + e * s + torch.sqrt(2 * e) * z
    assert torch.allclose(res.x, x, rtol=1e-9, atol=1e-9)


# ------------------------------------------------------------------------------------ recovery
N = 4000


def _check(gmm, x, lw1_bound, mode_bound, sw2_factor=None):
    """logp_w1 to 4000 true samples below lw1_bound (two true sets: ~0.02; samplers that blur or
    collapse the modes: > 0.2), mode weights within mode_bound, and optionally sliced W₂ within
    sw2_factor times that of two independent true sets."""
    ref, _ = gmm.sample(N, generator=torch.Generator().manual_seed(100), dtype=F64)
    assert torch.isfinite(x).all()
    lw1 = dc.logp_w1(x, gmm, ref)
    mw = dc.mode_weights(x, gmm)
    assert lw1 < lw1_bound, lw1
    assert float((mw - gmm.weights).abs().max()) < mode_bound, mw
    if sw2_factor is not None:
        other, _ = gmm.sample(N, generator=torch.Generator().manual_seed(101), dtype=F64)
        assert dc.sliced_w2(x, ref) < sw2_factor * dc.sliced_w2(other, ref)


# binomial standard error of a weight 1/8 with 4000 samples: 0.0052; bound ~6 of those
@pytest.mark.parametrize("method,steps", [("ode", 24), ("sde", 200), ("pc", 100)])
def test_recovers_ring8_from_the_prior(method, steps):
    gmm, sde = dc.PRESETS["ring8"], dc.VESDE(25.0)
    res = dc.sample(dc.exact_score(gmm, sde), sde, N, steps, method=method,
                    generator=torch.Generator().manual_seed(1))
    _check(gmm, res.x, 0.12, 0.03)


def test_broken_samplers_fail_the_ring8_check():
    """The bound of the recovery tests rejects too few steps and a mis-scaled score."""
    gmm, sde = dc.PRESETS["ring8"], dc.VESDE(25.0)
    exact = dc.exact_score(gmm, sde)
    for fn, method, steps in ((exact, "sde", 20), (lambda x, t: 2 * exact(x, t), "ode", 24),
                              (lambda x, t: 0.9 * exact(x, t), "sde", 200)):
        res = dc.sample(fn, sde, N, steps, method=method, generator=torch.Generator().manual_seed(1))
        with pytest.raises(AssertionError):
            _check(gmm, res.x, 0.12, 0.03)


@pytest.mark.parametrize("method,steps", [("sde", 200), ("pc", 100), ("tutorial", 200)])
def test_recovers_the_tutorial_mixture_with_lam_10(method, steps):
    """The tutorial's own demo: lam = 10, 200 steps, exact score."""
    gmm, sde = dc.PRESETS["tutorial"], dc.VESDE(10.0)
    res = dc.sample(dc.exact_score(gmm, sde), sde, N, steps, method=method,
                    generator=torch.Generator().manual_seed(2))
    _check(gmm, res.x, 0.1, 0.04, sw2_factor=2.0)


@pytest.mark.parametrize("sde", [dc.VESDE(1.0), dc.VESDE(0.5), dc.VESDE(10.0), dc.VPSDE()], ids=repr)
@pytest.mark.parametrize("method,steps", [("ode", 24), ("sde", 150)])
def test_recovers_the_tutorial_mixture_from_exact_p1(sde, method, steps):
    """Started from draws of p_1 itself, every process (even lam = 1 and lam = 0.5, whose small
    sigma_1 leaves p_1 far from the N(0, sigma_1^2) prior) maps back to p_0. The ODE carries any
    mismatch of the start through unchanged, so it is checked from the exact start."""
    gmm = dc.PRESETS["tutorial"]
    x1, _ = gmm.diffuse(sde, 1.0).sample(N, generator=torch.Generator().manual_seed(3))
    res = dc.sample(dc.exact_score(gmm, sde), sde, N, steps, method=method, x_init=x1,
                    generator=torch.Generator().manual_seed(4))
    _check(gmm, res.x, 0.1, 0.04, sw2_factor=2.0)


def test_vp_ode_from_the_prior():
    """VP's prior N(0, I) is p_1 up to alpha_1 = 0.007: the ODE recovers the mixture from it."""
    gmm, sde = dc.PRESETS["tutorial"], dc.VPSDE()
    res = dc.sample(dc.exact_score(gmm, sde), sde, N, 24, method="ode",
                    generator=torch.Generator().manual_seed(5))
    _check(gmm, res.x, 0.1, 0.04, sw2_factor=2.0)


@pytest.mark.parametrize("method,steps", [("ode", 24), ("sde", 150)])
def test_one_dimensional_mixture(method, steps):
    gmm, sde = dc.PRESETS["bimodal 1D"], dc.VESDE(25.0)
    res = dc.sample(dc.exact_score(gmm, sde), sde, N, steps, method=method, dim=1,
                    generator=torch.Generator().manual_seed(6))
    assert res.x.shape == (N, 1)
    _check(gmm, res.x, 0.08, 0.04)
    k = gmm.responsibilities(res.x.double()).argmax(1)
    # within-mode std 1; its standard error with ~2000 points per mode is ~0.016
    assert float((res.x.double()[:, 0] - gmm.means[k, 0]).std()) == pytest.approx(1.0, abs=0.06)


def test_float64_and_reproducibility():
    gmm, sde = dc.PRESETS["ring8"], dc.VESDE(25.0)
    fn = dc.exact_score(gmm, sde)
    a = dc.sample(fn, sde, 100, 10, dtype=F64, generator=torch.Generator().manual_seed(8))
    b = dc.sample(fn, sde, 100, 10, dtype=F64, generator=torch.Generator().manual_seed(8))
    assert a.x.dtype == F64 and torch.equal(a.x, b.x)
    x1 = sde.prior_sample(100, 2, generator=torch.Generator().manual_seed(9), dtype=F64)
    for method in dc.METHODS:
        r = dc.sample(fn, sde, 100, 10, method=method, x_init=x1, trajectory=True)
        assert r.x.dtype == F64 and r.trajectory.dtype == F64 and torch.isfinite(r.x).all()
        assert torch.equal(r.trajectory[0], x1)
    assert dc.sample(fn, sde, 100, 10, x_init=x1, dtype=torch.float32).x.dtype == torch.float32


@pytest.mark.parametrize("kwargs,message", [
    (dict(method="euler"), "method must be one of"),
    (dict(n=0), "number of samples"),
    (dict(n=2.5), "number of samples"),
    (dict(steps=0), "steps must be an integer >= 1"),
    (dict(steps=1, method="tutorial"), "steps must be an integer >= 2"),
    (dict(steps=3.5), "steps must be an integer"),
    (dict(t_eps=0.0), "t_eps"),
    (dict(t_eps=1.0), "t_eps"),
    (dict(grid="cosine"), "grid must be one of"),
    (dict(snr=-0.1), "snr"),
    (dict(dim=0), "dim"),
    (dict(x_init=torch.zeros(5, 2)), "x_init must have shape"),
    (dict(final="heun"), "final must be one of"),
    (dict(noise="sobol"), "noise must be one of"),
    (dict(r_noise=-1.0), "r_noise"),
    (dict(r_noise=float("nan")), "r_noise"),
])
def test_validation(kwargs, message):
    gmm, sde = dc.PRESETS["tutorial"], dc.VESDE(25.0)
    args = dict(n=10, steps=5)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        dc.sample(dc.exact_score(gmm, sde), sde, **args)


def test_injects_noise_reads_the_sampler_and_its_noisy_start():
    """An ODE sampler never injects noise, an SDE one always; a noisy-start sampler only where its
    r_noise lies below r₁ = σ₁ (VE): r_noise = 6 is noisy at λ = 25 (σ₁ = 9.85), not at λ = 2 (1.47)."""
    assert not dc.injects_noise("ode", dc.VESDE(25.0)) and dc.injects_noise("sde", dc.VESDE(2.0))
    assert dc.injects_noise("unipc", dc.VESDE(25.0), r_noise=6.0)
    assert not dc.injects_noise("unipc", dc.VESDE(2.0), r_noise=6.0)
    assert dc.injects_noise("unipc", dc.VESDE(2.0), r_noise=0.0)
    assert not dc.injects_noise("unipc", dc.VESDE(50.0), **dc.recommended("unipc", 5))   # ODE_ONLY


def test_mixture_moments_match_a_large_sample():
    """GaussianMixture.moments: the mean and covariance of the mixture, against 400,000 draws."""
    for gmm in (dc.PRESETS["tutorial"], dc.PRESETS["ring8"]):
        m, c = gmm.moments()
        x = gmm.sample(400_000, torch.Generator().manual_seed(0))[0].double()
        assert torch.allclose(m, x.mean(0), atol=0.02)
        assert torch.allclose(c, torch.cov(x.T), atol=0.05 * float(c.diagonal().max()))
