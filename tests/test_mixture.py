"""GaussianMixture: density and score against independent computations, stability far from the
modes, sampling moments, diffusion against Monte Carlo noising, editing, validation, identity."""
import math

import numpy as np
import pytest
import torch
from scipy import special, stats

import diffusion_core as dc

pytestmark = pytest.mark.usefixtures("one_thread")

F64 = torch.float64


def random_mixture(dim, k, seed):
    """K components with means in [-3, 3]^d, covariances A A^T + 0.05 I, weights in [0.2, 1]."""
    g = torch.Generator().manual_seed(seed)
    means = 6 * torch.rand(k, dim, generator=g, dtype=F64) - 3
    a = torch.randn(k, dim, dim, generator=g, dtype=F64) * 0.7
    covs = a @ a.transpose(1, 2) + 0.05 * torch.eye(dim, dtype=F64)
    weights = 0.2 + 0.8 * torch.rand(k, generator=g, dtype=F64)
    return dc.GaussianMixture(means, covs, weights)


MIXTURES = {**{f"preset {n}": g for n, g in dc.PRESETS.items()},
            "random 1D": random_mixture(1, 3, 1), "random 2D": random_mixture(2, 4, 2),
            "random 3D": random_mixture(3, 5, 3), "random 3D single": random_mixture(3, 1, 4)}


def scipy_log_prob(gmm, x):
    """log sum_k w_k N(x; mu_k, Sigma_k) with scipy's multivariate_normal and logsumexp."""
    x = np.asarray(x, dtype=np.float64)
    lp = np.stack([stats.multivariate_normal(gmm.means[k].numpy(), gmm.covs[k].numpy()).logpdf(x)
                   .reshape(len(x)) for k in range(gmm.n_components)], axis=1)
    return special.logsumexp(lp, axis=1, b=gmm.weights.numpy()[None, :])


def points_around(gmm, n, seed, spread=3.0):
    g = torch.Generator().manual_seed(seed)
    x, _ = gmm.sample(n, generator=g, dtype=F64)
    return x + spread * torch.randn(x.shape, generator=g, dtype=F64)


def mixture_moments(gmm):
    w, mu = gmm.weights, gmm.means
    mean = w @ mu
    second = torch.einsum("k,kij->ij", w, gmm.covs + mu[:, :, None] * mu[:, None, :])
    return mean, second - mean[:, None] * mean[None, :]


# ------------------------------------------------------------------------------------ presets
def test_presets():
    assert len(dc.PRESETS) >= 5 and "tutorial" in dc.PRESETS and "ring8" in dc.PRESETS
    tut = dc.PRESETS["tutorial"]
    assert torch.equal(tut.means, torch.tensor([[0.0, 1.0], [2.0, -1.0]], dtype=F64))
    assert torch.equal(tut.covs, torch.tensor([[[1.0, 0.0], [0.0, 1.0]], [[2.0, 0.5], [0.5, 1.0]]],
                                              dtype=F64))
    assert torch.equal(tut.weights, torch.tensor([0.5, 0.5], dtype=F64))
    ring = dc.PRESETS["ring8"]
    assert ring.n_components == 8 and ring.dim == 2
    assert torch.allclose(ring.means.norm(dim=1), torch.full((8,), 4.0, dtype=F64), rtol=1e-14)
    angles = torch.atan2(ring.means[:, 1], ring.means[:, 0]).remainder(2 * math.pi).sort().values
    assert torch.allclose(angles.diff(), torch.full((7,), math.pi / 4, dtype=F64), rtol=1e-12)
    assert torch.allclose(ring.covs, 0.15 ** 2 * torch.eye(2, dtype=F64).expand(8, 2, 2))
    assert torch.allclose(ring.weights, torch.full((8,), 1 / 8, dtype=F64))
    assert dc.preset("ring8") is ring
    with pytest.raises(ValueError, match="unknown preset"):
        dc.preset("no such mixture")


