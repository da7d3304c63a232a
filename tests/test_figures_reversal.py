"""Figure builders of the reversal page (figures.reversal) and the shared samples-vs-truth
builders (figures.samples): shapes, data, encodings, legends, degenerate input."""
import json

import altair as alt
import numpy as np
import pytest
import torch
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

import diffusion_core as dc
from diffusion_core import sweep
from dashboard.figures import reversal as rfig
from dashboard.figures import samples as samplefig
from dashboard.figures.common import auto_limits, density_grid, mode_colors

TUT = dc.PRESETS["tutorial"]
SDE = dc.VESDE(10.0)


@pytest.fixture(scope="module")
def run():
    res = dc.sample(dc.exact_score(TUT, SDE), SDE, 300, 40, generator=torch.Generator().manual_seed(0),
                    trajectory=True)
    labels = TUT.responsibilities(res.trajectory[-1].double()).argmax(1)
    return res, labels


def spec(chart) -> dict:
    with alt.data_transformers.disable_max_rows():
        return json.loads(json.dumps(chart.to_dict()))


def datasets(s):
    return list(s["datasets"].values())


# ----------------------------------------------------------------------------- helpers
@pytest.mark.parametrize("n,m", [(1, 5), (5, 5), (6, 5), (201, 36), (1001, 300), (3, 2)])
def test_frame_indices(n, m):
    idx = rfig.frame_indices(n, m)
    assert idx[0] == 0 and idx[-1] == n - 1
    assert len(idx) == min(n, m)
    assert (np.diff(idx) > 0).all()


def test_pt_ellipses_are_the_2std_contours_of_p_t():
    times = np.array([1.0, 0.5, 0.01])
    el = rfig.pt_ellipses(TUT, SDE, times, n_std=2.0, n_vertices=24)
    assert el.shape == (3, 2, 25, 2)
    np.testing.assert_allclose(el[:, :, 0], el[:, :, -1], atol=1e-12)       # closed
    for j, t in enumerate(times):
        pt = TUT.diffuse(SDE, float(t))
        for k in range(2):
            r = el[j, k] - pt.means[k].numpy()
            m2 = np.einsum("vi,ij,vj->v", r, np.linalg.inv(pt.covs[k].numpy()), r)
            np.testing.assert_allclose(m2, 4.0, rtol=1e-9)
    with pytest.raises(ValueError, match="2D"):
        rfig.pt_ellipses(dc.PRESETS["bimodal 1D"], SDE, [0.5])


def test_main_axis():
    u = rfig.main_axis(TUT)                  # means (0, 1) and (2, -1): along (1, -1)
    np.testing.assert_allclose(u, np.array([1, -1]) / np.sqrt(2), atol=1e-12)
    np.testing.assert_allclose(rfig.main_axis(TUT.component(0)), [1, 0])
    np.testing.assert_allclose(rfig.main_axis(dc.PRESETS["cross"]), [1, 0])    # equal means
    assert np.linalg.norm(rfig.main_axis(dc.PRESETS["ring8"])) == pytest.approx(1)


# ----------------------------------------------------------------------------- cloud
def test_cloud_chart(run):
    res, labels = run
    idx = rfig.frame_indices(len(res.times), 10)
    times = res.times[idx]
    names, colors = ["mode 1", "mode 2"], mode_colors(2)
    el = rfig.pt_ellipses(TUT, SDE, times)
    ch = rfig.cloud_chart(res.trajectory[idx, :50], times, labels[:50], names, colors,
                          SDE.sigma(times), el, (-4, 6), (-5, 5), size=300)
    s = spec(ch)
    assert len(s["layer"]) == 4              # ellipses, points, label, points outside the view
    p = s["params"][0]
    assert p["bind"]["input"] == "range" and p["bind"]["max"] == len(idx) - 1 and p["value"] == 0
    pts = next(d for d in datasets(s) if len(d) == 50)
    assert set(pts[0]) >= {f"x{j}" for j in range(len(idx))} | {"ends in"}
    assert pts[3]["x2"] == pytest.approx(float(res.trajectory[idx[2], 3, 0]), abs=1e-3)
    assert {r["ends in"] for r in pts} <= set(names)
    ell = next(d for d in datasets(s) if len(d) == 2 * el.shape[2])
    assert ell[0]["y1"] == pytest.approx(float(el[1, 0, 0, 1]), abs=1e-3)
    text = json.dumps(s, ensure_ascii=False)
    assert "σₜ" in text and '"domain": [-4.0, 6.0]' in text and colors[0] in text
    # the slider counts the shown frames, not the run's steps; the last frames' t (1e-4) is not "0.000"
    assert p["bind"]["name"].startswith("frame (t: 1 → 0)") and len(idx) < len(res.times)
    label = next(tr["calculate"] for lay in s["layer"] for tr in lay.get("transform", [])
                 if tr.get("as") == "label" and "σₜ" in tr.get("calculate", ""))
    assert "datum.t < 0.0005 ? format(datum.t, '.2~g')" in label, label
    # without ellipses and sigmas: points and label only
    s2 = spec(rfig.cloud_chart(res.trajectory[idx, :50], times, labels[:50], names))
    outside = bool((np.abs(res.trajectory[idx, :50].numpy()) > 5).any())   # the default view: ±5
    assert len(s2["layer"]) == 2 + outside and "σₜ" not in json.dumps(s2, ensure_ascii=False)


