"""Mixture tables: covariance forms against closed forms, round trips, and every validation rule."""
import json
import math

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings, strategies as st

import diffusion_core as dc
from dashboard import mixture_table as ed

PRESETS_2D = [n for n, g in dc.PRESETS.items() if g.dim == 2]


def row(mode="std_angle", **kw):
    r = ed.blank_row(mode)
    r.update({k.replace("_deg", " (°)").replace("_", " ") if mode == "std_angle" else k: v
              for k, v in kw.items()})
    return r


# ------------------------------------------------------------------------------ covariance forms
def test_cov_from_std_angle_closed_forms():
    assert torch.allclose(ed.cov_from_std_angle(2, 1, 0), torch.tensor([[4.0, 0], [0, 1]], dtype=torch.float64))
    assert torch.allclose(ed.cov_from_std_angle(2, 1, 90), torch.tensor([[1.0, 0], [0, 4]], dtype=torch.float64),
                          atol=1e-12)
    # rotating diag(4, 1) by 45 degrees: (4 + 1)/2 on the diagonal, (4 - 1)/2 off it
    assert torch.allclose(ed.cov_from_std_angle(2, 1, 45), torch.tensor([[2.5, 1.5], [1.5, 2.5]], dtype=torch.float64))
    assert torch.allclose(ed.cov_from_std_angle(2, 1, -45), torch.tensor([[2.5, -1.5], [-1.5, 2.5]], dtype=torch.float64))


@settings(max_examples=200, deadline=None)
@given(s1=st.floats(0.01, 20), ratio=st.floats(0.05, 0.999), angle=st.floats(-89.9, 90))
def test_std_angle_round_trip(s1, ratio, angle):
    s2 = s1 * ratio
    cov = ed.cov_from_std_angle(s1, s2, angle)
    # independent check: eigenvalues are the variances, the top eigenvector points at `angle`
    ev = torch.linalg.eigvalsh(cov)
    assert np.allclose(ev.tolist(), [s2 * s2, s1 * s1], rtol=1e-8)
    r1, r2, a = ed.std_angle_from_cov(cov)
    assert math.isclose(r1, s1, rel_tol=1e-7) and math.isclose(r2, s2, rel_tol=1e-7)
    if ratio < 0.99:                      # the direction is well defined
        d = (a - angle + 90) % 180 - 90   # angles are directions: equal modulo 180
        assert abs(d) < 1e-4
        assert -90 < a <= 90


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=4, max_size=4))
def test_cov_round_trip_from_any_spd(v):
    a = torch.tensor(v, dtype=torch.float64).reshape(2, 2)
    cov = a @ a.T + 0.05 * torch.eye(2, dtype=torch.float64)
    back = ed.cov_from_std_angle(*ed.std_angle_from_cov(cov))
    assert torch.allclose(back, cov, rtol=1e-9, atol=1e-9)


def test_round_component_has_angle_zero():
    assert ed.std_angle_from_cov(torch.eye(2) * 4) == (2.0, 2.0, 0.0)


def test_std_angle_from_cov_rejects_non_positive_definite():
    with pytest.raises(ValueError, match="positive definite"):
        ed.std_angle_from_cov([[1.0, 1.0], [1.0, 1.0]])


# ------------------------------------------------------------------------------ tables
@pytest.mark.parametrize("mode", ed.MODES)
@pytest.mark.parametrize("name", PRESETS_2D)
def test_rows_round_trip_every_preset(name, mode):
    g = dc.PRESETS[name]
    rows = ed.rows_from_mixture(g, mode, digits=None)
    assert [list(r) for r in rows] == [list(ed.COLUMNS[mode])] * g.n_components
    back, errors = ed.mixture_from_rows(rows, mode)
    assert errors == []
    x = torch.randn(200, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64) * 4
    assert torch.allclose(back.log_prob(x), g.log_prob(x), atol=1e-8)