# ------------------------------------------------------------------------------------ density
@pytest.mark.parametrize("name", MIXTURES)
def test_log_prob_matches_scipy(name):
    gmm = MIXTURES[name]
    x = points_around(gmm, 300, 0)
    assert np.allclose(gmm.log_prob(x).numpy(), scipy_log_prob(gmm, x), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", MIXTURES)
def test_score_is_gradient_of_log_prob(name):
    gmm = MIXTURES[name]
    x = points_around(gmm, 300, 1).requires_grad_(True)
    (grad,) = torch.autograd.grad(gmm.log_prob(x).sum(), x)
    assert torch.allclose(gmm.score(x.detach()), grad, rtol=1e-9, atol=1e-10)


def test_log_prob_and_score_match_across_chunks():
    """More points than one chunk: compare with torch.distributions, row for row."""
    gmm = dc.PRESETS["ring8"]
    x = points_around(gmm, 70_000, 2, spread=1.0)   # > 65,536 rows: two chunks
    mvn = torch.distributions.MultivariateNormal(gmm.means, covariance_matrix=gmm.covs)
    lj = mvn.log_prob(x[:, None, :]) + gmm.weights.log()
    assert torch.allclose(gmm.log_prob(x), torch.logsumexp(lj, 1), rtol=1e-12, atol=1e-12)
    prec = torch.linalg.inv(gmm.covs)
    per_mode = -torch.einsum("kij,nkj->nki", prec, x[:, None, :] - gmm.means)
    want = (torch.softmax(lj, 1)[..., None] * per_mode).sum(1)
    assert torch.allclose(gmm.score(x), want, rtol=1e-10, atol=1e-10)


def test_one_dimensional_points_may_be_a_vector():
    gmm = dc.PRESETS["bimodal 1D"]
    v = torch.linspace(-8, 8, 9, dtype=F64)
    assert torch.equal(gmm.log_prob(v), gmm.log_prob(v[:, None]))
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        dc.PRESETS["tutorial"].score(torch.zeros(4, 3))


def _far_points(dim, dtype):
    g = torch.Generator().manual_seed(5)
    d = torch.randn(64, dim, generator=g, dtype=F64)
    d = d / d.norm(dim=1, keepdim=True)
    r = torch.tensor([1e1, 1e2, 1e3, 1e4], dtype=F64).repeat_interleave(16)[:, None]
    corners = torch.tensor([[1e4] * dim, [-1e4] * dim], dtype=F64)
    return torch.cat([d * r, corners]).to(dtype)


@pytest.mark.parametrize("dtype", [torch.float32, F64])
@pytest.mark.parametrize("name", dc.PRESETS)
def test_finite_far_from_the_modes(name, dtype):
    gmm = dc.PRESETS[name]
    x = _far_points(gmm.dim, dtype)
    lp, s = gmm.log_prob(x), gmm.score(x)
    assert lp.dtype == dtype and s.dtype == dtype
    assert torch.isfinite(lp).all() and torch.isfinite(s).all()
    # float32 agrees with float64 to single precision even out there
    s64 = gmm.score(x.double())
    assert torch.allclose(s.double(), s64, rtol=1e-4, atol=1e-4 * float(s64.abs().max()))


def tutorial_score(gmm, x):
    """The tutorial's algorithm: pdf ratios pi_k N_k / sum_j pi_j N_j times -(x - mu_k) P_k."""
    x = np.asarray(x, dtype=np.float64)
    pdf = np.stack([stats.multivariate_normal(gmm.means[k].numpy(), gmm.covs[k].numpy()).pdf(x)
                    for k in range(gmm.n_components)], 1) * gmm.weights.numpy()
    part = pdf / pdf.sum(1, keepdims=True)
    out = np.zeros_like(x)
    for k in range(gmm.n_components):
        out += part[:, k:k + 1] * -(x - gmm.means[k].numpy()) @ np.linalg.inv(gmm.covs[k].numpy())
    return out


def test_finite_on_the_grid_where_the_tutorials_score_is_nan():
    gmm = dc.PRESETS["tutorial"]
    a = torch.linspace(-60, 60, 121, dtype=F64)
    grid = torch.cartesian_prod(a, a)
    with np.errstate(invalid="ignore", divide="ignore"):
        theirs = tutorial_score(gmm, grid.numpy())
    nan = np.isnan(theirs).any(1)
    assert nan.mean() > 0.5                       # the grid reaches where pdfs underflow
    for dtype in (torch.float32, F64):
        assert torch.isfinite(gmm.score(grid.to(dtype))).all()
        assert torch.isfinite(gmm.log_prob(grid.to(dtype))).all()
    # where no pdf underflows (|x| <= 25) the two agree; further out, where one component's
    # pdf underflows to 0, the tutorial's ratio drops that component (e.g. at (14, 37) its
    # responsibility is 6e-5) and differs from the exact score by ~1e-3
    ours = gmm.score(grid).numpy()
    inner = (grid.abs().max(1).values <= 25).numpy()
    assert not nan[inner].any()
    assert np.allclose(ours[inner], theirs[inner], rtol=1e-9, atol=1e-9)
    # far out the score is that of the component with the widest tail: it grows linearly
    assert np.abs(ours).max() > 30


@pytest.mark.parametrize("name", ["preset tutorial", "preset ring8", "random 3D"])
def test_score_components(name):
    gmm = MIXTURES[name]
    x = points_around(gmm, 200, 6)
    scores, resp = gmm.score_components(x)
    assert scores.shape == (gmm.n_components, 200, gmm.dim) and resp.shape == (200, gmm.n_components)
    assert torch.allclose(resp.sum(1), torch.ones(200, dtype=F64), rtol=1e-12)
    assert (resp >= 0).all()
    assert torch.allclose((resp.T[..., None] * scores).sum(0), gmm.score(x), rtol=1e-10, atol=1e-12)
    for k in range(gmm.n_components):
        want = -torch.linalg.solve(gmm.covs[k], (x - gmm.means[k]).T).T
        assert torch.allclose(scores[k], want, rtol=1e-10, atol=1e-12)
    assert torch.allclose(gmm.responsibilities(x), resp)


# ------------------------------------------------------------------------------------ sampling
@pytest.mark.parametrize("name", ["preset unbalanced", "random 2D", "random 3D", "random 1D"])
def test_sample_moments_and_label_frequencies(name):
    gmm = MIXTURES[name]
    n = 100_000
    x, labels = gmm.sample(n, generator=torch.Generator().manual_seed(7), dtype=F64)
    assert x.shape == (n, gmm.dim) and labels.shape == (n,)
    mean, cov = mixture_moments(gmm)
    sd = cov.diagonal().sqrt()
    # standard error of a mean: sd / sqrt(n); of a covariance entry: <= sqrt(2 / n) sd_i sd_j
    # for these near-Gaussian shapes (kurtosis < 3 * 2): bound 5 standard errors
    assert ((x.mean(0) - mean).abs() < 5 * sd / math.sqrt(n)).all()
    tol = 5 * math.sqrt(6.0 / n) * sd[:, None] * sd[None, :]
    assert ((torch.cov(x.T).reshape(gmm.dim, gmm.dim) - cov).abs() < tol).all()
    freq = torch.bincount(labels, minlength=gmm.n_components).double() / n
    se = (gmm.weights * (1 - gmm.weights) / n).sqrt()
    assert ((freq - gmm.weights).abs() < 5 * se + 1e-12).all()
    # every point comes from its label's component: its Mahalanobis distance is chi^2_d
    r = x - gmm.means[labels]
    m2 = torch.einsum("ni,nij,nj->n", r, torch.linalg.inv(gmm.covs)[labels], r)
    assert float(m2.mean()) == pytest.approx(gmm.dim, rel=0.02)


def test_sample_reproducible_and_dtype():
    gmm = dc.PRESETS["ring8"]
    a, la = gmm.sample(50, generator=torch.Generator().manual_seed(1))
    b, lb = gmm.sample(50, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b) and torch.equal(la, lb) and a.dtype == torch.get_default_dtype()
    assert gmm.sample(0)[0].shape == (0, 2)
    with pytest.raises(ValueError, match="number of samples"):
        gmm.sample(-1)
    with pytest.raises(ValueError, match="number of samples"):
        gmm.sample(2.5)


# ------------------------------------------------------------------------------------ diffusion
@pytest.mark.parametrize("sde", [dc.VESDE(10.0), dc.VESDE(0.5), dc.VPSDE()], ids=repr)
@pytest.mark.parametrize("t", [0.2, 0.7])
def test_diffuse_matches_monte_carlo_noising(sde, t):
    gmm = dc.PRESETS["tutorial"]
    n = 100_000
    g = torch.Generator().manual_seed(11)
    x0, _ = gmm.sample(n, generator=g, dtype=F64)
    xt = sde.perturb(x0, t, torch.randn(x0.shape, generator=g, dtype=F64))
    pt = gmm.diffuse(sde, t)
    a, s = float(sde.mean_scale(torch.tensor(t))), float(sde.sigma(torch.tensor(t)))
    assert torch.allclose(pt.means, a * gmm.means) and torch.allclose(
        pt.covs, a * a * gmm.covs + s * s * torch.eye(2, dtype=F64))
    mean, cov = mixture_moments(pt)
    sd = cov.diagonal().sqrt()
    assert ((xt.mean(0) - mean).abs() < 5 * sd / math.sqrt(n)).all()
    assert ((torch.cov(xt.T) - cov).abs() < 5 * math.sqrt(6.0 / n) * sd[:, None] * sd[None, :]).all()
    # the mean log-likelihood under p_t of noised data and of p_t's own samples agree
    lp_mc = pt.log_prob(xt)
    lp_own = pt.log_prob(pt.sample(n, generator=g, dtype=F64)[0])
    se = math.sqrt(float(lp_mc.var() + lp_own.var()) / n)
    assert abs(float(lp_mc.mean() - lp_own.mean())) < 5 * se


@pytest.mark.parametrize("sde", [dc.VESDE(25.0), dc.VPSDE()], ids=repr)
def test_diffuse_histogram_1d(sde):
    """Noised 1D data fall into bins with the probabilities of the diffused mixture's CDF."""
    gmm = dc.PRESETS["bimodal 1D"]
    n, t = 200_000, 0.3
    g = torch.Generator().manual_seed(12)
    x0, _ = gmm.sample(n, generator=g, dtype=F64)
    xt = sde.perturb(x0, t, torch.randn(x0.shape, generator=g, dtype=F64))[:, 0].numpy()
    pt = gmm.diffuse(sde, t)
    edges = np.linspace(np.quantile(xt, 0.001), np.quantile(xt, 0.999), 41)
    cdf = sum(float(w) * stats.norm(float(m), math.sqrt(float(c))).cdf(edges)
              for w, m, c in zip(pt.weights, pt.means[:, 0], pt.covs[:, 0, 0]))
    p = np.diff(cdf)
    counts, _ = np.histogram(xt, edges)
    z = (counts - n * p) / np.sqrt(n * p * (1 - p))
    assert np.abs(z).max() < 5
    chi2 = float((z ** 2).sum())
    assert chi2 < stats.chi2(40).ppf(0.9999)


def test_diffuse_endpoints_and_validation():
    gmm = dc.PRESETS["tutorial"]
    assert gmm.diffuse(dc.VESDE(25), 0.0) == gmm
    assert gmm.diffuse(dc.VPSDE(), 0.0) == gmm
    for bad in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match=r"t must be a time in \[0, 1\]"):
            gmm.diffuse(dc.VESDE(25), bad)


