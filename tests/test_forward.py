"""diffusion_core.forward (exact forward simulation) and the figure builders of pages 1 and 2."""
import math

import altair as alt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

import diffusion_core as dc
from diffusion_core import forward as fwd
from dashboard.figures import forward as ffig
from dashboard.figures import score_field as sfig
from dashboard.figures.common import auto_limits, density_grid, figure_png, mode_colors

SDES = [dc.VESDE(25.0), dc.VESDE(1.0), dc.VESDE(0.3), dc.VPSDE(0.1, 20.0)]


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


# ----------------------------------------------------------------------------- simulate_forward
@pytest.mark.parametrize("sde", SDES, ids=repr)
def test_shape_dtype_and_start(sde):
    x0 = torch.randn(7, 2, generator=gen(1))
    times = torch.linspace(0, 1, 11)
    out = fwd.simulate_forward(x0, sde, times, gen(2))
    assert out.shape == (11, 7, 2) and out.dtype == x0.dtype
    assert torch.equal(out[0], x0)                      # t = 0 is the start itself
    assert torch.isfinite(out).all()


def test_reproducible_and_1d_input():
    x0 = torch.zeros(5)
    a = fwd.simulate_forward(x0, dc.VESDE(10.0), [0.0, 0.5, 1.0], gen(3))
    b = fwd.simulate_forward(x0, dc.VESDE(10.0), [0.0, 0.5, 1.0], gen(3))
    assert a.shape == (3, 5, 1) and torch.equal(a, b)


@pytest.mark.parametrize("sde", SDES, ids=repr)
def test_marginal_matches_gaussian_kernel(sde):
    """x_t | x0 ~ N(alpha_t x0, sigma_t^2 I): mean and variance by Monte Carlo (5 standard errors)."""
    n = 40_000
    x0 = torch.tensor([[3.0, -2.0]], dtype=torch.float64).expand(n, 2)
    times = torch.tensor([0.1, 0.5, 1.0], dtype=torch.float64)
    out = fwd.simulate_forward(x0, sde, times, gen(4))
    for j, t in enumerate(times):
        a, s = float(sde.mean_scale(t)), float(sde.sigma(t))
        m, v = out[j].mean(0), out[j].var(0)
        assert torch.allclose(m, a * x0[0], atol=5 * s / math.sqrt(n)), (t, m)
        assert torch.allclose(v, torch.full((2,), s * s, dtype=torch.float64),
                              rtol=5 * math.sqrt(2 / n)), (t, v)


@pytest.mark.parametrize("sde", [dc.VESDE(25.0), dc.VPSDE(0.1, 20.0)], ids=repr)
def test_independent_increments_covariance(sde):
    """Cov(x_s, x_t | x0) = alpha_s alpha_t r_{min(s,t)}^2 with r = sigma / alpha."""
    n = 60_000
    x0 = torch.zeros(n, 1, dtype=torch.float64)
    times = torch.tensor([0.2, 0.5, 0.9], dtype=torch.float64)
    out = fwd.simulate_forward(x0, sde, times, gen(5))[..., 0]          # (3, n)
    emp = torch.cov(out)
    a, r = sde.mean_scale(times), sde.noise_ratio(times)
    rmin2 = torch.minimum(r[:, None], r[None, :]) ** 2
    want = a[:, None] * a[None, :] * rmin2
    # standard error of a covariance estimate ~ sqrt((C_ii C_jj + C_ij^2) / n)
    se = torch.sqrt((torch.diag(want)[:, None] * torch.diag(want)[None, :] + want ** 2) / n)
    assert (torch.abs(emp - want) < 5 * se).all(), (emp, want)
    # and the increments really are independent: x_0.9 - x_0.5 is uncorrelated with x_0.2
    inc = out[2] / a[2] - out[1] / a[1]
    assert abs(float(torch.corrcoef(torch.stack([inc, out[0]]))[0, 1])) < 5 / math.sqrt(n)


def test_lambda_one_variance_is_t():
    out = fwd.simulate_forward(torch.zeros(50_000, 1), dc.VESDE(1.0), [0.25, 1.0], gen(6))
    assert abs(float(out[0].var()) - 0.25) < 0.01 and abs(float(out[1].var()) - 1.0) < 0.04