# ----------------------------------------------------------------------------- paths
def test_trajectories_figure(run):
    res, labels = run
    xlim, ylim = auto_limits(TUT)
    xx, yy, logp = density_grid(TUT, xlim, ylim, 40)
    fig = rfig.trajectories_figure(res.trajectory[:, :30], labels[:30], mode_colors(2), xx, yy, logp,
                                   xlim, ylim, max_vertices=20, title="paths")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    lc = [c for c in ax.collections if isinstance(c, LineCollection) and len(c.get_segments()) == 30]
    assert len(lc) == 1
    segs = lc[0].get_segments()
    assert all(len(sg) <= 20 for sg in segs)
    np.testing.assert_allclose(segs[4][-1], res.trajectory[-1, 4].numpy(), atol=1e-6)   # ends kept
    cols = lc[0].get_colors()
    from matplotlib.colors import to_rgba
    assert tuple(cols[0][:3]) == pytest.approx(to_rgba(mode_colors(2)[int(labels[0])])[:3])
    assert ax.get_aspect() == 1.0 and ax.get_xlabel() == "x₁" and ax.get_ylabel() == "x₂"
    assert ax.get_xlim() == pytest.approx(xlim)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    starts = res.trajectory[0, :30].numpy()
    out = int(((starts[:, 0] < xlim[0]) | (starts[:, 0] > xlim[1]) | (starts[:, 1] < ylim[0])
               | (starts[:, 1] > ylim[1])).sum())
    assert out > 0                       # σ₁ = 9.85: most starts lie outside the data's view
    assert "ends in mode 1" in texts and f"start (t = 1), {out} of 30 outside this view" in texts
    assert rfig.start_label(starts, (-100, 100), (-100, 100)) == "start (t = 1)"   # all in view
    # many modes: one legend entry for the colours instead of one per mode
    fig8 = rfig.trajectories_figure(res.trajectory[:, :5], labels[:5], mode_colors(8), t_end=0.1)
    texts8 = [t.get_text() for t in fig8.legends[0].get_texts()]
    assert texts8 == ["colour: the mode the path ends in (8 modes)", "start (t = 1)", "end (t = 0.10)"]
    # no density, no limits: still a figure with limits covering the paths
    fig2 = rfig.trajectories_figure(res.trajectory[:, :5], labels[:5], mode_colors(2))
    assert fig2.axes[0].get_xlim()[0] <= float(res.trajectory[:, :5, 0].min())


def test_end_label_gives_the_last_time():
    """The end points are named at the run's last grid time, not at t = 0."""
    assert rfig.end_label(0.1) == "end (t = 0.10)"
    assert rfig.end_label(0.5) == "end (t = 0.50)"
    assert rfig.end_label(1e-4) == "end (t = 0.0001)"


def test_paths_vs_time_figure(run):
    res, labels = run
    u = rfig.main_axis(TUT)
    fig = rfig.paths_vs_time_figure(res.trajectory[:, :25], res.times, labels[:25], mode_colors(2), u,
                                    marks={"median commitment": 0.3, "split": None}, max_vertices=15)
    ax = fig.axes[0]
    assert ax.get_xlim() == pytest.approx((1.0, 0.0))                  # reverse time left to right
    lc = next(c for c in ax.collections if isinstance(c, LineCollection))
    segs = lc.get_segments()
    assert len(segs) == 25 and all(len(sg) <= 15 for sg in segs)
    np.testing.assert_allclose(segs[7][-1], [float(res.times[-1]), float(res.trajectory[-1, 7].double() @ torch.tensor(u))],
                               atol=1e-5)
    vlines = [ln for ln in ax.get_lines() if ln.get_label() == "median commitment"]
    assert len(vlines) == 1 and vlines[0].get_xdata()[0] == 0.3
    assert not [ln for ln in ax.get_lines() if ln.get_label() == "split"]
    assert "x · u" in ax.get_ylabel()