# ------------------------------------------------------------------------------------ editing
def test_add_and_remove_component():
    gmm = dc.PRESETS["tutorial"]
    more = gmm.add_component([5.0, 5.0], [[0.5, 0.0], [0.0, 0.5]], weight=0.5)
    assert more.n_components == 3 and gmm.n_components == 2           # the original is unchanged
    assert torch.allclose(more.weights, torch.tensor([1 / 3, 1 / 3, 1 / 3], dtype=F64))
    assert torch.equal(more.means[2], torch.tensor([5.0, 5.0], dtype=F64))
    x = points_around(more, 50, 3)
    want = np.log(np.exp(scipy_log_prob(gmm, x)) * 2 / 3
                  + stats.multivariate_normal([5, 5], 0.5 * np.eye(2)).pdf(x.numpy()) / 3)
    assert np.allclose(more.log_prob(x).numpy(), want, rtol=1e-9)
    assert more.remove_component(2) == gmm
    assert more.remove_component(0).n_components == 2
    assert more.component(2).n_components == 1
    one = gmm.remove_component(0)
    with pytest.raises(ValueError, match="only component"):
        one.remove_component(0)
    for bad in (5, -1):
        with pytest.raises(ValueError, match="component index"):
            gmm.remove_component(bad)
    with pytest.raises(ValueError, match="2 entries"):
        gmm.add_component([1.0, 2.0, 3.0], np.eye(2))
    with pytest.raises(ValueError, match="2x2"):
        gmm.add_component([1.0, 2.0], np.eye(3))
    with pytest.raises(ValueError, match="positive definite"):
        gmm.add_component([1.0, 2.0], [[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match="weights must be >= 0"):
        gmm.add_component([1.0, 2.0], np.eye(2), weight=-1)


# ------------------------------------------------------------------------------------ validation
EYE = [[1.0, 0.0], [0.0, 1.0]]


@pytest.mark.parametrize("args,message", [
    (([[0, 0]], [[[1.0, 0.3], [0.0, 1.0]]]), "symmetric"),
    (([[0, 0]], [[[1.0, 2.0], [2.0, 1.0]]]), "positive definite"),
    (([[0, 0]], [[[1.0, 1.0], [1.0, 1.0]]]), "positive definite"),
    (([[0, 0]], [[[0.0, 0.0], [0.0, 1.0]]]), "positive definite"),
    (([[0, 0], [1, 1]], [EYE, EYE], [1.0, -0.5]), "weights must be >= 0"),
    (([[0, 0], [1, 1]], [EYE, EYE], [0.0, 0.0]), "positive sum"),
    (([[0, 0], [1, 1]], [EYE], None), r"covs must have shape \(2, 2, 2\)"),
    (([[0, 0], [1, 1]], [EYE, EYE], [1.0]), "one entry per component"),
    (([[0, 0], [1]], [EYE, EYE], None), "means must be a table"),
    (([[0, float("nan")]], [EYE], None), "means must be finite"),
    (([[0, 0]], [[[1.0, 0.0], [0.0, float("inf")]]], None), "covs must be finite"),
    (([[0, 0]], [EYE], [float("nan")]), "weights must be finite"),
    ((np.zeros((0, 2)), np.zeros((0, 2, 2))), "at least one component"),
])
def test_validation_messages(args, message):
    with pytest.raises(ValueError, match=message):
        dc.GaussianMixture(*args)


def test_zero_weight_component_is_ignored():
    gmm = dc.GaussianMixture([[0.0, 0.0], [3.0, 0.0]], [EYE, EYE], [1.0, 0.0])
    x = points_around(gmm, 100, 8)
    assert torch.allclose(gmm.score(x), -x) and torch.isfinite(gmm.log_prob(x)).all()
    assert (gmm.sample(1000, torch.Generator().manual_seed(0))[1] == 0).all()


# ------------------------------------------------------------------------------------ identity
@pytest.mark.parametrize("name", dc.PRESETS)
def test_dict_round_trip_and_hash(name):
    import json
    gmm = dc.PRESETS[name]
    back = dc.GaussianMixture.from_dict(json.loads(json.dumps(gmm.to_dict())))
    assert back == gmm and hash(back) == hash(gmm) and back.key() == gmm.key()
    assert torch.equal(back.means, gmm.means) and torch.equal(back.covs, gmm.covs)


def test_key_distinguishes_and_normalizes():
    a = dc.GaussianMixture([[0.0, 0.0], [1.0, 1.0]], [EYE, EYE], [1.0, 1.0])
    b = dc.GaussianMixture([[0.0, 0.0], [1.0, 1.0]], [EYE, EYE], [3.0, 3.0])
    c = dc.GaussianMixture([[0.0, 0.0], [1.0, 1.5]], [EYE, EYE], [1.0, 1.0])
    assert a == b and hash(a) == hash(b)          # weights are normalized
    assert a != c and len({a, b, c}) == 2
    with pytest.raises(ValueError, match="'means', 'covs'"):
        dc.GaussianMixture.from_dict({"means": [[0, 0]]})


def test_torch_free_preset_table_agrees_with_presets():
    """diffusion_core.presets (read by the sidebar before torch is loaded) names every preset with its dimension."""
    from diffusion_core.presets import PRESET_DIMS
    assert PRESET_DIMS == {name: g.dim for name, g in dc.PRESETS.items()}


def test_names_without_torch():
    """import diffusion_core, its preset table and the training recipe load without torch."""
    import subprocess
    import sys
    code = ("import sys, diffusion_core as dc, diffusion_core.presets, diffusion_core.config\n"
            "dc.TrainConfig(); dc.PRESET_DIMS; dc.WEIGHTINGS\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n"
            "assert dc.VESDE and 'torch' in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)