@pytest.mark.parametrize("times", [[0.5, 0.2], [-0.1, 0.5], [0.5, 1.5], [0.0, float("nan")], []])
def test_bad_times_raise(times):
    with pytest.raises(ValueError, match="times"):
        fwd.simulate_forward(torch.zeros(3, 2), dc.VESDE(), times)


def test_bad_x0_raises():
    with pytest.raises(ValueError, match="x0"):
        fwd.simulate_forward(torch.zeros(2, 3, 4), dc.VESDE(), [0.5])


# ----------------------------------------------------------------------------- helpers
def test_forward_paths_labels_and_start():
    gmm = dc.PRESETS["bimodal 1D"]
    times, paths, labels = fwd.forward_paths(gmm, dc.VESDE(25.0), 400, 100, gen(7))
    assert times.shape == (100,) and paths.shape == (100, 400, 1) and labels.shape == (400,)
    assert float(times[0]) == 0.0 and float(times[-1]) == 1.0
    start = paths[0, :, 0]
    # every path starts near the mean of the mode it is labelled with (modes at -5 and 5, std 1)
    assert ((start > 0) == (labels == 1)).float().mean() > 0.99
    with pytest.raises(ValueError, match="paths"):
        fwd.forward_paths(gmm, dc.VESDE(), 0, 10)
    with pytest.raises(ValueError, match="times"):
        fwd.forward_paths(gmm, dc.VESDE(), 10, 1)


@pytest.mark.parametrize("sde", SDES, ids=repr)
def test_marginal_log_density_is_the_diffused_mixture(sde):
    gmm = dc.PRESETS["bimodal 1D"]
    xs = torch.linspace(-80, 80, 4001, dtype=torch.float64)
    times = [0.0, 0.3, 1.0]
    lp = fwd.marginal_log_density(gmm, sde, times, xs)
    assert lp.shape == (3, 4001) and torch.isfinite(lp).all()
    mass = torch.trapezoid(lp.exp(), xs, dim=1)
    assert torch.allclose(mass, torch.ones(3, dtype=torch.float64), atol=1e-6)
    assert torch.allclose(lp[1], gmm.diffuse(sde, 0.3).log_prob(xs[:, None]))


@pytest.mark.parametrize("sde", SDES, ids=repr)
def test_schedule_and_cloud_limit(sde):
    s = fwd.schedule(sde, 51)
    assert set(s) == {"t", "sigma", "g", "alpha"}
    for v in s.values():
        assert v.shape == (51,) and torch.isfinite(v).all()
    assert float(s["sigma"][0]) == 0.0 and (torch.diff(s["sigma"]) >= 0).all()
    gmm = dc.PRESETS["two clusters"]
    lim = fwd.cloud_limit(gmm, sde)
    times, paths, _ = fwd.forward_paths(gmm, sde, 2000, 5, gen(8))
    assert lim > 0 and float((paths.abs() <= lim).float().mean()) > 0.99


# ----------------------------------------------------------------------------- forward figures
def _chart_values(chart):
    """Every number in the datasets of an Altair chart's spec."""
    spec = chart.to_dict()
    vals = []
    for rows in spec.get("datasets", {}).values():
        for row in rows:
            vals += [v for v in row.values() if isinstance(v, (int, float))]
    return spec, np.asarray(vals, dtype=float)


@pytest.mark.parametrize("sde", [dc.VESDE(25.0), dc.VESDE(1.0), dc.VPSDE()], ids=repr)
def test_paths_1d_chart(sde):
    gmm = dc.PRESETS["bimodal 1D"]
    times, paths, labels = fwd.forward_paths(gmm, sde, 30, 20, gen(9))
    xs = torch.linspace(-20, 20, 41)
    dens = fwd.marginal_log_density(gmm, sde, times, xs).exp()
    ch = ffig.paths_1d_chart(times, paths, labels, ["a", "b"], mode_colors(2), dens, times, xs,
                             ylim=(-20, 20))
    assert isinstance(ch, alt.LayerChart)
    spec, vals = _chart_values(ch)
    assert len(spec["layer"]) == 2 and vals.size > 0 and np.isfinite(vals).all()
    no_density = ffig.paths_1d_chart(times, paths[..., 0], labels, ["a", "b"])
    assert len(no_density.to_dict()["layer"]) == 1


