"""AppTest of the score-field page: renders, figure present, every widget at its extremes."""

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import diffusion_core as dc
from dashboard import settings as sio
from dashboard.figures import score_field as sfig
from conftest import app_test, open_page, choose_mixture

PAGE = "views/2_score_field.py"
K = "w_score_"
VIEWS = ["total", "modes", "weighted"]


@pytest.fixture(scope="module")
def at():
    return open_page(PAGE, 120)


def ok(at):
    assert not at.exception, [e.message for e in at.exception]
    imgs = at.get("image")
    assert len(imgs) == 1 and imgs[0].proto.imgs[0].url.endswith(".png")
    return imgs[0].proto.imgs[0].url


def test_default_render(at):
    ok(at)
    assert at.title[0].value.startswith("The score")
    assert at.slider(key=K + "t").value == 0.0 and at.slider(key=K + "lam").value == 25.0
    assert at.slider(key=K + "n").value == 200                     # the tutorial's 200 samples
    assert at.metric[0].value == "0"                                # sigma_0 = 0
    assert len(at.main.expander) == 1 and len(at.main.latex) >= 3
    assert not at.error


@pytest.mark.parametrize("view", VIEWS)
def test_views_change_the_figure(at, view):
    before = ok(at)
    at.radio(key=K + "view").set_value(view).run()
    after = ok(at)
    assert (before != after) or view == "total"
    # the weighted view always draws true proportions: no arrow-length choice there
    assert (K + "lengths" in [r.key for r in at.radio]) == (view != "weighted")
    at.radio(key=K + "view").set_value("total").run()


@pytest.mark.parametrize("t,lam", [(0.0, 0.1), (1.0, 0.1), (1.0, 1.0), (1.0, 50.0), (0.5, 25.0)])
def test_time_and_lambda_extremes(at, t, lam):
    for view in VIEWS:
        at.radio(key=K + "view").set_value(view)
        at.slider(key=K + "t").set_value(t)
        at.slider(key=K + "lam").set_value(lam).run()
        ok(at)
        sigma = float(at.metric[0].value)
        assert sigma == pytest.approx(float(dc.VESDE(lam).sigma(t)), rel=1e-2, abs=1e-3)
        assert at.metric[1].value != "nan"
    at.slider(key=K + "t").set_value(0.0)
    at.slider(key=K + "lam").set_value(25.0)
    at.radio(key=K + "view").set_value("total").run()


def test_arrows_on_grid_and_sizes(at):
    at.radio(key=K + "where").set_value("grid").run()
    ok(at)
    for g in (5, 40, 20):
        for view in VIEWS:
            at.radio(key=K + "view").set_value(view)
            at.slider(key=K + "grid").set_value(g).run()
            ok(at)
    at.radio(key=K + "where").set_value("samples").run()
    for n in (20, 1000, 200):
        at.slider(key=K + "n").set_value(n).run()
        ok(at)
    at.radio(key=K + "view").set_value("total").run()


def test_arrow_lengths(at):
    for lengths in ("equal", "proportional"):
        for view in ("total", "modes"):
            at.radio(key=K + "view").set_value(view)
            at.radio(key=K + "lengths").set_value(lengths).run()
            ok(at)
    at.radio(key=K + "view").set_value("total").run()


@pytest.mark.parametrize("name", [n for n, g in dc.PRESETS.items() if g.dim == 2])
def test_every_preset(at, name):
    choose_mixture(at, name)
    for view in VIEWS:
        at.radio(key=K + "view").set_value(view).run()
        ok(at)
        assert name in at.markdown[0].value
    at.radio(key=K + "view").set_value("total").run()


# ------------------------------------------------------------------------- arrow scale across t
# A narrow mode (std 0.02) next to a broad one (std 1): its scores are ~50 times larger.
NARROW = dc.GaussianMixture([[-2.0, 0.0], [2.0, 1.0]],
                            [[[4e-4, 0.0], [0.0, 4e-4]], [[1.0, 0.0], [0.0, 1.0]]], [1.0, 1.0])


def _drawn(fig, which=0):
    """Lengths of the arrows of the figure's `which`-th quiver, as fractions of the x-axis span."""
    ax = fig.axes[0]
    q = [c for c in ax.collections if type(c).__name__ == "Quiver"][which]
    assert q.scale == 1 and q.scale_units == "xy"                  # U, V are drawn in data units
    x0, x1 = ax.get_xlim()
    return np.hypot(q.U, q.V) / (x1 - x0)


def _total_figure(gmm, t, key_t, where="samples", n=200):
    sde = dc.VESDE(25.0)
    f = sfig.field_data(gmm, sde, t, where, n, 2021)
    ref = sfig.field_data(gmm, sde, key_t, where, n, 2021)
    m = sfig.reference_magnitude(ref["total"], ref["resp"])
    return sfig.total_score_figure(f["xx"], f["yy"], f["logp"], f["pts"], f["total"], "proportional",
                                   resp=f["resp"], magnitude=m, fixed=key_t == 0.0), f


@pytest.mark.parametrize("where,n", [("samples", 200), ("grid", 20)])
def test_fixed_arrow_scale_shrinks_with_t(where, n):
    """One scale for every t (taken at t = 0): the drawn arrows at t = 1 are much shorter than at
    t = 0, as the score is; fitted to each picture they stay about as long."""
    gmm = dc.PRESETS["tutorial"]
    at0 = np.median(_drawn(_total_figure(gmm, 0.0, 0.0, where, n)[0]))
    fixed1 = np.median(_drawn(_total_figure(gmm, 1.0, 0.0, where, n)[0]))
    fitted1 = np.median(_drawn(_total_figure(gmm, 1.0, 1.0, where, n)[0]))
    assert at0 > 0.01                                  # readable at t = 0
    assert fixed1 < 0.25 * at0                         # visibly shorter at t = 1
    assert 0.5 * at0 < fitted1 < 2 * at0               # the fitted scale hides the shrinking


def test_fixed_arrow_scale_states_the_key_and_clips():
    fig, f = _total_figure(dc.PRESETS["tutorial"], 1.0, 0.0)
    ax = fig.axes[0]
    keys = [a for a in ax.get_children() if type(a).__name__ == "QuiverKey"]
    assert len(keys) == 1 and keys[0].label.startswith("|s| = ")
    notes = " ".join(t.get_text() for t in ax.texts + fig.texts)      # the note sits under the plot
    assert "one scale for every t" in notes