def test_rounded_rows_stay_close():
    g = dc.PRESETS["tutorial"]
    back, _ = ed.mixture_from_rows(ed.rows_from_mixture(g), "std_angle")
    x = torch.randn(200, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    assert torch.allclose(back.log_prob(x), g.log_prob(x), atol=1e-4)


def test_tutorial_rows_match_the_tutorial():
    rows = ed.rows_from_mixture(dc.PRESETS["tutorial"], "raw")
    assert rows[1] == {"mean x": 2.0, "mean y": -1.0, "var x": 2.0, "cov xy": 0.5, "var y": 1.0, "weight": 0.5}
    std = ed.rows_from_mixture(dc.PRESETS["tutorial"], "std_angle")[1]
    # eigenvalues of [[2, .5], [.5, 1]]: 1.5 +- sqrt(0.5); direction of the larger: tan(2a) = 1
    assert math.isclose(std["std 1"] ** 2, 1.5 + math.sqrt(0.5), rel_tol=1e-5)
    assert math.isclose(std["angle (°)"], 22.5, abs_tol=1e-4)


def test_dataframe_input_and_weights_normalized():
    df = pd.DataFrame([row(mean_x=-1, weight=3), row(mean_x=1, weight=1)])
    g, errors = ed.mixture_from_rows(df, "std_angle")
    assert errors == [] and g.weights.tolist() == [0.75, 0.25]


BAD = [
    # (mode, row index to change, field, value, expected message)
    ("std_angle", 1, "std 1", -1.0, "row 2, std 1: must be > 0"),
    ("std_angle", 1, "std 1", 0.0, "row 2, std 1: must be > 0"),
    ("std_angle", 0, "std 2", 0.001, "row 1, std 2: must be between 0.01 and 20"),
    ("std_angle", 0, "std 2", 25.0, "row 1, std 2: must be between 0.01 and 20"),
    ("std_angle", 2, "weight", -0.5, "row 3, weight: must be >= 0"),
    ("std_angle", 2, "weight", 1e9, "row 3, weight: must be <= 1e+06"),
    ("std_angle", 0, "mean x", 51.0, "row 1, mean x: must be between -50 and 50"),
    ("std_angle", 0, "mean y", -50.5, "row 1, mean y: must be between -50 and 50"),
    ("std_angle", 1, "mean y", float("nan"), "row 2, mean y: is empty: enter a number"),
    ("std_angle", 1, "mean y", None, "row 2, mean y: is empty: enter a number"),
    ("std_angle", 1, "angle (°)", "", "row 2, angle (°): is empty: enter a number"),
    ("std_angle", 1, "angle (°)", "abc", "row 2, angle (°): must be a number; got 'abc'"),
    ("std_angle", 1, "angle (°)", float("inf"), "row 2, angle (°): must be a finite number"),
    ("std_angle", 1, "angle (°)", 400.0, "row 2, angle (°): must be between -360 and 360"),
    ("raw", 0, "var x", 0.0, "row 1, var x: must be > 0 (it is a variance)"),
    ("raw", 1, "var y", 500.0, "row 2, var y: must be between 0.0001 and 400 (a std between 0.01 and 20)"),
    ("raw", 2, "cov xy", 1.0, "row 3, cov xy: must satisfy cov xy² < var x·var y, here |cov xy| < 1 "
                            "(a covariance is positive definite)"),
    ("raw", 2, "cov xy", 0.99999, "row 3, cov xy: makes the component too thin"),
]


@pytest.mark.parametrize("mode,i,field,value,message", BAD)
def test_each_rule_names_row_and_field(mode, i, field, value, message):
    rows = [ed.blank_row(mode) for _ in range(3)]
    rows[i][field] = value
    g, errors = ed.mixture_from_rows(rows, mode)
    assert g is None
    assert len(errors) == 1 and errors[0].startswith(message), errors


def test_all_weights_zero():
    rows = [ed.blank_row("std_angle") | {"weight": 0.0} for _ in range(2)]
    assert ed.mixture_from_rows(rows, "std_angle") == (None, ["weights: at least one must be > 0"])


def test_every_problem_is_listed_at_once():
    rows = [ed.blank_row("std_angle") for _ in range(3)]
    rows[0]["std 1"] = -2
    rows[1]["weight"] = -1
    rows[2]["mean x"] = None
    g, errors = ed.mixture_from_rows(rows, "std_angle")
    assert g is None and len(errors) == 3
    assert [e.split(",")[0] for e in errors] == ["row 1", "row 2", "row 3"]


def test_table_size_limits():
    assert ed.mixture_from_rows([], "raw")[1] == ["table: is empty; add at least one component (row)"]
    g, errors = ed.mixture_from_rows([ed.blank_row("raw")] * 13, "raw")
    assert g is None and errors[0].startswith("table: at most 12 components; got 13")
    g, errors = ed.mixture_from_rows([ed.blank_row("raw")] * 12, "raw")
    assert errors == [] and g.n_components == 12


def test_missing_columns_and_bad_mode():
    g, errors = ed.mixture_from_rows([{"mean x": 0}], "std_angle")
    assert g is None and "row 1, mean y: is empty: enter a number" in errors
    with pytest.raises(ValueError, match="mode must be one of"):
        ed.mixture_from_rows([], "polar")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.fixed_dictionaries({c: st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                                                    st.text(max_size=4), st.integers(-100, 100))
                                       for c in ed.COLUMNS["std_angle"]}), max_size=14))