def test_cloud_chart_has_browser_time_slider():
    gmm = dc.PRESETS["two clusters"]
    sde = dc.VESDE(25.0)
    times, paths, labels = fwd.forward_paths(gmm, sde, 40, 11, gen(10))
    ch = ffig.cloud_chart(times, paths, labels, ["one", "two"], None, 30.0, sde.sigma(times))
    spec, vals = _chart_values(ch)
    assert np.isfinite(vals).all()
    params = spec["params"]
    assert params[0]["bind"]["input"] == "range" and params[0]["bind"]["max"] == 1
    frames = [row["j"] for rows in spec["datasets"].values() for row in rows if "x" in row]
    assert sorted(set(frames)) == list(range(11)) and len(frames) == 40 * 11   # every frame


def test_schedule_chart():
    for sde, alpha in ((dc.VESDE(0.5), False), (dc.VPSDE(), True)):
        s = fwd.schedule(sde)
        ch = ffig.schedule_chart(s, show_alpha=alpha)
        spec, vals = _chart_values(ch)
        assert np.isfinite(vals).all()
        names = {row["quantity"] for rows in spec["datasets"].values() for row in rows}
        assert len(names) == (3 if alpha else 2)


@pytest.mark.parametrize("sde, alpha", [(dc.VESDE(25.0), False), (dc.VESDE(0.1), False),
                                        (dc.VESDE(1.0), False), (dc.VPSDE(), True),
                                        (dc.VPSDE(0.1, 5.0), True)], ids=repr)
def test_schedule_chart_is_readable_and_never_below_zero(sde, alpha):
    """The σₜ / g / αₜ chart has a plot area of at least 180 px (Streamlit's default autosize
    "fit" counted the legend and axes in the height and left about 60 px for the curves), every
    value it plots is >= 0, and its y axis starts at 0 with the "0" label on the 0 line (a flush
    label sat above it, so the curves seemed to dip below 0)."""
    ch = ffig.schedule_chart(fwd.schedule(sde), show_alpha=alpha)
    spec = ch.to_dict()
    assert spec["height"] >= 180 and spec["autosize"]["type"] == "fit-x"
    values = [row["value"] for rows in spec["datasets"].values() for row in rows]
    assert len(values) > 100 and min(values) >= 0
    y = spec["encoding"]["y"]
    assert y["scale"]["domain"][0] == 0 and y["scale"]["domain"][1] >= max(values)
    assert y["scale"]["nice"] is False and y["axis"]["labelFlush"] is False
    assert spec["mark"]["clip"] is True


def test_cloud_gif_is_an_animation():
    from PIL import Image
    import io
    gmm = dc.PRESETS["ring8"]
    sde = dc.VESDE(10.0)
    times, paths, labels = fwd.forward_paths(gmm, sde, 60, 6, gen(11))
    data = ffig.cloud_gif(times, paths, labels, mode_colors(8), 15.0, sde.sigma(times), size_px=200)
    assert data[:6] == b"GIF89a"
    im = Image.open(io.BytesIO(data))
    assert im.n_frames == 6 and im.size == (200, 200)


# ----------------------------------------------------------------------------- score-field figures
def _field(gmm, t, n=30, seed=0):
    g = gmm.diffuse(dc.VESDE(25.0), t)
    xl, yl = auto_limits(g)
    xx, yy, lp = density_grid(g, xl, yl, 40)
    comp = np.stack([density_grid(g.component(k), xl, yl, 40)[2] for k in range(g.n_components)])
    pts = g.sample(n, generator=gen(seed), dtype=torch.float64)[0]
    cs, r = g.score_components(pts)
    return xx, yy, lp, comp, pts, cs, r, g.score(pts)


def test_arrow_vectors():
    v = np.array([[3.0, 4.0], [0.0, 0.0], [1e-30, 0.0], [-1e6, 1e6]])
    eq, k = sfig.arrow_vectors(v, 0.5, "equal")
    assert k is None and np.isfinite(eq).all()
    assert np.allclose(np.linalg.norm(eq, axis=1), [0.5, 0.0, 0.5, 0.5])
    pr, k = sfig.arrow_vectors(v[:1], 0.5, "proportional")
    assert np.allclose(pr, v[:1] * k) and np.isclose(np.linalg.norm(pr), 0.7)
    zero, k = sfig.arrow_vectors(np.zeros((3, 2)), 0.5, "proportional")
    assert np.isfinite(zero).all() and k == 1.0
    with pytest.raises(ValueError, match="arrow lengths"):
        sfig.arrow_vectors(v, 0.5, "huge")