@pytest.mark.parametrize("key_t", [0.0, None])
def test_narrow_mode_does_not_hide_the_other_modes_arrows(key_t):
    """With a narrow mode (std 0.02) in the mixture, the broad mode's arrows stay visible: its
    huge scores are clipped instead of shrinking every other arrow to nothing."""
    sde = dc.VESDE(25.0)
    f = sfig.field_data(NARROW, sde, 0.0, "samples", 200, 2021)
    broad = f["resp"].argmax(1) == 1
    assert 50 < broad.sum() < 150
    m = None if key_t is None else sfig.reference_magnitude(f["total"], f["resp"])
    figs = [sfig.total_score_figure(f["xx"], f["yy"], f["logp"], f["pts"], f["total"], "proportional",
                                    resp=f["resp"], magnitude=m),
            sfig.weighted_scores_figure(f["xx"], f["yy"], f["comp_logp"], f["pts"], f["comp_scores"],
                                        f["resp"], f["total"], magnitude=m)]
    for fig, which in zip(figs, (0, -1)):
        lengths = _drawn(fig, which)
        assert np.median(lengths[broad]) > 0.02                    # > 2 % of the axis span
        assert lengths.max() <= 0.2                                # the narrow mode's are clipped
        notes = " ".join(t.get_text() for t in fig.axes[0].texts + fig.texts)      # the note sits under the plot
        assert "clipped" in notes
    # the modes view: the broad mode's own arrows at its points
    fig = sfig.mode_scores_figure(f["xx"], f["yy"], f["comp_logp"], f["pts"], f["comp_scores"],
                                  lengths="proportional", resp=f["resp"], magnitude=m)
    assert np.median(_drawn(fig, 1)[broad]) > 0.02


def test_reference_magnitude_is_robust():
    rng = np.random.default_rng(0)
    v = rng.normal(size=(400, 2))
    resp = np.zeros((400, 2))
    resp[:200, 0] = resp[200:, 1] = 1.0
    v[:200] *= 100.0                                               # mode 0: 100 times steeper
    m = sfig.reference_magnitude(v, resp)
    assert m == pytest.approx(np.quantile(np.linalg.norm(v[200:], axis=1), 0.9))
    assert sfig.reference_magnitude(np.zeros((5, 2))) == 1.0
    uv, clipped = sfig.clip_arrows(np.array([[[3.0, 4.0], [0.1, 0.0]], [[0.0, 1.0], [0.0, 0.1]]]), 2.0)
    assert clipped.tolist() == [True, False]
    assert np.allclose(uv[:, 0], [[1.2, 1.6], [0.0, 0.4]])         # one factor per point


def test_arrow_scale_widget(at):
    assert sio.SCHEMA[K + "arrow_scale"].default == "fixed"
    assert at.radio(key=K + "arrow_scale").value == "fixed"
    assert at.radio(key=K + "lengths").value == "proportional"
    at.radio(key=K + "lengths").set_value("equal").run()
    ok(at)
    assert K + "arrow_scale" not in [r.key for r in at.radio]         # direction only: no scale
    at.radio(key=K + "lengths").set_value("proportional").run()


CAPPED = re.compile(r" Arrow length ∝ \|score\|, capped at the distance to [^(]+\(here [\d,]+ of [\d,]+ "
                    r"\w+ are capped\): those are shorter than the key's scale gives\.")


def _key_caption(at):
    caps = [c.value for c in at.caption if c.value.startswith("Key arrow")]
    assert len(caps) == 1
    return caps[0]


def test_fixed_scale_keeps_the_key_across_t(at):
    """Fixed: the key arrow means the same |score| at every t; fitted: it follows the picture."""
    for view in VIEWS:
        at.radio(key=K + "view").set_value(view)
        at.radio(key=K + "arrow_scale").set_value("fixed")
        keys = {}
        for t in (0.0, 1.0):
            at.slider(key=K + "t").set_value(t).run()
            ok(at)
            keys[t] = _key_caption(at)
        # only the count of arrows capped at what they point at is this t's
        assert CAPPED.sub("", keys[0.0]) == CAPPED.sub("", keys[1.0]) and "shrink" in keys[1.0]
        at.radio(key=K + "arrow_scale").set_value("fitted").run()
        ok(at)
        assert _key_caption(at) != keys[1.0]
    at.radio(key=K + "arrow_scale").set_value("fixed")
    at.slider(key=K + "t").set_value(0.0)
    at.radio(key=K + "view").set_value("total").run()


def test_custom_mixture_with_a_narrow_mode():
    at = app_test(120)
    at.session_state["custom_mixture"] = NARROW.to_dict()
    at.run()
    at.switch_page(PAGE).run()
    choose_mixture(at, "custom")
    for scale in sfig.SCALES:
        for view in VIEWS:
            at.radio(key=K + "view").set_value(view)
            at.radio(key=K + "arrow_scale").set_value(scale).run()
            ok(at)


def _key_number(caption: str) -> str:
    return caption.split("|score| = ", 1)[1].split(",", 1)[0]


@pytest.mark.parametrize("scale", sfig.SCALES)
def test_key_arrow_is_the_median_the_metric_shows(scale):
    """The key arrow's |score| is the median |score| the metric shows (at t = 0 for the fixed
    scale, where the caption says so; in this picture for the fitted one), in the caption and in
    the figure's key."""
    at = open_page(PAGE, 120)
    at.radio(key=K + "arrow_scale").set_value(scale).run()
    at.slider(key=K + "t").set_value(0.0).run()
    median_at_0 = at.metric[1].value
    at.slider(key=K + "t").set_value(0.5).run()
    ok(at)
    cap = _key_caption(at)
    want = median_at_0 if scale == "fixed" else at.metric[1].value
    assert _key_number(cap) == want, (cap, want)
    assert ("at t = 0" if scale == "fixed" else "of this picture") in cap
    from dashboard import score_field as sf
    gmm, sde = dc.PRESETS["tutorial"], dc.VESDE(25.0)
    key = sf.key_arrow(gmm, sde, 0.5, "samples", 200, 2021, scale)
    assert f"{key:.3g}" == want


def test_key_and_note_sit_outside_the_data_area():
    """The key arrow and the note on arrow lengths are drawn under the plot, not over arrows."""
    fig, _ = _total_figure(dc.PRESETS["ring8"], 0.0, 0.0)
    ax = fig.axes[0]
    fig.canvas.draw()
    bottom = ax.get_position().y0
    key = [a for a in ax.get_children() if type(a).__name__ == "QuiverKey"][0]
    assert key.Y < bottom and key.coord == "figure"
    assert fig.texts and all(t.get_position()[1] < bottom for t in fig.texts)
    assert not [t for t in ax.texts if "arrow length" in t.get_text()]