# ----------------------------------------------------------------------------- commitment
def test_responsibility_chart():
    t = np.linspace(1, 0, 11)
    resp = np.linspace(0.5, 1.0, 11)[:, None] * np.ones((1, 20))
    s = spec(rfig.responsibility_chart(t, resp, 0.9, t_split=0.42))
    text = json.dumps(s)
    assert '"reverse": true' in text
    rows = next(d for d in datasets(s) if len(d) == 11)
    assert rows[0]["mean"] == pytest.approx(0.5) and rows[-1]["hi"] == pytest.approx(1.0)
    assert any(d == [{"y": 0.9, "what": "threshold 0.9"}] for d in datasets(s))
    assert any(d and d[0].get("t") == 0.42 for d in datasets(s))
    s2 = spec(rfig.responsibility_chart(t, resp, 0.9))
    assert not any(d and d[0].get("t") == 0.42 for d in datasets(s2))


def test_move_threshold_draws_what_a_new_chart_draws():
    """move_threshold (the threshold slider's rerun reuses the chart's band and mean) gives the
    spec that responsibility_chart draws at the new threshold, up to the datasets' names."""
    t = np.linspace(1, 0, 11)
    resp = np.linspace(0.5, 1.0, 11)[:, None] * np.ones((1, 20))

    def resolved(s):                      # every layer with its rows in place of a dataset name
        return {**{k: v for k, v in s.items() if k != "datasets"},
                "layer": [{**layer, "data": s["datasets"][layer["data"]["name"]]} for layer in s["layer"]]}
    base = spec(rfig.responsibility_chart(t, resp, 0.9, t_split=0.42))
    for threshold in (0.6, 0.75, 0.9, 1.0):
        moved = rfig.move_threshold(base, threshold)
        assert resolved(moved) == resolved(spec(rfig.responsibility_chart(t, resp, threshold, t_split=0.42)))
        assert [{"y": threshold, "what": f"threshold {threshold:g}"}] in moved["datasets"].values()
    assert resolved(base) == resolved(spec(rfig.responsibility_chart(t, resp, 0.9, t_split=0.42)))  # untouched


def test_commitment_hist_chart():
    ct = np.array([0.5, 0.4, 0.0, 0.3])
    committed = np.array([True, True, False, True])
    labels = np.array([0, 1, 1, 0])
    s = spec(rfig.commitment_hist_chart(ct, committed, labels, ["A", "B"], ["#111111", "#222222"], 0.6))
    bars = next(d for d in datasets(s) if len(d) == 3)                 # the committed paths only
    assert sorted(r["t"] for r in bars) == [0.3, 0.4, 0.5]
    assert {r["mode"] for r in bars} == {"A", "B"}
    assert any({"t": 0.4, "what": "median commitment time (t = 0.40)"} in d for d in datasets(s))
    # nobody committed: no median, still a chart
    s2 = spec(rfig.commitment_hist_chart(ct, np.zeros(4, bool), labels, ["A", "B"]))
    assert not any(d and str(d[0].get("what")).startswith("median") for d in datasets(s2))
    assert any(d and d[0].get("what") == "no path committed" for d in datasets(s2))    # said, not blank
    assert '"domain": [0, 1]' in json.dumps(s2)                 # an axis with numbers, not "0.000000"


