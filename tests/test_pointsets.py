"""Point sets as mixtures: the smoothed empirical distribution against a direct computation, the
isotropic fast path against the eigenbasis kernel, default widths, CSV parsing and its refusals,
shapes, words rendered to points, and property tests of bad input."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from scipy import special

import diffusion_core as dc
from dashboard.drawing import word_points
from diffusion_core import pointsets as ps

pytestmark = pytest.mark.usefixtures("one_thread")

F64 = torch.float64
PROPS = settings(max_examples=40, deadline=None)


def cloud(n, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 2)) * 2


def eigen_path(gmm):
    """The same mixture evaluated by the eigenbasis kernel (the isotropic path switched off)."""
    slow = dc.GaussianMixture(gmm.means, gmm.covs, gmm.weights)
    slow._iso_var = None
    return slow


# ------------------------------------------------------------------------------ the mixture
def test_mixture_is_the_smoothed_empirical_distribution():
    pts = cloud(200)
    gmm = dc.mixture_from_points(pts, width=0.3)
    x = np.random.default_rng(1).normal(size=(50, 2)) * 3
    d2 = ((x[:, None, :] - pts[None]) ** 2).sum(-1)
    direct = special.logsumexp(-d2 / (2 * 0.09), axis=1) - math.log(200) - math.log(2 * math.pi * 0.09)
    assert np.allclose(gmm.log_prob(torch.tensor(x)).numpy(), direct, rtol=1e-10, atol=1e-10)
    assert gmm._iso_var == pytest.approx(0.09)


@pytest.mark.parametrize("dtype", [F64, torch.float32])
def test_isotropic_path_matches_the_eigenbasis_kernel(dtype):
    gmm = dc.mixture_from_points(cloud(300))
    slow = eigen_path(gmm)
    g = torch.Generator().manual_seed(0)
    x = (4 * torch.randn(500, 2, generator=g, dtype=F64)).to(dtype)
    t = torch.rand(500, generator=g, dtype=F64).to(dtype)
    tol = dict(rtol=1e-9, atol=1e-9) if dtype == F64 else dict(rtol=2e-3, atol=2e-3)
    for a, s2 in ((1.0, 0.0), (1 - t, t * t), (0.5, 0.3)):
        assert torch.allclose(gmm.score_at(x, a, s2), slow.score_at(x, a, s2), **tol)
    assert torch.allclose(gmm.log_prob(x), slow.log_prob(x), **tol)
    assert torch.allclose(gmm.responsibilities(x), slow.responsibilities(x), **tol)
    assert torch.allclose(dc.fm_velocity(gmm, x, t), dc.fm_velocity(slow, x, t), **tol)


def test_isotropic_path_is_finite_far_away_and_presets_keep_the_kernel():
    gmm = dc.mixture_from_points(cloud(1000))
    far = torch.tensor([[1e4, -1e4], [-1e4, 3.0], [0.0, 1e4]])
    for fn in (gmm.score, gmm.log_prob, lambda x: dc.exact_score(gmm, dc.VESDE())(x, 0.5),
               lambda x: dc.fm_velocity(gmm, x, 0.0), lambda x: dc.fm_velocity(gmm, x, 1.0)):
        assert torch.isfinite(fn(far)).all()
    assert all(g._iso_var is None for g in dc.PRESETS.values())


def test_large_inputs_are_subsampled_deterministically_in_order():
    pts = np.stack([np.arange(5000.0), np.zeros(5000)], 1)
    gmm = dc.mixture_from_points(pts, width=1.0)
    assert gmm.n_components == ps.MAX_COMPONENTS
    xs = gmm.means[:, 0].numpy()
    assert np.all(np.diff(xs) == 5) and xs[0] == 0
    assert dc.mixture_from_points(pts, width=1.0) == gmm


def test_default_width_is_the_median_nearest_neighbour_distance():
    pts = np.stack([np.arange(10.0) * 0.5, np.zeros(10)], 1)
    assert dc.default_width(pts) == pytest.approx(0.5)
    assert dc.default_width([[1.0, 2.0]]) == ps.DEFAULT_WIDTH              # single point
    assert dc.default_width([[1.0, 2.0]] * 3) == ps.DEFAULT_WIDTH          # coincident points
    assert dc.default_width(np.array([[0, 0], [1e-6, 0]])) == ps.MIN_WIDTH
    assert dc.mixture_from_points([[1.0, 2.0]]).n_components == 1


@pytest.mark.parametrize("bad, words", [
    ([], "at least one point"), (np.zeros((0, 2)), "at least one point"),
    ([[1, 2, 3]], "2 columns"), ([1, 2], "2 columns"), ([[1, float("nan")]], "finite"),
    ([[1, float("inf")]], "finite"), ([["a", 1]], "table of numbers"), ([[1, 2], [3]], "table of numbers")])
def test_bad_points_are_refused(bad, words):
    with pytest.raises(ValueError, match=words):
        dc.mixture_from_points(bad)


@pytest.mark.parametrize("width", [0.0, -1.0, float("nan"), 1e6, "x"])
def test_bad_widths_are_refused(width):
    with pytest.raises(ValueError, match="width must be a number"):
        dc.mixture_from_points([[0.0, 0.0]], width=width)


# ------------------------------------------------------------------------------ CSV
def test_csv_with_header_separators_and_blank_lines():
    text = "x,y\n1,2\n\n3.5,-4e-1\n"
    assert np.array_equal(dc.parse_points_csv(text), [[1, 2], [3.5, -0.4]])
    assert np.array_equal(dc.parse_points_csv(b"\xef\xbb\xbf1;2\n3;4"), [[1, 2], [3, 4]])
    assert np.array_equal(dc.parse_points_csv("1\t2\n3 4"), [[1, 2], [3, 4]])


@pytest.mark.parametrize("text, words", [
    ("", "no points"), ("x,y\n", "no points"), ("1,abc\n", "row 1, column 2: 'abc' is not a number"),
    ("1,2\n3,nan\n", "row 2, column 2.*finite"), ("1,2,3\n", "row 1: expected 2 columns"),
    ("1\n", "expected 2 columns"), (b"\xff\xfe1,2", "UTF-8"), ("1,inf", "finite"), (12, "text or bytes")])
def test_bad_csv_is_refused_with_the_rule(text, words):
    with pytest.raises(ValueError, match=words):
        dc.parse_points_csv(text)


def test_a_million_rows_are_refused_quickly():
    with pytest.raises(ValueError, match="too many rows: 1,000,000"):
        dc.parse_points_csv("1,2\n" * 1_000_000)
    with pytest.raises(ValueError, match="too large"):
        dc.parse_points_csv(b"1,2\n" * 2_000_000)


# ------------------------------------------------------------------------------ shapes, words
@pytest.mark.parametrize("name", list(dc.SHAPES))
def test_shapes_are_finite_sized_and_make_mixtures(name):
    pts = dc.SHAPES[name](400)
    assert pts.shape == (400, 2) and np.isfinite(pts).all()
    assert 3 <= np.abs(pts).max() <= 6
    gmm = dc.mixture_from_points(pts)
    assert 0.02 < math.sqrt(gmm._iso_var) < 0.5


def test_word_points_are_deterministic_and_fit_the_radius():
    pts = word_points("Hi", n=300)
    assert pts.shape == (300, 2) and np.array_equal(pts, word_points("  Hi ", n=300))
    assert np.sqrt((pts ** 2).sum(1)).max() == pytest.approx(4.5)
    assert word_points("i", n=1000).shape[0] < 1000           # fewer ink pixels than asked


@pytest.mark.parametrize("text, n, words", [("", 10, "at least one visible"), ("   ", 10, "visible"),
                                            ("x" * 13, 10, "at most 12"), ("ab", 0, "1..1000"),
                                            (None, 10, "visible")])
def test_bad_words_are_refused(text, n, words):
    with pytest.raises(ValueError, match=words):
        word_points(text, n=n)


# ------------------------------------------------------------------------------ properties
@PROPS
@given(st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), min_size=1, max_size=60),
       st.one_of(st.none(), st.floats(0.01, 10)))
def test_any_finite_point_set_gives_finite_exact_fields(points, width):
    gmm = dc.mixture_from_points(points, width)
    x = torch.tensor([[0.0, 0.0], [1e4, -1e4], list(points[0])], dtype=F64)
    for t in (0.0, 0.5, 1.0):
        assert torch.isfinite(dc.fm_velocity(gmm, x, t)).all()
        assert torch.isfinite(dc.exact_score(gmm, dc.VESDE())(x, t)).all()
    assert torch.isfinite(gmm.score(x)).all()


@PROPS
@given(st.lists(st.one_of(st.floats(), st.text(max_size=4), st.integers()), min_size=0, max_size=12),
       st.sampled_from([",", ";", "\n"]))
def test_any_csv_text_parses_to_finite_points_or_a_message(cells, sep):
    text = sep.join(str(c) for c in cells)
    try:
        pts = dc.parse_points_csv(text)
    except ValueError as e:
        assert len(str(e)) >= 8
        return
    assert pts.ndim == 2 and pts.shape[1] == 2 and np.isfinite(pts).all() and len(pts) >= 1


@PROPS
@given(st.integers(1, 1000), st.sampled_from(list(dc.SHAPES)))
def test_shapes_of_any_size(n, name):
    pts = dc.SHAPES[name](n)
    assert pts.shape == (n, 2) and np.isfinite(pts).all()
