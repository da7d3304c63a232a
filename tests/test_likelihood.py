"""PF-ODE log-likelihood against closed forms.

The ODE estimates log p_{t_eps}(x): log p_1(x_1) plus the integrated divergence. Two sources of
error are separated here: the integrator (tested with the exact p_1 as prior, so only it is left)
and the prior mismatch (the model's N(0, sigma_1^2 I) is not the true p_1, which is the data
blurred by noise of std sigma_1: for a mixture with means away from 0 it is off-centre and wider).
"""
import math

import numpy as np
import pytest
import torch

import diffusion_core as dc
from diffusion_core.likelihood import divergence, ode_log_likelihood, prior_log_prob

VE = dc.VESDE(25.0)


def gauss_logpdf(x, mean, cov):
    """log N(x; mean, cov) by torch.distributions (independent of GaussianMixture)."""
    return torch.distributions.MultivariateNormal(torch.as_tensor(mean, dtype=torch.float64),
                                                  torch.as_tensor(cov, dtype=torch.float64)).log_prob(x)


def points(n=300, seed=0, scale=2.0):
    return torch.randn(n, 2, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * scale


def test_divergence_of_a_linear_map_is_its_trace():
    A = torch.tensor([[1.5, -2.0], [0.3, -0.7]], dtype=torch.float64)
    y, div = divergence(lambda x: x @ A.T, points(50))
    assert torch.allclose(div, torch.full((50,), 0.8, dtype=torch.float64))
    assert torch.allclose(y, points(50) @ A.T)


def test_divergence_of_a_gaussian_score_is_minus_trace_of_precision():
    cov = torch.tensor([[2.0, 0.5], [0.5, 1.0]], dtype=torch.float64)
    g = dc.GaussianMixture([[1.0, -1.0]], [cov.tolist()], [1.0])
    _, div = divergence(g.score, points(40))
    assert torch.allclose(div, torch.full((40,), -float(torch.linalg.inv(cov).trace()), dtype=torch.float64))


@pytest.mark.parametrize("solver,steps,order,tol", [("heun", 100, 2, 0.01), ("rk4", 25, 4, 1e-4)])
@pytest.mark.parametrize("sde", [dc.VESDE(25.0), dc.VPSDE()], ids=["VE", "VP"])
def test_single_gaussian_matches_closed_form(sde, solver, steps, order, tol):
    """One Gaussian N(mu, Sigma): p_t = N(alpha_t mu, alpha_t^2 Sigma + sigma_t^2 I) in closed form.
    With the exact p_1 as prior only the integrator's error is left, and doubling the steps divides
    it by about 2^order (Heun 2, RK4 4)."""
    mu, cov = torch.tensor([1.0, -0.5], dtype=torch.float64), torch.tensor([[0.8, 0.3], [0.3, 0.5]], dtype=torch.float64)
    g = dc.GaussianMixture([mu.tolist()], [cov.tolist()], [1.0])
    t_eps = 1e-3

    def p_t(t):
        t = torch.tensor(t, dtype=torch.float64)
        a, s = float(sde.mean_scale(t)), float(sde.sigma(t))
        return lambda x: gauss_logpdf(x, a * mu, a * a * cov + s * s * torch.eye(2, dtype=torch.float64))

    x = points(200, seed=1, scale=1.0) + mu
    errs = []
    for k in (steps, 2 * steps):
        est = ode_log_likelihood(dc.exact_score(g, sde), sde, x, steps=k, t_eps=t_eps, solver=solver,
                                 prior_logp=p_t(1.0))
        assert est.shape == (200,) and est.dtype == torch.float64
        errs.append(float((est - p_t(t_eps)(x)).abs().max()))
    assert errs[1] < tol
    assert errs[0] / errs[1] > 0.75 * 2 ** order, errs
    # what is left against log p_0 is the blur of t_eps (sigma(t_eps)^2 = 1e-3 for VE)
    blur = (p_t(t_eps)(x) - gauss_logpdf(x, mu, cov)).abs().max()
    assert (est - gauss_logpdf(x, mu, cov)).abs().max() < blur + tol


def test_tutorial_mixture_with_the_exact_score():
    """Heun, 100 Karras steps, exact p_1 as prior: within 0.03 nats of log p_{t_eps} everywhere on
    a spread of points, 0.005 on average; and within 0.01 of log p_0 on average at t_eps = 1e-5."""
    g = dc.PRESETS["tutorial"]
    score, p1 = dc.exact_score(g, VE), g.diffuse(VE, 1.0).log_prob
    x, _ = g.sample(400, torch.Generator().manual_seed(2), dtype=torch.float64)
    est = ode_log_likelihood(score, VE, x, steps=100, t_eps=1e-3, prior_logp=p1)
    err = est - g.diffuse(VE, 1e-3).log_prob(x)
    assert err.abs().max() < 0.03 and err.abs().mean() < 0.005
    est0 = ode_log_likelihood(score, VE, x, steps=100, t_eps=1e-5, prior_logp=p1)
    assert (est0 - g.log_prob(x)).abs().mean() < 0.01


def test_prior_mismatch_is_exactly_the_prior_difference():
    """Default prior vs the exact p_1: the two estimates differ by log N(x_1; 0, sigma_1^2 I) -
    log p_1(x_1) at the same endpoint x_1, and on the tutorial mixture that is small but not 0."""
    g = dc.PRESETS["tutorial"]
    score, p1 = dc.exact_score(g, VE), g.diffuse(VE, 1.0).log_prob
    x, _ = g.sample(300, torch.Generator().manual_seed(4), dtype=torch.float64)
    lp_g, prior_g, integral_g, x1 = ode_log_likelihood(score, VE, x, steps=40, return_terms=True)
    lp_e = ode_log_likelihood(score, VE, x, steps=40, prior_logp=p1)
    assert torch.allclose(lp_g - lp_e, prior_g - p1(x1), atol=1e-9)
    s1 = VE.prior_std()
    closed = -0.5 * (x1 ** 2).sum(1) / s1 ** 2 - 2 * math.log(s1) - math.log(2 * math.pi)
    assert torch.allclose(prior_g, closed) and torch.allclose(prior_log_prob(VE, x1), closed)
    gap = (lp_g - lp_e).abs().mean()
    assert 1e-3 < gap < 0.2


def test_ring_needs_the_karras_grid():
    """Sharp modes (std 0.15): at equal cost the Karras grid is far more accurate than uniform t."""
    g = dc.PRESETS["ring8"]
    score, p1 = dc.exact_score(g, VE), g.diffuse(VE, 1.0).log_prob
    x, _ = g.sample(200, torch.Generator().manual_seed(5), dtype=torch.float64)
    ref = g.diffuse(VE, 1e-3).log_prob(x)
    errs = {grid: (ode_log_likelihood(score, VE, x, steps=100, grid=grid, prior_logp=p1) - ref).abs().mean()
            for grid in ("karras", "uniform")}
    assert errs["karras"] < 0.01 and errs["uniform"] > 2 * errs["karras"]


def test_works_with_a_network_and_inside_inference_mode():
    net = dc.ScoreNet(VE, seed=0)
    x = points(64, seed=6).float()
    with torch.inference_mode():
        est = ode_log_likelihood(net, VE, x, steps=10)
    assert est.shape == (64,) and torch.isfinite(est).all()
    assert not any(p.grad is not None for p in net.parameters())


def test_validation():
    s = dc.exact_score(dc.PRESETS["tutorial"], VE)
    x = points(5)
    with pytest.raises(ValueError, match="solver must be one of"):
        ode_log_likelihood(s, VE, x, solver="euler")
    with pytest.raises(ValueError, match="grid must be one of"):
        ode_log_likelihood(s, VE, x, grid="log")
    with pytest.raises(ValueError, match="steps must be >= 1"):
        ode_log_likelihood(s, VE, x, steps=0)
    with pytest.raises(ValueError, match="t_eps must be in"):
        ode_log_likelihood(s, VE, x, t_eps=0.0)
    with pytest.raises(ValueError, match="points must have shape"):
        ode_log_likelihood(s, VE, torch.zeros(5))


def test_likelihood_figures():
    import numpy as np
    from matplotlib.figure import Figure

    from dashboard.figures import lab as lfig
    xx, yy = np.meshgrid(np.linspace(-3, 3, 12), np.linspace(-3, 3, 12))
    true = -0.5 * (xx ** 2 + yy ** 2) * 4          # a sharp bump: the corners fall below the floor
    ode = true + 0.05 * xx
    fig = lfig.likelihood_maps(xx, yy, ode, true, samples=np.zeros((5, 2)))
    assert isinstance(fig, Figure)
    assert fig.axes[0].get_xlabel() == "x₁\ndots in every panel: 5 true samples of p₀"   # the dots are named
    assert lfig.likelihood_maps(xx, yy, ode, true).axes[0].get_xlabel() == "x₁"
    maps = fig.axes[:3]
    assert [a.get_aspect() for a in maps] == [1.0] * 3
    assert "difference" in maps[2].get_title()
    diff = maps[2].images[0].get_array()
    assert diff.mask.any() and not diff.mask.all()   # masked where log p is 15 nats below the peak
    assert np.allclose(diff.compressed(), np.clip((ode - true)[true > true.max() - 15],
                                                  -diff.max(), diff.max()))
    chart = lfig.likelihood_scatter(ode.ravel(), true.ravel()).to_dict()
    assert chart["layer"][1]["encoding"]["x"]["field"] == "true"


def test_difference_map_greys_only_where_both_densities_are_far_below_their_peaks():
    import numpy as np
    from dashboard.figures import lab as lfig
    xx, yy = np.meshgrid(np.linspace(-3, 3, 12), np.linspace(-3, 3, 12))
    true = -0.5 * (xx ** 2 + yy ** 2) * 4                      # the data: a sharp bump at 0
    ring = -20 * (np.hypot(xx, yy) - 2.5) ** 2                 # a model: a ring the data lacks
    shown = lfig.shown_cells(ring, true)
    assert shown[(true > true.max() - 15)].all() and shown[(ring > ring.max() - 15)].all()
    assert not shown[(true <= true.max() - 15) & (ring <= ring.max() - 15)].any()
    assert (~shown).any()
    fig = lfig.likelihood_maps(xx, yy, ring, true)
    assert np.array_equal(~np.ma.getmaskarray(fig.axes[2].images[0].get_array()), shown)
    assert "both densities" in fig.axes[2].get_xlabel()
    # a non-finite model value neither shows a cell by itself nor breaks the rule
    bad = ring.copy()
    bad[0, 0] = np.nan
    assert not lfig.shown_cells(bad, true)[0, 0]


@pytest.mark.parametrize("solver", ["heun", "rk4"])
def test_likelihood_nfe_counts_the_score_calls(solver):
    from diffusion_core.likelihood import likelihood_nfe, ode_log_likelihood
    gmm, sde = dc.PRESETS["tutorial"], dc.VESDE(25.0)
    exact, calls = dc.exact_score(gmm, sde), []

    def counting(x, t):
        calls.append(1)
        return exact(x, t)
    ode_log_likelihood(counting, sde, torch.zeros(3, 2, dtype=torch.float64), steps=7, solver=solver)
    assert len(calls) == likelihood_nfe(solver, 7)


def test_maps_name_the_modes_their_grid_can_miss():
    """A custom mixture of modes of std 0.02, 0.01 (× 0.3) and 0.02 on a 30-point grid (spacing 0.28):
    the exact map missed the narrow modes while the ODE map showed one as a bright diagonal, and
    nothing said why. The caption names every mode whose log p₀ can fall more than MAP_DROP nats
    between its mean and the nearest grid point (h² / (4 s²)), and says a bright ODE cell there is the
    ODE's error; the tutorial (std ≥ 0.89) and ring8 (std 0.15 on a 0.36 grid) get no such note."""
    import torch
    from dashboard import likelihood as lk
    from diffusion_core.mixture import cov_from_std_angle
    hw = dc.GaussianMixture(torch.tensor([[3.0, 3.0], [-3.0, 0.0], [0.0, -4.0]], dtype=torch.float64),
                            torch.stack([cov_from_std_angle(0.02, 0.02, 0), cov_from_std_angle(0.3, 0.01, 45),
                                         cov_from_std_angle(0.02, 0.02, 0)]).double(),
                            torch.tensor([0.9, 0.08, 0.02], dtype=torch.float64))
    for gmm, lam, said in ((hw, 2.0, True), (dc.PRESETS["tutorial"], 25.0, False), (dc.PRESETS["ring8"], 25.0, False)):
        res = lk.likelihood(gmm, lam, "exact", 30, 100, 20, "heun", "gaussian", 1e-4, 2021)
        h = float(np.ptp(res["xx"][0])) / 29
        std = torch.linalg.eigvalsh(gmm.covs.double()).sqrt()[:, 0].numpy()
        narrow = [k for k in range(gmm.n_components) if h * h / (4 * std[k] ** 2) > lk.MAP_DROP]
        note = lk.grid_note(gmm, res)
        assert bool(note) == bool(narrow) == said, (note, narrow)
        for k in narrow:
            assert f"mode {k + 1} (std {std[k]:.2g}" in note
        if gmm is hw:       # an elongated mode is narrow across only, and says so
            assert "mode 1 (std 0.02), mode 2 (std 0.01 across, 0.3 along) and mode 3 (std 0.02)" in note, note
        if note:
            assert f"the grid's spacing ({h:.2g})" in note and "is the ODE's error at that point" in note