# ----------------------------------------------------------------------------- samples vs truth
def test_samples_vs_truth():
    xlim, ylim = auto_limits(TUT)
    xx, yy, logp = density_grid(TUT, xlim, ylim, 50)
    a = TUT.sample(800, torch.Generator().manual_seed(0))[0].numpy()
    b = TUT.sample(600, torch.Generator().manual_seed(1))[0].numpy()
    a[:5] = np.nan                                                     # dropped, not fatal
    fig = samplefig.samples_vs_truth(xx, yy, logp, {"reverse SDE": a, "true samples": b}, title="T")
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    assert ax.get_aspect() == 1.0 and ax.get_title() == "T"
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts == ["reverse SDE (795)", "true samples (600)", "true density p₀ (log scale)"]
    handles = fig.legends[0].legend_handles
    assert handles[1].get_color() == samplefig.TRUTH_COLOR and handles[0].get_color() == samplefig.SET_COLORS[0]
    # KDE contour lines in both colours
    from matplotlib.colors import to_hex
    edge = {to_hex(c) for coll in ax.collections for c in np.atleast_2d(coll.get_edgecolor()) if len(c)}
    assert samplefig.TRUTH_COLOR in edge and samplefig.SET_COLORS[0] in edge
    # degenerate sets: a single repeated point, and too few points, draw no KDE but no error
    fig2 = samplefig.samples_vs_truth(xx, yy, logp, [("one point", np.ones((50, 2))), ("two", b[:2])],
                                 colors=["#000000", "#123456"])
    assert [t.get_text() for t in fig2.legends[0].get_texts()][:2] == ["one point (50)", "two (2)"]


def test_metrics_table():
    g = torch.Generator().manual_seed(0)
    x = TUT.sample(500, g)[0]
    ref = TUT.sample(500, g)[0]
    m = {**sweep.sample_metrics(x, TUT, ref), "mode_weights": dc.mode_weights(x, TUT).numpy()}
    df = samplefig.metrics_table({"sde": {**m, "nfe": 201, "seconds": 0.5}}, true_weights=TUT.weights)
    assert list(df.index) == ["sde", "true p₀"]
    assert df.loc["sde", "score evaluations"] == 201
    assert df.loc["sde", "sliced W₂ to truth ↓"] == m["sliced_w2"]
    assert df.loc["sde", "W₁ of log p ↓"] == m["logp_w1"]
    assert df.loc["sde", ["mode 1 %", "mode 2 %"]].sum() == pytest.approx(100)
    assert df.loc["true p₀", "mode 1 %"] == pytest.approx(50)
    assert np.isnan(df.loc["true p₀", "sliced W₂ to truth ↓"])


def test_mode_weights_chart():
    s = spec(samplefig.mode_weights_chart([0.25, 0.75], {"sde": [0.3, 0.7]}))
    rows = datasets(s)[0]
    assert [(r["mode"], r["series"], round(r["share"], 6)) for r in rows] == [
        ("1", "true weight", 25.0), ("2", "true weight", 75.0),
        ("1", "sde", 30.0), ("2", "sde", 70.0)]
    assert s["encoding"]["xOffset"]["field"] == "series"
    with pytest.raises(ValueError, match="one entry per mode"):
        samplefig.mode_weights_chart([0.5, 0.5], {"sde": [1.0]})


def test_ellipse_modes_bound():
    assert rfig.ellipse_modes([0, 1, 1], 3).tolist() == [0, 1, 2]            # few modes: all
    labels = np.array([5] * 9 + [2] * 7 + [7] * 7 + [0])
    assert rfig.ellipse_modes(labels, 10, max_modes=3).tolist() == [2, 5, 7]  # most paths, ties by index
    w = np.arange(10, dtype=float)
    assert rfig.ellipse_modes(labels, 10, weights=w, max_modes=2).tolist() == [8, 9]
    assert len(rfig.ellipse_modes(np.zeros(5, int), 1000)) == rfig.MAX_ELLIPSES


def test_cloud_chart_with_1000_modes_stays_small():
    """1,000 modes: ellipses for the MAX_ELLIPSES heaviest only, no 1,000-entry legend, a title
    that says so, and no MaxRowsError under Altair's default data transformer."""
    K, F, P, V = 1000, 3, 50, 49
    rng = np.random.default_rng(0)
    frames = rng.normal(size=(F, P, 2))
    labels = rng.integers(0, K, P)
    names = [f"mode {k + 1}" for k in range(K)]
    ell = rng.normal(size=(F, K, V, 2))
    chart = rfig.cloud_chart(frames, [1.0, 0.5, 0.0], labels, names, mode_colors(K), ellipses=ell)
    spec = chart.to_dict()                       # the default transformer refuses > 5,000 rows
    ds = spec["datasets"]
    rows = sorted(len(v) for v in ds.values())
    assert rows[-1] == rfig.MAX_ELLIPSES * V and P in rows
    title = " ".join(spec["title"]["text"])
    # no weights given: the modes most paths end in, not "the heaviest" (30 equal modes read "24 heaviest")
    assert f"{rfig.MAX_ELLIPSES} of 1,000 modes (those most paths end in)" in title, title
    weighted = rfig.cloud_chart(frames, [1.0, 0.5, 0.0], labels, names, mode_colors(K), ellipses=ell,
                                weights=np.linspace(1, 2, K)).to_dict()
    assert f"{rfig.MAX_ELLIPSES} of 1,000 modes (the heaviest)" in " ".join(weighted["title"]["text"])
    assert all(lay["encoding"]["color"]["legend"] is None for lay in spec["layer"][:2])
    few = rfig.cloud_chart(frames, [1.0, 0.5, 0.0], labels % 3, names[:3], ellipses=ell[:, :3]).to_dict()
    assert "title" not in few