def _agg(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    FigureCanvasAgg(fig).draw()
    return fig


def _permode_figure(gmm, t=0.0):
    """The per-mode view as the page draws it at t (fixed scale, the key = the median at t = 0)."""
    sde = dc.VESDE(25.0)
    f, ref = (sfig.field_data(gmm, sde, s, "samples", 200, 2021) for s in (t, 0.0))
    m = sfig.reference_magnitude(ref["total"], ref["resp"])
    key = sfig.key_value(m, float(np.median(np.linalg.norm(ref["total"], axis=1))))
    fig = sfig.mode_scores_figure(f["xx"], f["yy"], f["comp_logp"], f["pts"], f["comp_scores"],
                                  lengths="proportional", resp=f["resp"], magnitude=m, fixed=True,
                                  key=key)
    return _agg(fig), key


def _data_units(ax, key):
    """Length (data units) of the key arrow as drawn (horizontal: its polygon's x extent)."""
    pix = key.vector.get_transform().transform(key.vector.get_paths()[0].vertices)
    d = ax.transData.transform([[0, 0], [1, 0]])
    return float(np.ptp(pix[:, 0]) / (d[1, 0] - d[0, 0]))


def test_key_arrow_is_drawn_on_the_arrows_scale():
    """The key arrow |s| = key is as long, in data units, as a field arrow of |score| = key."""
    fig, key = _permode_figure(dc.PRESETS["tutorial"])
    ax = fig.axes[0]
    qk = [a for a in ax.get_children() if type(a).__name__ == "QuiverKey"][0]
    q = [c for c in ax.collections if type(c).__name__ == "Quiver"][0]
    f = sfig.field_data(dc.PRESETS["tutorial"], dc.VESDE(25.0), 0.0, "samples", 200, 2021)
    per_unit = np.hypot(q.U, q.V) / np.linalg.norm(f["comp_scores"][0], axis=1)
    k = float(np.median(per_unit))                  # unclipped arrows: drawn length / |score|
    assert _data_units(ax, qk) == pytest.approx(k * key, rel=0.02)


def _clip_note(fig):
    notes = " ".join(t.get_text() for t in fig.texts)
    return notes, re.search(r"(\d+) (?:longest|other) arrows? clipped to the length of \|s\| = ([\d.e+]+) "
                            r"\((?:([\d.]+) × the key's|the key's length)\)", notes)


@pytest.mark.parametrize("t", [0.0, 0.2])
def test_clipping_note_is_read_from_the_drawn_arrows(t):
    """The note's clipping count and length are those of the arrows drawn: as many arrows as the
    note says reach the clipping length, and it is the stated multiple of the key arrow."""
    fig, key = _permode_figure(dc.PRESETS["tutorial"], t)
    ax = fig.axes[0]
    qk = [a for a in ax.get_children() if type(a).__name__ == "QuiverKey"][0]
    notes, got = _clip_note(fig)
    lengths = np.concatenate([np.hypot(q.U, q.V) for q in ax.collections
                              if type(q).__name__ == "Quiver"])
    if got is None:
        assert "clipped" not in notes
        return
    n, ratio = int(got.group(1)), float(got.group(3) or 1.0)
    assert n == int(np.isclose(lengths, lengths.max(), rtol=1e-9).sum())
    key_len = _data_units(ax, qk)
    assert lengths.max() / key_len == pytest.approx(ratio, rel=0.05)


@pytest.mark.parametrize("view", VIEWS)
def test_length_note_fits_in_the_figure(view):
    """The note under the plot stays inside the picture (it was cut at the right edge)."""
    sde = dc.VESDE(25.0)
    f = sfig.field_data(dc.PRESETS["tutorial"], sde, 0.0, "samples", 200, 2021)
    m = sfig.reference_magnitude(f["total"], f["resp"])
    if view == "total":
        fig = sfig.total_score_figure(f["xx"], f["yy"], f["logp"], f["pts"], f["total"],
                                      "proportional", resp=f["resp"], magnitude=m, fixed=True)
    elif view == "modes":
        fig = sfig.mode_scores_figure(f["xx"], f["yy"], f["comp_logp"], f["pts"], f["comp_scores"],
                                      lengths="proportional", resp=f["resp"], magnitude=m, fixed=True)
    else:
        fig = sfig.weighted_scores_figure(f["xx"], f["yy"], f["comp_logp"], f["pts"],
                                          f["comp_scores"], f["resp"], f["total"], magnitude=m,
                                          fixed=True)
    _agg(fig)
    r = fig.canvas.get_renderer()
    width = fig.bbox.width
    for text in fig.texts:
        box = text.get_window_extent(r)
        assert 0 <= box.x0 and box.x1 <= width, text.get_text()


def test_length_note_fits_in_the_figure_where_most_arrows_are_capped():
    """Your data (heart, 100 points, the smallest smoothing width), t = 0: the note's first line, "arrow
    length ∝ |score|, capped at the distance to the nearest data point (here 200 of 200 arro", was cut at
    the figure's right edge. The capped words take a line of their own; every line stays inside."""
    from diffusion_core import pointsets as ps
    from dashboard import score_field as sf, yourdata
    pts = yourdata.check(ps.heart(100))
    gmm = yourdata.mixture(yourdata.entry(pts, yourdata.width_of(pts, 0.1), "heart"))
    fig = sf.score_figure(gmm, dc.VESDE(25.0), 0.0, "samples", 200, 2021, "total", "proportional", "fixed")
    _agg(fig)
    r = fig.canvas.get_renderer()
    texts = [t for t in fig.texts if "capped at the distance" in t.get_text()]
    assert texts
    for text in fig.texts:
        box = text.get_window_extent(r)
        assert 0 <= box.x0 and box.x1 <= fig.bbox.width, text.get_text()


@pytest.mark.parametrize("which", ["ring8", "word"])
def test_axes_hold_every_mode_with_room(which):
    """ring8's modes at (±4, 0), (0, ±4) and a word's outer letters are not cut by the frame:
    every mode's 2σ region is inside, and the shaded density (down to 25 nats under its peak)
    does not reach the frame."""
    if which == "ring8":
        gmm = dc.PRESETS["ring8"]
    else:
        from dashboard import drawing
        gmm = dc.mixture_from_points(drawing.word_points("SCORE", 200), 0.05)
    f = sfig.field_data(gmm, dc.VESDE(25.0), 0.0, "grid", 20, 2021)
    x0, x1, y0, y1 = f["xx"].min(), f["xx"].max(), f["yy"].min(), f["yy"].max()
    mu = gmm.means.numpy()
    sd = gmm.covs.diagonal(dim1=1, dim2=2).sqrt().numpy()
    assert (mu - 2 * sd >= [x0, y0]).all() and (mu + 2 * sd <= [x1, y1]).all()
    edge = np.concatenate([f["logp"][0], f["logp"][-1], f["logp"][:, 0], f["logp"][:, -1]])
    assert edge.max() < f["logp"].max() - 25


def test_tiny_arrows_note_compares_with_the_key_not_with_nothing():
    """On ring8 at t > 0 with the scale of t = 0, the arrows are tiny because the key is huge
    (|s| = 67 at t = 0), not because the score is small (median 2.98): the note says against
    what it is small, and how to see the directions."""
    from dashboard.figures import score_field as sf
    text = sf._length_note(1.0, fixed=True, tiny=True, key=67.0)
    assert "small against the key arrow's 67" in text and "fitted to this picture" in text
    assert "the score is small" not in text
    assert "fitted to this picture shows" not in sf._length_note(1.0, fixed=False, tiny=True, key=0.8)


def test_point_set_arrows_end_at_the_data_point_they_point_at():
    """Your data at a tiny width: a sample 0.03 from its point has a huge score; drawn at the
    figure's scale its arrow overshot the point and stuck out of the shape (a lesson's finding).
    Arrows are no longer than the way to the nearest data point, and the note says so."""
    from diffusion_core import pointsets as ps
    from dashboard import score_field as sf, yourdata
    from dashboard.figures import score_field as sfig
    pts = yourdata.check(ps.heart(100))
    gmm = yourdata.mixture(yourdata.entry(pts, yourdata.width_of(pts, 0.1), "heart"))
    f = sf.score_field(gmm, dc.VESDE(25.0), 0.0, "samples", 300, 2021)
    reach = sf.reach(gmm, dc.VESDE(25.0), 0.0, f["pts"])
    assert reach is not None and reach.shape == (len(f["pts"]),) and float(np.median(reach)) < 0.1
    assert sf.reach(dc.PRESETS["ring8"], dc.VESDE(25.0), 0.0, f["pts"]) is None
    uv, n = sfig._within_reach(np.array([[3.0, 4.0], [0.1, 0.0]]), np.array([1.0, 1.0]))
    assert n == 1 and np.allclose(uv, [[0.6, 0.8], [0.1, 0.0]])
    fig = sfig.total_score_figure(f["xx"], f["yy"], f["logp"], f["pts"], f["total"], "proportional",
                                  resp=f["resp"], fixed=True, reach=reach)
    note = " ".join(t.get_text() for t in fig.texts)
    assert "capped at the distance to the nearest data point" in note    # most arrows: the first line says so
    assert "is small against the key" not in note          # their shortness has its own reason


@pytest.mark.parametrize("view", ["total", "modes", "weighted"])
def test_the_median_metric_names_the_total_score_when_modes_are_drawn(view):
    """Per mode, the arrows are each mode's own score while the metric (and the key) measure the
    total score: the label says so (a lesson read "median |score| 0.789" beside per-mode arrows
    clipped at 3.9 × the key)."""
    at = open_page(PAGE, 120)
    at.radio(key=K + "view").set_value(view).run()
    ok(at)
    assert at.metric[1].label == {"total": "median |score|", "modes": "median |mode score|",
                                  "weighted": "median |total score|"}[view]


@pytest.mark.parametrize("mixture, t", [("tutorial", 0.0), ("tutorial", 1.0), ("ring8", 0.5)])
def test_per_mode_caption_gives_the_formula_of_the_drawn_time(mixture, t):
    """Per mode at t = 1 the caption gave the t = 0 score −Σₖ⁻¹(x − μₖ) under arrows of the blurred
    mode: at t > 0 it gives −(Σₖ + σₜ² I)⁻¹(x − μₖ) with the σₜ the metric shows."""
    at = open_page(PAGE, 120, w_mixture=mixture, **{K + "view": "modes", K + "t": t})
    ok(at)
    cap = next(c.value for c in at.caption if c.value.startswith("Each mode's score, as if it were alone"))
    sigma = next(m.value for m in at.metric if m.label == "σₜ")
    if t == 0:
        assert "−Σₖ⁻¹(x − μₖ), towards" in cap or "−Σₖ⁻¹(x − μₖ), straight at" in cap and "σₜ² I" not in cap, cap
    else:
        assert re.search(re.escape(f"−(Σₖ + σₜ² I)⁻¹(x − μₖ) with σₜ = {sigma}, ") + "(towards|straight at)", cap), cap


def test_large_t_formula_names_the_mixture_mean_the_same_way_in_every_view(at):
    """The large-t field read "−(x − μ)/σₜ²" in one view and "−(x − μ̄)/σₜ²" in another (the bar
    over μ, drawn in a fraction's numerator, got lost): it is written one way, with μ̄ out of any
    fraction and defined as the mixture's mean, in every view."""
    seen = set()
    for view in VIEWS:
        at.radio(key=K + "view").set_value(view).run()
        ok(at)
        big_t = [x.value for x in at.main.latex if "\\sigma_t^2" in x.value and "\\approx" in x.value]
        assert len(big_t) == 1 and "\\overline{\\mu} = \\textstyle\\sum_k w_k \\mu_k" in big_t[0]
        assert "\\frac{x" not in big_t[0]
        assert any("μ̄ the mixture's mean" in m.value for m in at.main.markdown)
        seen.add(big_t[0])
    assert len(seen) == 1
    at.radio(key=K + "view").set_value("total").run()


# ------------------------------------------------------------------------- arrows too short to see
def _short_note(at):
    notes = [x.value for x in at.info if "too short to see" in x.value]
    assert len(notes) <= 1
    return notes[0] if notes else None


def _figure_as_drawn(gmm, t, view, scale, lengths="proportional", lam=25.0):
    """The page's figure for these settings, built from the figure builders, and its plot width."""
    from dashboard import score_field as sf
    sde = dc.VESDE(lam)
    f = sf.score_field(gmm, sde, t, "samples", 200, 2021)
    m = sf.key_magnitude(gmm, sde, t, "samples", 200, 2021, scale, view=view)
    if view == "total":
        fig = sfig.total_score_figure(f["xx"], f["yy"], f["logp"], f["pts"], f["total"], lengths,
                                      resp=f["resp"], magnitude=m,
                                      reach=sf.reach(gmm, sde, t, f["pts"]))
    elif view == "modes":
        fig = sfig.mode_scores_figure(f["xx"], f["yy"], f["comp_logp"], f["pts"], f["comp_scores"],
                                      lengths=lengths, resp=f["resp"], magnitude=m)
    else:
        fig = sfig.weighted_scores_figure(f["xx"], f["yy"], f["comp_logp"], f["pts"],
                                          f["comp_scores"], f["resp"], f["total"], magnitude=m)
    return fig


def _short_count(fig, view):
    """How many of the counted arrows the figure draws are under VISIBLE of the axis span: every
    quiver per mode, the total's (the last, black one) otherwise; and how many are counted."""
    quivers = [c for c in fig.axes[0].collections if type(c).__name__ == "Quiver"]
    x0, x1 = fig.axes[0].get_xlim()
    counted = quivers if view == "modes" else quivers[-1:]
    lengths = np.concatenate([np.hypot(q.U, q.V) for q in counted]) / (x1 - x0)
    return int((lengths < sfig.VISIBLE).sum()), lengths.size


def test_page_says_when_arrows_are_too_short_and_how_to_see_them():
    """Weighted view at t = 1 on the fixed scale: every arrow was shorter than its head while the
    legend named "mode 1, mode 2, total" beside the coloured ellipses. The page now says how many
    arrows are too short (counted on the drawn figure) and that the fitted scale shows them, which
    it does; at a small t, and on the fitted scale, it says nothing."""
    at = open_page(PAGE, 120)
    gmm = dc.PRESETS["tutorial"]
    for view in VIEWS:
        at.radio(key=K + "view").set_value(view)
        at.radio(key=K + "arrow_scale").set_value("fixed")
        at.slider(key=K + "t").set_value(1.0).run()
        ok(at)
        note = _short_note(at)
        short, total = _short_count(_figure_as_drawn(gmm, 1.0, view, "fixed"), view)
        assert short > total / 2
        assert note is not None and f"**{short} of the {total} " in note, note
        assert "choose the arrow scale **fitted to this picture**" in note
        assert ("**equal (direction only)**" in note) == (view != "weighted")
        shown = re.search(r"fitted to this picture\*\* \((\d+)% of them show", note).group(1)
        short_fitted, _ = _short_count(_figure_as_drawn(gmm, 1.0, view, "fitted"), view)
        assert int(shown) == round(100 * (1 - short_fitted / total))
        at.radio(key=K + "arrow_scale").set_value("fitted").run()      # the advice, followed
        ok(at)
        assert _short_note(at) is None
        at.radio(key=K + "arrow_scale").set_value("fixed")
        at.slider(key=K + "t").set_value(0.1).run()                  # small t: the arrows show
        ok(at)
        assert _short_note(at) is None
    at.slider(key=K + "t").set_value(0.0)
    at.radio(key=K + "view").set_value("total").run()


def test_your_data_at_t0_says_the_arrows_are_too_short_and_to_raise_t():
    """Your data with a small smoothing width at t = 0: every arrow ends at the data point it
    points at, a few pixels away, and both scales are the same at t = 0. The page says so and
    invites raising t (with the scale it names, checked there) or equal lengths."""
    from diffusion_core import pointsets as ps
    from dashboard import yourdata
    pts = yourdata.check(ps.heart(100))
    entry = yourdata.entry(pts, yourdata.width_of(pts, 0.1), "heart")
    at = open_page(PAGE, 300, w_mixture=yourdata.NAME, **{yourdata.KEY: entry})
    ok(at)
    note = _short_note(at)
    gmm = yourdata.mixture(entry)
    short, total = _short_count(_figure_as_drawn(gmm, 0.0, "total", "fixed"), "total")
    assert note is not None and f"**{short} of the {total} arrows" in note, note
    got = re.search(r"raise t to ([\d.]+) with the arrow scale \*\*(.+?)\*\* \((\d+)% of them", note)
    assert got and "**equal (direction only)**" in note, note
    later, scale = float(got.group(1)), {"fixed across t": "fixed", "fitted to this picture": "fitted"}[got.group(2)]
    at.slider(key=K + "t").set_value(later)
    at.radio(key=K + "arrow_scale").set_value(scale).run()             # the advice, followed
    ok(at)
    assert _short_note(at) is None
    short, total = _short_count(_figure_as_drawn(gmm, later, "total", scale), "total")
    assert round(100 * (1 - short / total)) == int(got.group(3)) and short < total / 2
    at.slider(key=K + "t").set_value(0.0)
    at.radio(key=K + "lengths").set_value("equal").run()
    ok(at)
    assert _short_note(at) is None


@pytest.mark.parametrize("view", ["modes", "weighted"])
def test_legend_names_arrows_and_ellipses_apart(view):
    """The coloured ellipses and the arrows share colours: the legend draws the arrows' entries
    as arrows and names the ellipses in an entry of their own."""
    fig = _figure_as_drawn(dc.PRESETS["tutorial"], 1.0, view, "fixed")
    legend = fig.legends[0]
    labels = [t.get_text() for t in legend.get_texts()]
    assert legend.get_title().get_text().startswith("arrows:")
    handles = dict(zip(labels, legend.legend_handles))
    for name in ["mode 1", "mode 2"] + (["total score\n(their sum)"] if view == "weighted" else []):
        h = handles[name]
        assert h.get_linestyle() == "None" and "rightarrow" in str(h.get_marker())
    ellipses = [lab for lab in labels if lab.startswith("ellipses:")]
    assert len(ellipses) == 1 and handles[ellipses[0]].get_marker() == "o"


@pytest.mark.parametrize("view", VIEWS)
def test_length_note_fits_in_the_figure_when_arrows_are_short(view):
    """At t = 1 on the fixed scale the note's line on short arrows stays inside the picture."""
    fig = _agg(_figure_as_drawn(dc.PRESETS["tutorial"], 1.0, view, "fixed"))
    r = fig.canvas.get_renderer()
    assert any("shorter than their heads" in t.get_text() for t in fig.texts)
    for text in fig.texts:
        box = text.get_window_extent(r)
        assert 0 <= box.x0 and box.x1 <= fig.bbox.width, text.get_text()


@pytest.mark.parametrize("name", ["tutorial", "ring8"])
def test_per_mode_view_is_drawn_on_the_mode_scores_own_scale(name):
    """Per mode at t = 0 on the total score's scale, 110 of 400 arrows (tutorial) and 1,402 of
    1,600 (ring8) were clipped: a mode's own score is long far from it. The view's scale is now
    read from the mode scores themselves: few arrows are clipped, and the key arrow is the median
    |mode score| the metric shows."""
    fig = _figure_as_drawn(dc.PRESETS[name], 0.0, "modes", "fixed")
    notes, got = _clip_note(fig)
    arrows = sum(np.size(q.U) for q in fig.axes[0].collections if type(q).__name__ == "Quiver")
    clipped = int(got.group(1)) if got else 0
    assert clipped <= 0.05 * arrows, notes
    at = open_page(PAGE, 120, **({} if name == "tutorial" else {"w_mixture": name}))
    at.radio(key=K + "view").set_value("modes").run()
    ok(at)
    assert at.metric[1].label == "median |mode score|"
    cap = _key_caption(at)
    assert "the median |mode score| at t = 0 (the metric's value there)" in cap, cap
    assert _key_number(cap) == at.metric[1].value


@pytest.mark.parametrize("name", ["tutorial", "ring8"])
def test_key_caption_names_the_metric_shown_in_each_view(name):
    """The note under the metrics compares the key arrow with the metric on screen: in the
    per-mode view it said "compare it with the median |score| now" beside a metric titled "median
    |mode score|". Every median it names is the metric's own label, in every view and scale."""
    at = open_page(PAGE, 120, **({} if name == "tutorial" else {"w_mixture": name}))
    for view in VIEWS:
        for scale in sfig.SCALES:
            at.radio(key=K + "view").set_value(view)
            at.radio(key=K + "arrow_scale").set_value(scale).run()
            ok(at)
            label = at.metric[1].label
            cap = _key_caption(at)
            named = re.findall(r"median \|[^|]*\|", cap)
            assert named and set(named) == {label}, (view, scale, label, cap)
            if scale == "fixed":
                assert f"compare it with the {label} now." in cap, cap


@pytest.mark.parametrize("name, t", [("ring8", 0.0), ("tutorial", 0.0), ("ring8", 0.5)])
def test_total_view_shading_spans_the_plot_with_spaced_rings(name, t):
    """Shading log pₜ in steps of equal log p from the peak down to 25 nats left ring8's narrow
    modes at t = 0 as eight tight stacks of rings (a ring every 0.01 of the plot's width) with
    three quarters of the plot unshaded. The shading drawn (the figure's filled contours) now
    reaches down to the log density of all but the lowest SHADED-th percent of the plot, and on the
    way out of the densest point no two rings are closer than 1.5 % of the plot's width."""
    from matplotlib.contour import ContourSet
    from dashboard import score_field as sf
    fig = _figure_as_drawn(dc.PRESETS[name], t, "total", "fixed")
    filled = [c for c in fig.axes[0].collections if isinstance(c, ContourSet) and c.filled]
    assert len(filled) == 1
    f = sf.score_field(dc.PRESETS[name], dc.VESDE(25.0), t, "samples", 200, 2021)
    z, levels = sfig.density_shading(f["logp"])
    assert np.allclose(filled[0].levels, levels)
    assert np.all(np.diff(z.ravel()[np.argsort(f["logp"].ravel())]) >= -1e-9)  # darker = more likely
    assert (z >= levels[0]).mean() >= sfig.SHADED / 100 - 0.01
    i, j = np.unravel_index(np.argmax(z), z.shape)
    ray, x = z[i, j:], f["xx"][i, j:]
    crossings = [x[np.argmax(ray < lv)] for lv in levels[::-1][1:] if (ray < lv).any()]
    width = f["xx"].max() - f["xx"].min()
    assert len(crossings) >= 5 and np.diff(crossings).min() >= 0.015 * width, np.diff(crossings) / width


# ------------------------------------------------------- arrow-length note, key caption, frame
def _point_set(shape: str, n: int, width: float):
    """A drawn point set as Your data makes it: n points of a shape, smoothing width h."""
    from diffusion_core import pointsets as ps
    from dashboard import yourdata
    pts = yourdata.check(ps.SHAPES[shape](n))
    return yourdata.mixture(yourdata.entry(pts, width, "Shape"))


def _quivers(fig):
    return [c for c in fig.axes[0].collections if type(c).__name__ == "Quiver"]


def _note_count(pattern, notes):
    got = re.search(pattern, notes)
    return int(got.group(1)) if got else 0


# the page's default state after drawing ~150 points with h = 1 (clipped arrows that are then
# shortened to their data point), a thin point set, another shape at a later t, and a preset
NOTE_STATES = {"spiral h=1, t=0": (("spiral", 150, 1.0), 0.0, "fixed"),
               "swiss roll h=0.1, t=0": (("swiss roll", 150, 0.1), 0.0, "fitted"),
               "heart h=0.3, t=0.2": (("heart", 152, 0.3), 0.2, "fixed"),
               "tutorial, t=0": ("tutorial", 0.0, "fixed")}


@pytest.mark.parametrize("state", NOTE_STATES, ids=list(NOTE_STATES))
def test_length_note_counts_disjoint_arrows(state):
    """A point set with h = 1 at t = 0 read "108 longest arrows clipped to the length of |s| = 3.31"
    and "198 arrows drawn only as long as the way to the data point they point at" beside 200
    arrows: clipped arrows that were then shortened to their data point were counted twice. The
    note's counts are now disjoint, and each is read off the drawn arrows: those shorter than
    both their |score| and the clipping length allow (ended at their data point), of which how many
    had a |score| past the clipping length, and the others drawn at the clipping length."""
    from dashboard import score_field as sf
    mix, t, scale = NOTE_STATES[state]
    gmm = dc.PRESETS[mix] if isinstance(mix, str) else _point_set(*mix)
    sde = dc.VESDE(25.0)
    fig = sf.score_figure(gmm, sde, t, "samples", 200, 2021, "total", "proportional", scale)
    notes = " ".join(x.get_text() for x in fig.texts)
    q, = _quivers(fig)
    drawn = np.hypot(q.U, q.V)
    f = sf.score_field(gmm, sde, t, "samples", 200, 2021)
    k = sf.drawn_arrows(gmm, sde, t, "samples", 200, 2021, "total", "proportional", scale)["k"]
    cap = k * sf.key_magnitude(gmm, sde, t, "samples", 200, 2021, scale) * sfig.CLIP_ARROWS / sfig.REF_ARROWS
    full = k * np.linalg.norm(f["total"], axis=1)                  # the length |score| asks for
    ended = drawn < np.minimum(full, cap) * (1 - 1e-9)             # stopped short: at the data point
    at_cap = np.isclose(drawn, cap, rtol=1e-9) & ~ended
    reached = (_note_count(r"(\d+) arrows? drawn only as long as the way to the data point", notes)
               or _note_count(r"here ([\d,]+) of [\d,]+ arrows are capped", notes.replace(",", "")))
    both = _note_count(r"\(of these, (\d+) ha(?:s|ve) \|s\| over the clipping length", notes)
    clipped = _note_count(r"(\d+) (?:longest|other) arrows? clipped to the length", notes)
    assert reached == int(ended.sum()), notes
    assert both == int((ended & (full > cap)).sum()), notes
    assert clipped == int(at_cap.sum()), notes
    assert reached + clipped <= len(drawn), notes
    if isinstance(mix, str):
        assert not reached and "other" not in notes
    else:
        assert reached


PLAIN_STATES = {**NOTE_STATES, "spiral h=0.1, t=0": (("spiral", 150, 0.1), 0.0, "fixed")}


@pytest.mark.parametrize("state", PLAIN_STATES, ids=list(PLAIN_STATES))
def test_length_note_names_the_clipping_length_plainly(state):
    """A drawn triangle with h = 0.1 read "(of these, 9 have |s| over the clipping length, 194)": the
    number hung after a comma. The note now says "arrows are clipped at |s| = 194" where it gives the
    clipping length on that line, the |s| the drawn arrows are clipped at (key_magnitude's scale)."""
    from dashboard import score_field as sf
    mix, t, scale = PLAIN_STATES[state]
    gmm = dc.PRESETS[mix] if isinstance(mix, str) else _point_set(*mix)
    sde = dc.VESDE(25.0)
    fig = sf.score_figure(gmm, sde, t, "samples", 200, 2021, "total", "proportional", scale)
    notes = " ".join(x.get_text() for x in fig.texts)
    clip_at = sf.key_magnitude(gmm, sde, t, "samples", 200, 2021, scale) * sfig.CLIP_ARROWS / sfig.REF_ARROWS
    assert not re.search(r"clipping length, [\d.]", notes), notes
    both = _note_count(r"\(of these, (\d+) ha(?:s|ve) \|s\| over the clipping length", notes)
    other = _note_count(r"(\d+) other arrows? clipped to the length", notes)
    if both and not other:
        verb = "has" if both == 1 else "have"
        assert (f"(of these, {both} {verb} |s| over the clipping length; arrows are clipped at "
                f"|s| = {clip_at:.3g})") in notes, notes
    elif both:
        assert f"(of these, {both} {'has' if both == 1 else 'have'} |s| over the clipping length)" in notes
        assert f"clipped to the length of |s| = {clip_at:.3g}" in notes
    if not isinstance(mix, str) and t == 0:
        assert both


def _metric_norms(f, view):
    v = f["comp_scores"][sfig.drawn_modes(len(f["comp_scores"]), f["resp"])] if view == "modes" else f["total"]
    return np.linalg.norm(v, axis=-1).ravel()


def _key_length(fig):
    ax = _agg(fig).axes[0]
    qk = [a for a in ax.get_children() if type(a).__name__ == "QuiverKey"][0]
    return _data_units(ax, qk)


KEY_MIXTURES = {"tutorial": lambda: dc.PRESETS["tutorial"], "ring8": lambda: dc.PRESETS["ring8"],
                "points h=1": lambda: _point_set("spiral", 150, 1.0),
                "points h=0.1": lambda: _point_set("swiss roll", 150, 0.1),
                "custom": lambda: NARROW}
METRIC = {"total": "median |score|", "modes": "median |mode score|", "weighted": "median |total score|"}
WORDS = {"total": "arrows", "modes": "mode arrows", "weighted": "black total-score arrows"}


@pytest.mark.parametrize("name", KEY_MIXTURES)
def test_key_caption_reads_plainly_in_every_state(name):
    """The key caption read "Key arrow: |score| = 3.31, the clipping length: the median |score| at
    t = 0, 3.66, is longer than the longest arrow drawn" (a point set, h = 1). Where the key is the
    clipping length it now says so and that no arrow is drawn longer (checked on the figure: no
    drawn arrow is longer than its key arrow), gives the median above it, and counts the vectors
    longer than the key; elsewhere it names the median it shows. Every view, both scales, t = 0
    and t = 1, presets, a custom mixture and point sets with a large and a small h."""
    from dashboard import score_field as sf
    gmm, sde, clipped_seen = KEY_MIXTURES[name](), dc.VESDE(25.0), 0
    for view in VIEWS:
        for scale in sfig.SCALES:
            for t in (0.0, 1.0):
                cap = sf.key_caption(gmm, sde, t, "samples", 200, 2021, scale, view)
                f0 = sf.score_field(gmm, sde, 0.0 if scale == "fixed" else t, "samples", 200, 2021)
                norms = _metric_norms(f0, view)
                median, key = float(np.median(norms)), sf.key_arrow(gmm, sde, t, "samples", 200, 2021, scale, view)
                where = "at t = 0" if scale == "fixed" else "of this picture"
                assert cap.startswith(f"Key arrow: |score| = {key:.3g}, "), cap
                assert "is longer than the longest arrow drawn" not in cap and ": the " not in cap
                if np.isclose(key, median, rtol=1e-12):
                    assert f"the {METRIC[view]} {where} (the metric's value there). " in cap, cap
                    assert "clipping length" not in cap
                    continue
                clipped_seen += 1
                assert key < median
                longer = int((norms > key).sum())
                assert longer >= norms.size / 2
                there = "there" if scale == "fixed" and t != 0 else "drawn"
                size = METRIC[view].removeprefix("median ")
                assert (f"|score| = {key:.3g}, the clipping length: no arrow is drawn longer. The "
                        f"{METRIC[view]} {where} ({median:.3g}) is above it: {longer:,} of the "
                        f"{norms.size:,} {WORDS[view]} {there} have a longer {size}. ") in cap, cap
                fig = sf.score_figure(gmm, sde, t, "samples", 200, 2021, view, "proportional", scale)
                longest = max(float(np.hypot(q.U, q.V).max()) for q in _quivers(fig))
                assert longest <= _key_length(fig) * 1.02, (view, scale, t, cap)
    if name.startswith("points"):
        assert clipped_seen, "the point sets reach the clipped key"


FRAME_STATES = {"tutorial t=0.6": ("tutorial", 0.6, 200), "ring8 t=1, 1,000 samples": ("ring8", 1.0, 1000),
                "custom t=0.5": ("custom", 0.5, 500), "points t=1": ("points", 1.0, 1000)}


@pytest.mark.parametrize("state", FRAME_STATES, ids=list(FRAME_STATES))
def test_frame_holds_every_sample_with_room(state):
    """Tutorial, t = 0.60: a sample at (3.6, 11.79) under the frame's top at 11.84 was drawn
    half cut, its arrow's tail with it. Every sample drawn lies at least 1.5 % of the plot's width
    inside the frame, in every view (the others are not drawn: see the next test)."""
    from dashboard import score_field as sf
    name, t, n = FRAME_STATES[state]
    gmm = {"custom": NARROW, "points": _point_set("spiral", 150, 1.0)}.get(name) or dc.PRESETS.get(name)
    for view in VIEWS:
        fig = sf.score_figure(gmm, dc.VESDE(25.0), t, "samples", n, 2021, view, "proportional", "fixed")
        ax = fig.axes[0]
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        room = 0.015 * (x1 - x0)
        out = sf.score_field(gmm, dc.VESDE(25.0), t, "samples", n, 2021)["outside"]
        for q in _quivers(fig):
            assert len(q.X) == n - out        # the samples outside the view are not drawn
            assert (q.X >= x0 + room).all() and (q.X <= x1 - room).all(), (view, q.X.min(), q.X.max(), x0, x1)
            assert (q.Y >= y0 + room).all() and (q.Y <= y1 - room).all(), (view, q.Y.min(), q.Y.max(), y0, y1)


OUT_STATES = {"tutorial t=1": ("tutorial", 1.0, 200), "ring8 t=1": ("ring8", 1.0, 1000),
              "ring8 t=1, λ=0.1": ("ring8", 1.0, 200, 0.1), "custom t=0.5": ("custom", 0.5, 500),
              "tutorial t=0": ("tutorial", 0.0, 200)}


@pytest.mark.parametrize("state", OUT_STATES, ids=list(OUT_STATES))
def test_samples_outside_the_view_are_not_drawn_and_counted(state):
    """Tutorial and ring8 at t = 1: the frame was widened to hold the farthest samples, which sat
    on its border. The view is pₜ's modes to 3 std with a margin, whatever the samples: a sample
    outside it is not drawn (no dot on the frame), and the caption counts them, read off the
    samples of pₜ drawn with the page's seed."""
    import torch
    from dashboard import score_field as sf
    from dashboard.figures.common import auto_limits
    name, t, n, lam = (OUT_STATES[state] + (25.0,))[:4]
    gmm = {"custom": NARROW}.get(name) or dc.PRESETS[name]
    sde = dc.VESDE(lam)
    gmm_t = gmm.diffuse(sde, t)
    xlim, ylim = auto_limits(gmm_t, margin=sfig.MARGIN)
    pts = gmm_t.sample(n, generator=torch.Generator().manual_seed(2021), dtype=torch.float64)[0].numpy()
    room = sfig.EDGE * (xlim[1] - xlim[0])
    inside = ((pts[:, 0] >= xlim[0] + room) & (pts[:, 0] <= xlim[1] - room)
              & (pts[:, 1] >= ylim[0] + room) & (pts[:, 1] <= ylim[1] - room))
    out = int((~inside).sum())
    f = sf.score_field(gmm, sde, t, "samples", n, 2021)
    assert f["outside"] == out and len(f["pts"]) == n - out
    for view in VIEWS:
        fig = sf.score_figure(gmm, sde, t, "samples", n, 2021, view, "proportional", "fixed")
        ax = fig.axes[0]
        assert [*ax.get_xlim(), *ax.get_ylim()] == pytest.approx([*xlim, *ylim])
        dots = [c for c in ax.collections if type(c).__name__ == "PathCollection"]
        assert len(dots) == 1 and len(dots[0].get_offsets()) == n - out
    note = sf.outside_note(gmm, sde, t, "samples", n, 2021)
    if out:
        verb = "lies" if out == 1 else "lie"
        assert note.startswith(f"{out:,} of the {n:,} samples of pₜ {verb} outside this view"), note
        assert f"those of the {n - out:,} drawn" in note
    else:
        assert note == ""
    if name == "tutorial" and t == 1.0:
        assert out                                  # the state the lesson met
        at = open_page(PAGE, 120, w_score_t=t)
        ok(at)
        assert note in [c.value for c in at.caption]
    assert sf.outside_note(gmm, sde, t, "grid", 20, 2021) == ""


def test_page_key_caption_for_a_point_set_at_h_1():
    """Through the page: ~150 drawn points with h = 1 at t = 0 (the key is the clipping length)
    show the plain key caption, with the median the metric shows above the key."""
    from diffusion_core import pointsets as ps
    from dashboard import score_field as sf, yourdata
    pts = yourdata.check(ps.SHAPES["spiral"](150))
    e = yourdata.entry(pts, 1.0, "Shape")
    at = open_page(PAGE, 300, w_mixture=yourdata.NAME, **{yourdata.KEY: e})
    ok(at)
    cap = _key_caption(at)
    assert cap == sf.key_caption(yourdata.mixture(e), dc.VESDE(25.0), 0.0, "samples", 200, 2021, "fixed")
    assert "the clipping length: no arrow is drawn longer. The median |score| at t = 0 " \
           f"({at.metric[1].value}) is above it: " in cap, cap


CAPPED_STATES = {"heart h=0.1 × nn, t=0": ("heart", 0.0), "heart h=0.1 × nn, t=0.5": ("heart", 0.5),
                 "spiral h=1, t=0": (("spiral", 150, 1.0), 0.0), "ring8, t=0": ("ring8", 0.0),
                 "tutorial, t=0": ("tutorial", 0.0)}


@pytest.mark.parametrize("state", CAPPED_STATES, ids=list(CAPPED_STATES))
def test_key_and_note_say_when_most_arrows_are_capped_at_their_data_point(state):
    """Your data (heart, 100 points, h = 0.10), t = 0: the key read "|s| = 46.1" beside "arrow
    length ∝ |score|, one scale for every t" while nearly every arrow ended at its data point,
    far shorter than that scale. Where more than half the arrows are capped there, the note's
    first line and the key caption say so with the count read off the drawn arrows; else neither does."""
    from diffusion_core import pointsets as ps
    from dashboard import score_field as sf, yourdata
    mix, t = CAPPED_STATES[state]
    if mix == "heart":
        pts = yourdata.check(ps.heart(100))
        gmm = yourdata.mixture(yourdata.entry(pts, yourdata.width_of(pts, 0.1), "heart"))
    else:
        gmm = dc.PRESETS[mix] if isinstance(mix, str) else _point_set(*mix)
    sde, args = dc.VESDE(25.0), ("samples", 200, 2021)
    a = sf.drawn_arrows(gmm, sde, t, *args, "total", "proportional", "fixed")
    drawn = a["seen"].shape[1]
    notes = " ".join(x.get_text() for x in sf.score_figure(gmm, sde, t, *args, "total", "proportional",
                                                          "fixed").texts).replace("\n", " ")
    cap = sf.key_caption(gmm, sde, t, *args, "fixed", "total")
    words = f"capped at the distance to the nearest data point (here {a['reached']:,} of {drawn:,} arrows are capped)"
    most = a["reached"] > drawn / 2
    assert (words in notes) == most and (words in cap) == most, (notes, cap)
    assert ("capped at the distance" in notes + cap) == most
    if state == "heart h=0.1 × nn, t=0":
        assert most and cap.startswith("Key arrow: |score| = 46.1"), cap


# three modes, one long along 45° (std 0.3 along, 0.003 across) between two round narrow ones
LONG = dc.GaussianMixture([[3.0, 3.0], [-3.0, 0.0], [0.0, -4.0]],
                          [[[4e-4, 0.0], [0.0, 4e-4]], [[0.04505, 0.04495], [0.04495, 0.04505]],
                           [[4e-4, 0.0], [0.0, 4e-4]]], [0.9, 0.08, 0.02])


@pytest.mark.parametrize("gmm, t, lam", [(LONG, 1.0, 25.0), (LONG, 0.0, 25.0), (LONG, 0.5, 2.0),
                                         ("tutorial", 0.0, 25.0), ("ring8", 1.0, 25.0)])
def test_per_mode_caption_bends_only_where_a_mode_of_p_t_is_elongated(gmm, t, lam):
    """Per mode at t = 1, λ = 25 the caption said an elongated mode's score bends towards its long
    axis, while σₜ = 9.85 had blurred every mode round: the bend is said only where some mode of pₜ
    (covariance Σₖ + σₜ² I) has principal stds that print apart (vocabulary.elongated)."""
    from dashboard import vocabulary
    custom = not isinstance(gmm, str)
    at = app_test(120)
    for k, v in {K + "view": "modes", K + "t": t, K + "lam": lam,
                 **({"custom_mixture": gmm.to_dict()} if custom else {"w_mixture": gmm})}.items():
        at.session_state[k] = v
    at.run()
    at.switch_page(PAGE).run()
    if custom:
        choose_mixture(at, "custom")
    else:
        gmm = dc.PRESETS[gmm]
    ok(at)
    cap = next(c.value for c in at.caption if c.value.startswith("Each mode's score, as if it were alone"))
    covs = gmm.diffuse(dc.VESDE(lam), t).covs.double()
    long = any(vocabulary.elongated(np.sqrt(np.linalg.eigvalsh(c.numpy()))) for c in covs)
    assert ("bends towards the mode's long axis" in cap) == long, cap
    assert ("every mode of pₜ is round" in cap) == (not long), cap
    if gmm is LONG:         # σₜ = 9.85 at t = 1, λ = 25 blurs every mode round; at t = 0.5, λ = 2 not yet
        assert long == (t < 1.0), (t, cap)


@pytest.mark.parametrize("fixed, clipped, reached, both", [(True, 0, 0, 0), (True, 35, 0, 0), (False, 3, 12, 2),
                                                          (None, 0, 0, 0)])
def test_length_note_lines_fit_under_the_plot(fixed, clipped, reached, both):
    """Your data, per-mode view, t = 0.5: "most arrows are shorter than their heads: |score| is small against
    the key arrow's 6.74e+03" ran past the figure's right edge ("6.74e+"). Every line of the note fits the
    figure's width at its font size (about 85 characters from the plot's left edge)."""
    note = sfig._length_note(0.0123, clipped=clipped, fixed=fixed, tiny=True, clip_at=6740.0 * 1.6, key=6740.0,
                             reached=reached, both=both, drawn=100)
    assert max(len(line) for line in note.split("\n")) <= 85, note