@pytest.mark.parametrize("name", ["tutorial", "ring8"])
@pytest.mark.parametrize("t", [0.0, 1.0])
def test_score_figures(name, t):
    gmm = dc.PRESETS[name]
    xx, yy, lp, comp, pts, cs, r, tot = _field(gmm, t)
    for a in (lp, comp, cs.numpy(), r.numpy(), tot.numpy()):
        assert np.isfinite(a).all()
    assert np.allclose(np.einsum("nk,knd->nd", r.numpy(), cs.numpy()), tot.numpy())
    colors = mode_colors(gmm.n_components)
    figs = [sfig.total_score_figure(xx, yy, lp, pts, tot, "equal", title="t"),
            sfig.total_score_figure(xx, yy, lp, pts, tot, "proportional"),
            sfig.mode_scores_figure(xx, yy, comp, pts, cs, colors, lengths="proportional"),
            sfig.weighted_scores_figure(xx, yy, comp, pts, cs, r, tot, colors)]
    for fig in figs:
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_aspect() == 1.0
    png = figure_png(figs[-1], dpi=40)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_weighted_arrows_add_up_to_total():
    """In the weighted view every arrow set shares one scale, so the coloured arrows sum to black."""
    gmm = dc.PRESETS["tutorial"]
    xx, yy, lp, comp, pts, cs, r, tot = _field(gmm, 0.0)
    fig = sfig.weighted_scores_figure(xx, yy, comp, pts, cs, r, tot)
    quivers = [c for c in fig.axes[0].collections if type(c).__name__ == "Quiver"]
    assert len(quivers) == 3
    uv = [np.stack([q.U, q.V], 1) for q in quivers]
    assert np.allclose(uv[0] + uv[1], uv[2], atol=1e-9)


def test_per_mode_views_draw_a_bounded_number_of_modes():
    """With many modes the per-mode and weighted views draw MAX_DRAWN_MODES of them (the most
    responsible at the arrow points) and say so in the legend; the black total stays the full sum."""
    assert sfig.drawn_modes(3).tolist() == [0, 1, 2]
    r = np.zeros((4, 30))
    r[:, [29, 3, 7]] = [3.0, 2.0, 1.0]
    assert sfig.drawn_modes(30, r, max_modes=2).tolist() == [3, 29]
    means = np.stack(np.meshgrid(np.linspace(-3, 3, 8), np.linspace(-3, 3, 8)), -1).reshape(-1, 2)
    gmm = dc.GaussianMixture(torch.tensor(means), (0.05 * torch.eye(2, dtype=torch.float64)).expand(64, 2, 2))
    xx, yy, lp, comp, pts, cs, r, tot = _field(gmm, 0.0)
    for fig in (sfig.mode_scores_figure(xx, yy, comp, pts, cs, resp=r),
                sfig.weighted_scores_figure(xx, yy, comp, pts, cs, r, tot)):
        quivers = [c for c in fig.axes[0].collections if type(c).__name__ == "Quiver"]
        assert len(quivers) <= sfig.MAX_DRAWN_MODES + 1
        # every drawn mode has a colour of its own (a palette cycled over 64 modes gave two drawn modes one)
        colours = [tuple(np.round(q.get_facecolor()[0][:3], 3)) for q in quivers]
        mode_colours = [c for c in colours if c != (0.0, 0.0, 0.0)]
        assert len(mode_colours) == sfig.MAX_DRAWN_MODES and len(set(mode_colours)) == len(mode_colours), colours
        labels = [t.get_text() for t in fig.legends[0].get_texts()]
        head = fig.legends[0].get_title().get_text()
        assert f"{sfig.MAX_DRAWN_MODES} of 64 modes\ndrawn" in head, head
        assert len([t for t in labels if t.startswith("mode ")]) == sfig.MAX_DRAWN_MODES, labels
        # every drawn mode is named, the most responsible at the arrow points first
        w = r.sum(0)
        named = [int(t.split()[1]) - 1 for t in labels if t.startswith("mode ")]
        assert named == sorted(sfig.drawn_modes(64, r).tolist(), key=lambda k: (-w[k], k))
        # every line of the legend's title fits beside the plot (the box is about 1.2 inches wide)
        assert max(len(line) for line in head.split("\n")) <= 15, head