def test_never_raises_and_valid_means_finite(rows):
    g, errors = ed.mixture_from_rows(rows, "std_angle")
    assert (g is None) == bool(errors)
    if g is not None:
        x = torch.zeros(1, 2, dtype=torch.float64)
        assert torch.isfinite(g.log_prob(x)).all() and torch.isfinite(g.score(x)).all()


# ------------------------------------------------------------------------------ table edits
def test_apply_table_edits():
    cols = ed.COLUMNS["raw"]
    rows = ed.rows_from_mixture(dc.PRESETS["grid 3x3"], "raw")[:3]
    out = ed.apply_table_edits(rows, {"edited_rows": {1: {"var x": 2.0}}, "deleted_rows": [0],
                                      "added_rows": [{"mean x": 5.0}]}, cols)
    assert len(out) == 3
    assert out[0]["var x"] == 2.0 and out[0]["mean y"] == rows[1]["mean y"]
    assert out[2] == {"mean x": 5.0, "mean y": None, "var x": None, "cov xy": None, "var y": None, "weight": None}
    assert ed.apply_table_edits(rows, None, cols) == rows


@pytest.mark.parametrize("cell, kept, rule", [
    (2.5, 2.5, None), (-3, -3.0, None), ("1.5", 1.5, None), (" 7 ", 7.0, None), (10 ** 30, 1e30, None),
    (None, None, None), ("", None, None), (float("nan"), None, None),
    (True, None, "must be a number"), (False, None, "must be a number"),
    ("abc", None, "must be a number; got 'abc'"), ([1, 2], None, "must be a number"),
    ({"a": 1}, None, "must be a number"), (float("inf"), None, "must be a finite number"),
    (-float("inf"), None, "must be a finite number"), (10 ** 400, None, "too large"),
])
def test_table_rows_keep_numbers_and_empty_the_rest_with_a_message(cell, kept, rule):
    """What a number column of the table can hold: a finite float or an empty cell."""
    cols = ed.COLUMNS["std_angle"]
    rows, notes = ed.table_rows([{**ed.blank_row("std_angle"), "std 1": cell, "extra": True}], cols)
    assert list(rows[0]) == list(cols) and rows[0]["std 1"] == kept
    assert all(v is None or type(v) is float for v in rows[0].values())
    if rule is None:
        assert notes == []
    else:
        assert len(notes) == 1 and notes[0].startswith("row 1, std 1: ") and rule in notes[0]
        assert notes[0].endswith("(emptied)")


def test_table_frame_is_float_whatever_the_rows_hold():
    cols = ed.COLUMNS["raw"]
    frame, notes = ed.table_frame([{"mean x": True, "var x": "abc"}, {"mean x": False}, 7], cols)
    assert list(frame.columns) == list(cols) and list(frame.index) == [1, 2, 3]
    assert all(str(t) == "float64" for t in frame.dtypes)
    assert notes == ["row 1, mean x: must be a number (emptied)",
                     "row 1, var x: must be a number; got 'abc' (emptied)",
                     "row 2, mean x: must be a number (emptied)",
                     "row 3: must be a row of named values; got '7' (emptied)"]
    assert ed.table_rows("not a table", cols) == ([], ["table: was not a list of rows; it was emptied"])


# ------------------------------------------------------------------------------ JSON
@pytest.mark.parametrize("name", PRESETS_2D)
def test_json_round_trip(name):
    g = dc.PRESETS[name]
    back, errors = ed.mixture_from_json(ed.mixture_to_json(g).encode())
    assert errors == [] and back == g