def test_many_mode_commitment_and_weight_charts():
    K = 1000
    names = [f"mode {k + 1}" for k in range(K)]
    rng = np.random.default_rng(1)
    h = rfig.commitment_hist_chart(rng.uniform(size=60), np.ones(60, bool), rng.integers(0, K, 60),
                                   names).to_dict()
    title = h["title"]["text"]
    assert h["layer"][0]["encoding"]["color"]["legend"] is None and "1,000 modes" in " ".join(
        [title] if isinstance(title, str) else title)
    w = samplefig.mode_weights_chart(np.full(K, 1 / K), {"sde": np.full(K, 1 / K)}).to_dict()
    assert w["encoding"]["x"]["axis"]["labels"] is False and "1,000" in w["encoding"]["x"]["title"]
    few = samplefig.mode_weights_chart([0.5, 0.5], {}).to_dict()
    assert few["encoding"]["x"]["title"] == "mode" and few["encoding"]["x"]["axis"]["labels"] is True


@pytest.mark.parametrize("weights", [[0.5, 0.5], [0.25, 0.75], [1.0]])
def test_mode_weights_chart_is_tall_enough_to_read_3_percent(weights):
    """The bars' plot area is its own height (the legend and axes come on top, not out of it),
    and a 3 % deviation is at least 10 px tall."""
    s = spec(samplefig.mode_weights_chart(weights, {"sde": weights}))
    assert s["autosize"]["type"] == "fit-x"
    top = 100 * max(weights)
    assert s["height"] * 3 / top >= 10


def test_samples_contours_lie_over_the_truths():
    """On one Axes the samples' KDE contours are drawn over the truth's, which are thinner and
    dashed, so both show where they coincide (the reversal page's final samples)."""
    from matplotlib.colors import to_hex
    xx, yy, logp = density_grid(TUT, *auto_limits(TUT), 50)
    a = TUT.sample(800, torch.Generator().manual_seed(0))[0].numpy()
    b = TUT.sample(600, torch.Generator().manual_seed(1))[0].numpy()
    ax = samplefig.samples_vs_truth(xx, yy, logp, {"reverse SDE": a, "true samples": b}).axes[0]

    def lines(color):
        return [c for c in ax.collections if len(c.get_edgecolor())
                and to_hex(np.atleast_2d(c.get_edgecolor())[0]) == color]
    ours, truth = lines(samplefig.SET_COLORS[0]), lines(samplefig.TRUTH_COLOR)
    assert ours and truth
    assert min(c.get_zorder() for c in ours) > max(c.get_zorder() for c in truth)
    assert max(np.max(c.get_linewidth()) for c in truth) < min(np.min(c.get_linewidth()) for c in ours)
    assert all(ls[1] is not None for c in truth for ls in c.get_linestyle())          # dashed


def _pixels_per_unit(s: dict) -> tuple[float, float]:
    """The cloud chart spec's pixels per data unit on x and on y (its plot area over its domains)."""
    enc = next(lay["encoding"] for lay in s["layer"] if "scale" in lay.get("encoding", {}).get("x", {}))
    (x0, x1), (y0, y1) = enc["x"]["scale"]["domain"], enc["y"]["scale"]["domain"]
    return s["width"] / (x1 - x0), s["height"] / (y1 - y0)