@pytest.mark.parametrize("data,message", [
    (b"{not json", "file: is not valid JSON"),
    (b"\xff\xfe", "file: must be UTF-8 text"),
    (b"[1, 2]", 'file: must be a JSON object with "means", "covs" and "weights" lists'),
    (json.dumps({"means": [[0, 0]], "covs": [[[1, 0], [0, 1]]]}).encode(), "file: must be a JSON object"),
    (json.dumps({"means": [[0, 0]], "covs": [[[1, 0], [0, 1]]], "weights": [1, 2]}).encode(),
     "file: needs one mean, one covariance and one weight per component"),
    (json.dumps({"means": [[0, 0, 0]], "covs": [[[1, 0], [0, 1]]], "weights": [1]}).encode(),
     "component 1, mean: must be a list [x, y]"),
    (json.dumps({"means": [[0, 0]], "covs": [[[1, 0.2], [0.3, 1]]], "weights": [1]}).encode(),
     "component 1, covariance: must be symmetric"),
    (json.dumps({"means": [[0, 0]], "covs": [[[1, 0], [0, -1]]], "weights": [1]}).encode(),
     "component 1, var y: must be > 0"),
    (json.dumps({"means": [[0, "x"]], "covs": [[[1, 0], [0, 1]]], "weights": [1]}).encode(),
     "component 1, mean y: must be a number"),
    (json.dumps({"means": [[0, 0]] * 13, "covs": [[[1, 0], [0, 1]]] * 13, "weights": [1] * 13}).encode(),
     "file: at most 12 components; got 13"),
    (b" " * (ed.MAX_JSON_BYTES + 1), "file: must be at most 1 MB"),
    ("[" * 2_000_000, "file: must be at most 1 MB"),
    ("[" * 100_000, "file: is not valid JSON (too deeply nested)"),
    ("[" * 5000 + "]" * 5000, "file: is not valid JSON (too deeply nested)"),
])
def test_bad_files_get_a_message(data, message):
    g, errors = ed.mixture_from_json(data)
    assert g is None and errors and errors[0].startswith(message), errors


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300),
                 st.recursive(st.one_of(st.none(), st.floats(), st.integers(), st.text(max_size=3)),
                              lambda c: st.lists(c, max_size=3) | st.dictionaries(
                                  st.sampled_from(["means", "covs", "weights", "x"]), c, max_size=4),
                              max_leaves=20).map(json.dumps)))
def test_json_never_raises(data):
    g, errors = ed.mixture_from_json(data)
    assert (g is None) == bool(errors)


# ------------------------------------------------------------------------------ preview figure
def test_mixture_preview_figure():
    from matplotlib.figure import Figure
    from matplotlib.patches import Ellipse

    from dashboard.figures import lab as lfig
    g = dc.PRESETS["cross"]
    x, _ = g.sample(100, torch.Generator().manual_seed(0))
    fig = lfig.mixture_preview(g, x)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_aspect() == 1.0 and ax.get_xlabel() and ax.get_ylabel()
    ells = [p for p in ax.patches if isinstance(p, Ellipse)]
    assert len(ells) == 2 * g.n_components                   # 1 and 2 std per component
    # the 1-std ellipse of component 1 has the component's principal stds and angle
    s1, s2, ang = ed.std_angle_from_cov(g.covs[0])
    e = ells[0]
    assert e.width == pytest.approx(2 * s1) and e.height == pytest.approx(2 * s2)
    assert e.angle == pytest.approx(ang)
    assert [t.get_text() for t in ax.texts] == ["1", "2"]


@pytest.mark.parametrize("corner", [(3.0, 3.0), (-3.0, 3.0), (3.0, -3.0)])
def test_mixture_preview_legend_lies_outside_the_data(corner):
    """A heavy narrow mode in the frame's top-right corner ((3, 3), weight 0.9, std 0.02) lay under
    the "samples" legend, so its 540 dots could not be seen: the legend sits under the axes, off
    every corner a mode can take."""
    from dashboard import editor
    g = dc.GaussianMixture([list(corner), [-3.0, 0.0], [0.0, -4.0]], [[[4e-4, 0.0], [0.0, 4e-4]]] * 3,
                           [0.9, 0.08, 0.02])
    fig = editor.preview_figure(g, 2021, "t")
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    assert legend.y1 <= ax.get_window_extent().y0, (legend, ax.get_window_extent())


@pytest.mark.parametrize("corner", [(3.0, 3.0), (-3.0, 3.0), (3.0, -3.0)])
def test_mixture_preview_leaves_room_around_a_corner_mode(corner):
    """The heavy narrow mode at (3, 3) sat 0.34 (2 % of the width) under the frame's top, its dots on the
    edge: every mode's mean ± 3 std lies at least 6 % of the width inside the frame."""
    from dashboard import editor
    g = dc.GaussianMixture([list(corner), [-3.0, 0.0], [0.0, -4.0]], [[[4e-4, 0.0], [0.0, 4e-4]]] * 3,
                           [0.9, 0.08, 0.02])
    (x0, x1), (y0, y1) = editor.preview_limits(g, editor.preview_samples(g, 2021))
    room = 0.06 * (x1 - x0)
    for (mx, my), s in zip(g.means.tolist(), g.covs.diagonal(dim1=1, dim2=2).sqrt().tolist()):
        assert x0 + room <= mx - 3 * s[0] and mx + 3 * s[0] <= x1 - room, (corner, (x0, x1))
        assert y0 + room <= my - 3 * s[1] and my + 3 * s[1] <= y1 - room, (corner, (y0, y1))