@pytest.mark.parametrize("xlim, ylim", [((-4, 6), (-5, 5)), ((-4, 16), (-5, 5)), ((-1, 1), (-3, 7))])
def test_cloud_chart_is_equal_aspect(run, xlim, ylim):
    """One unit is as many pixels on x as on y (round modes drawn round), the longer side `size`
    px, and autosize "pad" keeps width and height the plot area's (Streamlit's default "fit"
    shrank a 400 × 400 chart's plot area to about 31 px per unit on x and 20 on y)."""
    res, labels = run
    idx = rfig.frame_indices(len(res.times), 5)
    s = spec(rfig.cloud_chart(res.trajectory[idx, :40], res.times[idx], labels[:40], ["mode 1", "mode 2"],
                              xlim=xlim, ylim=ylim, size=300))
    px, py = _pixels_per_unit(s)
    assert px == pytest.approx(py, rel=0.02)
    assert max(s["width"], s["height"]) == 300
    assert s["autosize"]["type"] == "pad"
    assert rfig.plot_size((0, 10), (0, 5), 400) == (400, 200)


def test_commitment_charts_give_the_plot_and_the_legend_room():
    """Tutorial, reverse SDE, 200 steps: the histogram's plot area was about 50 px tall (Streamlit's
    "fit" squeezed it with both legends into 250 px) and its legend cut the labels ("median
    commitment tim…"). Both charts now have a plot area of their own height (autosize fit-x) and
    the line legend lists each full label on a line of its own below the plot; also with one line
    (no split) and with no committed path."""
    labels = np.array([0, 1, 1, 0])
    long = "pₜ splits the closest modes (t = 0.31)"
    cases = [(np.array([0.5, 0.4, 0.0, 0.3]), np.array([True, True, False, True]), 0.31),
             (np.array([0.5, 0.4, 0.0, 0.3]), np.array([True, True, False, True]), None),
             (np.zeros(4), np.zeros(4, bool), 0.31)]
    for ct, committed, t_split in cases:
        s = spec(rfig.commitment_hist_chart(ct, committed, labels, ["mode 1", "mode 2"], t_split=t_split,
                                            split_label=long))
        assert s["height"] >= 200 and s["autosize"]["type"] == "fit-x", s.get("autosize")
        legends = [layer["encoding"][ch]["legend"] for layer in s["layer"] for ch in ("stroke", "strokeDash")
                   if ch in layer.get("encoding", {})]
        assert legends or (t_split is None and not committed.any())
        for legend in legends:
            assert legend["labelLimit"] == 0 and legend["direction"] == "vertical" and legend["orient"] == "bottom"
    r = spec(rfig.responsibility_chart(np.linspace(1, 0, 11), np.full((11, 5), 0.7), 0.9, t_split=0.31))
    assert r["height"] >= 200 and r["autosize"]["type"] == "fit-x"


def test_balanced_lines():
    """A long title: as few lines as greedy wrapping, of about equal length, none over max_chars,
    no "t = 1" split across lines, and the lines joined give the text back."""
    text = ("Not drawn: 241 of 500 paths (48 %), at or above 0.90 from t = 1 to the end, left out of the "
            "median: they start at the threshold, so they have nothing to reach along the way.")
    lines = rfig.balanced_lines(text)
    assert "".join(lines) == text and len(lines) == 4
    assert all(len(line.strip()) <= rfig.TITLE_CHARS for line in lines)
    assert not any(line.endswith((" t ", " = ")) for line in lines)          # "t = 1" is kept whole
    assert rfig.balanced_lines("short") == ["short"]
    assert rfig.left_out_title(3, 10, 0.9, "they choose nothing along the way") == [
        "Not drawn: 3 of 10 paths (30 %), at or above ", "0.90 from t = 1 to the end, left out of the ",
        "median: they choose nothing along the way."]
    # a share under half a percent is printed with its digits, never as 0 % (reversal's pct)
    assert rfig.left_out_title(1, 500, 0.99)[0].startswith("Not drawn: 1 of 500 paths (0.2 %), at or ")


def test_left_out_note_is_readable_under_the_histogram():
    """The histogram's "Not drawn: …" note was an 11 px title above the mode legend, which Streamlit
    shrinks to about 9 px in a half-width column: it is now under the histogram, at NOTE_FONT (at least
    the axis titles' size)."""
    ct = np.array([0.5, 0.4, 1.0, 0.3])
    s = spec(rfig.commitment_hist_chart(ct, np.ones(4, bool), np.array([0, 1, 1, 0]), ["mode 1", "mode 2"],
                                        left_out=np.array([False, False, True, False]), threshold=0.9))
    title = s["title"]
    assert title["orient"] == "bottom" and title["fontSize"] == rfig.NOTE_FONT >= 12, title
    assert "".join(title["text"]).startswith("Not drawn: 1 of 4 paths (25 %)"), title