def test_mixture_preview_with_many_components():
    """Above lab.MAX_NUMBERED components: one collection of 1-std ellipses, no numbers."""
    from matplotlib.collections import EllipseCollection
    from dashboard.figures import lab as lfig
    K = 300
    means = torch.tensor(np.random.default_rng(0).uniform(-3, 3, (K, 2)))
    g = dc.GaussianMixture(means, (0.01 * torch.eye(2, dtype=torch.float64)).expand(K, 2, 2))
    ax = lfig.mixture_preview(g).axes[0]
    assert sum(isinstance(c, EllipseCollection) for c in ax.collections) == 1
    assert not ax.texts and not ax.patches and "300 components" in ax.get_title()


@pytest.mark.parametrize("std", [0.05, 0.01])
def test_mixture_preview_shows_a_narrow_mode(std):
    """The tutorial with mode 1 narrowed to std 0.05 (and 0.01, the smallest the table allows):
    the drawn density at its mean reaches at least the broad mode's peak, the darkest filled
    contour covers its mean, and no number badge covers any mean."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from dashboard.figures import lab as lfig
    from dashboard.figures.common import auto_limits
    tut = dc.PRESETS["tutorial"]
    covs = tut.covs.clone()
    covs[0] = std ** 2 * torch.eye(2, dtype=torch.float64)
    g = dc.GaussianMixture(tut.means, covs, tut.weights)
    mu, broad = g.means[0].numpy(), g.means[1:2]
    broad_peak = float(g.component(1).log_prob(broad)[0] + math.log(0.5))
    xx, yy, logp = lfig.preview_density(g, *auto_limits(g), 120)
    near = (np.abs(xx - mu[0]) <= 2 * std + (xx[0, 1] - xx[0, 0])) & (np.abs(yy - mu[1]) <= 2 * std + (yy[1, 0] - yy[0, 0]))
    assert logp[near].max() >= broad_peak
    fig = lfig.mixture_preview(g, g.sample(600, torch.Generator().manual_seed(0))[0])
    ax = fig.axes[0]
    filled = ax.collections[0]                       # the density's filled contours
    top = [p for lev, p in zip(filled.levels, filled.get_paths()) if lev >= broad_peak and len(p.vertices)]
    assert any(p.contains_point(mu) for p in top)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    for m in g.means.numpy():
        at = ax.transData.transform(m)
        for t in ax.texts:
            assert not t.get_bbox_patch().get_window_extent(renderer).contains(*at), t.get_text()


@pytest.mark.parametrize("name", ["ring8", "tutorial", "grid 3x3"])
def test_mixture_preview_badges_stay_in_the_panel_off_every_mean(name):
    """Badges sit beside their 2-std ellipses: inside the panel (on the side that has room) and
    on no component's mean."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from dashboard.figures import lab as lfig
    g = dc.PRESETS[name]
    fig = lfig.mixture_preview(g)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    ax = fig.axes[0]
    frame = ax.get_window_extent(renderer)
    assert len(ax.texts) == g.n_components
    for t in ax.texts:
        box = t.get_bbox_patch().get_window_extent(renderer)
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, t.get_text()
        for m in g.means.numpy():
            assert not box.contains(*ax.transData.transform(m)), t.get_text()


def test_mixture_preview_samples_read_on_the_dark_contours():
    """The sample dots are light with a dark edge: they read on the darkest grey of the density
    (dark purple dots without an edge were barely visible there) and on the white around it."""
    from dashboard.figures import lab as lfig
    g = dc.PRESETS["tutorial"]
    x, _ = g.sample(50, torch.Generator().manual_seed(0))
    ax = lfig.mixture_preview(g, x).axes[0]
    dots = next(c for c in ax.collections if c.get_label() == "samples")
    luminance = lambda rgb: 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
    assert luminance(dots.get_facecolor()[0][:3]) > 0.6                 # light on the dark contours
    assert luminance(dots.get_edgecolor()[0][:3]) < 0.2                 # a dark edge on the white
    assert dots.get_linewidths()[0] > 0 and dots.get_alpha() >= 0.8
