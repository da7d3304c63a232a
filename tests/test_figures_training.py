"""Figure builders of the Train & sample page: pure functions, readable, robust to odd input."""
import json

import altair as alt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from dashboard.figures import samples as samplefig
from dashboard.figures import training as tfig
from dashboard.figures.common import figure_png, log_domain
from conftest import overlapping_texts


def history(n=6, nan_at=None):
    step = np.arange(1, n + 1) * 10
    h = pd.DataFrame({"step": step, "train_loss": 2.0 / np.sqrt(step) + 0.8,
                      "dsm_loss": 1.5 / np.sqrt(step) + 0.85, "irreducible_loss": 0.85,
                      "score_mse": 1.0 / step})
    if nan_at is not None:
        h.loc[nan_at, ["dsm_loss", "score_mse"]] = np.nan
    return h


def spec(chart):
    d = chart.to_dict()
    json.dumps(d)                                   # serializable, as Streamlit needs
    return d


def data_of(d):
    rows = []
    for v in d.get("datasets", {}).values():
        rows += v
    return rows


def test_loss_chart_series_and_axes():
    d = spec(tfig.loss_chart(history()))
    series = {r["series"] for r in data_of(d)}
    assert series == set(tfig.LOSS_SERIES.values())
    enc = d["encoding"]
    assert enc["x"]["title"] == "training step" and enc["y"]["title"] == "loss"
    assert enc["y"]["scale"]["zero"] is False        # the approach to the floor must show
    assert enc["color"]["legend"]["orient"] == "bottom"


def test_loss_chart_drops_non_finite_and_missing_train_loss():
    h = history(nan_at=2).drop(columns="train_loss")
    d = spec(tfig.loss_chart(h))
    losses = [r["loss"] for r in data_of(d)]
    assert all(np.isfinite(losses)) and len(losses) == 2 * len(h) - 1
    assert {r["series"] for r in data_of(d)} == {tfig.LOSS_SERIES["dsm_loss"],
                                                 tfig.LOSS_SERIES["irreducible_loss"]}


def test_score_mse_chart_log_domain_positive():
    d = spec(tfig.score_mse_chart(history(nan_at=3)))
    lo, hi = d["encoding"]["y"]["scale"]["domain"]
    assert d["encoding"]["y"]["scale"]["type"] == "log"
    assert 0 < lo < 1 / 60 and hi > 1 / 10
    assert log_domain([np.nan, -1, 0]) == [1e-3, 1.0]      # never an empty log domain
    # ring8's score MSE ended at 0.028 below the lowest tick (0.05): the bottom is a 1-2-5 tick too
    from dashboard.figures.common import log_ticks, nice_down
    for values in ([0.028, 2000.0], [0.5, 3.0], [1e-5, 0.2]):
        lo, hi = log_domain(values)
        ticks = log_ticks([lo, hi])
        assert lo <= min(values) / 1.3 and hi >= max(values) * 1.3
        assert nice_down(lo) == lo and min(ticks) <= min(values), (values, ticks)


def test_error_by_t_chart_with_eps_rule():
    ts = np.geomspace(1e-3, 1, 5)
    df = pd.concat([pd.DataFrame({"t": ts, "mse": 1 / ts, "series": "a"}),
                    pd.DataFrame({"t": ts, "mse": np.r_[0.0, 1.0, np.nan, 2.0, 3.0], "series": "b"})])
    chart = tfig.error_by_t_chart(df, eps=0.01)
    assert isinstance(chart, alt.LayerChart)
    d = spec(chart)
    rows = data_of(d)
    assert all(r["mse"] > 0 for r in rows if "mse" in r)         # log scale: no zeros or NaN
    assert any("training times start here" in str(r.get("label", "")) for r in rows)
    assert isinstance(tfig.error_by_t_chart(df), alt.Chart)       # without eps: one layer


def test_compress_arrows_monotone_bounded_direction():
    u = np.array([0.0, 0.1, 1.0, 10.0, 1e6])
    v = np.zeros_like(u)
    cu, cv = tfig.compress_arrows(u, v, ref=1.0, length=2.0)
    assert cu[0] == 0 and np.all(np.diff(cu) > 0) and cu.max() < 2.0
    assert cu[2] == pytest.approx(1.0)                            # m = ref: half the length
    au, av = tfig.compress_arrows(np.array([3.0]), np.array([-4.0]), 1.0, 1.0)
    assert np.arctan2(av, au) == pytest.approx(np.arctan2(-4.0, 3.0))


def fields(n=30, m=7):
    xs = np.linspace(-3, 3, n)
    xx, yy = np.meshgrid(xs, xs)
    logp = -0.5 * (xx ** 2 + yy ** 2) - np.log(2 * np.pi)
    qx, qy = np.meshgrid(np.linspace(-3, 3, m), np.linspace(-3, 3, m))
    exact = np.stack([-qx, -qy], -1)
    learned = exact * 1.1
    err = 0.01 * (xx ** 2 + yy ** 2)
    return xx, yy, logp, qx, qy, learned, exact, err


@pytest.mark.parametrize("weighted", [True, False])
def test_score_fields_figure(weighted):
    fig = tfig.score_fields_figure(*fields(), t=0.25, weighted=weighted)
    assert isinstance(fig, Figure)
    axes = fig.axes
    assert len(axes) == 4                                         # 3 panels + colour bar
    for ax in axes[:3]:
        assert ax.get_xlabel() == "x₁" and ax.get_ylabel() == "x₂"
        assert ax.get_aspect() == 1.0
    assert "learned" in axes[0].get_title() and "exact" in axes[1].get_title()
    assert isinstance(axes[2].images[0].norm, LogNorm) != weighted
    assert fig.legends and "t = 0.25" in fig._suptitle.get_text()
    assert figure_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("scale", [1e-11, 1e-4, 1.0, 1e5])
def test_score_fields_figure_no_text_overlaps(weighted, scale):
    """No two texts of the figure overlap: a weighted error of order 1e-11 made the colour bar
    write its exponent ("1e−11") on the third panel's title; the exponent goes into the bar's label."""
    xx, yy, logp, qx, qy, learned, exact, err = fields()
    fig = tfig.score_fields_figure(xx, yy, logp, qx, qy, learned, exact, err * scale, 0.1, weighted)
    assert not overlapping_texts(fig)
    label = fig.axes[3].get_ylabel()
    if weighted:
        top = float((np.exp(logp) * err * scale).max())
        k = int(np.floor(np.log10(top)))
        power = "10" + str(k).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
        assert (f"× {power}" in label) == (not 0.01 <= top < 1000)
        assert not fig.axes[3].yaxis.get_offset_text().get_text()


def test_score_fields_figure_survives_zero_and_nan():
    xx, yy, logp, qx, qy, learned, exact, err = fields()
    learned[0, 0] = np.nan
    fig = tfig.score_fields_figure(xx, yy, logp, qx, qy, learned, exact * 0, err * 0, 1.0, False)
    figure_png(fig)


def test_samples_figure_panels_and_degenerate_input():
    xx, yy, logp, *_ = fields()
    g = np.random.default_rng(0)
    pts = g.normal(size=(3000, 2))
    sets = [("learned score", pts),
            ("exact score", np.vstack([pts[:3], [[np.nan, 0.0]]])),   # too few
            ("true samples", np.zeros((50, 2)))]                      # singular
    fig = samplefig.samples_vs_truth(xx, yy, logp, sets, separate=True, scatter_points=600,
                                     colors=[tfig.LEARNED_COLOR, tfig.EXACT_COLOR, tfig.TRUTH_COLOR])
    assert isinstance(fig, Figure)
    axes = fig.axes
    assert len(axes) == 3
    assert axes[0].get_title() == "learned score (3,000)" and axes[1].get_title() == "exact score (3)"
    for ax in axes:
        assert ax.get_aspect() == 1.0 and ax.get_xlabel() == "x₁"
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["KDE: learned score", "KDE: exact score", "KDE: true samples", "true density p₀"]
    assert len(axes[0].collections) > len(axes[1].collections)   # the KDE drew contour lines
    figure_png(fig)


def test_metrics_frame():
    rows = {"learned score": {"sliced_w2": 0.1, "loglik_gap": 0.05, "logp_w1": 0.07,
                              "mode_weights": [0.25, 0.75]},
            "true samples": {"sliced_w2": 0.02, "loglik_gap": 0.0, "logp_w1": 0.01,
                             "mode_weights": np.array([0.5, 0.5])}}
    df = tfig.metrics_frame(rows)
    assert list(df.index) == ["learned score", "true samples"]
    assert list(df.columns[-2:]) == ["mode 1 %", "mode 2 %"]
    assert df.loc["learned score", "mode 2 %"] == pytest.approx(75.0)
    assert np.isfinite(df.to_numpy(dtype=float)).all()


def test_loss_chart_fixed_x_axis_while_training():
    d = spec(tfig.loss_chart(history(3), max_step=1500))
    assert d["encoding"]["x"]["scale"]["domain"] == [0, 1500]
    assert "scale" not in spec(tfig.loss_chart(history(3)))["encoding"]["x"]


def test_metrics_frame_many_modes_in_one_column():
    w = np.full(8, 0.125)
    df = tfig.metrics_frame({"exact score": {"sliced_w2": 0.1, "loglik_gap": 0.1, "logp_w1": 0.1,
                                             "mode_weights": w}})
    assert list(df.columns) == ["sliced W₂ to truth", "log-likelihood gap (nats)", "W₁ of log p",
                                "modes 1..8 (%)"]
    assert df.iloc[0, -1] == " · ".join(["12"] * 8)


def test_score_mse_chart_names_its_time_range():
    assert "t ~ U[0.01, 1]" in spec(tfig.score_mse_chart(history(), t_min=0.01))["title"]
    assert "U[" not in spec(tfig.score_mse_chart(history()))["title"]


def _is_125(x: float) -> bool:
    m = x / 10.0 ** np.floor(np.log10(x))
    return any(m == pytest.approx(k) for k in (1, 2, 5))


@pytest.mark.parametrize("top", [0.2, 0.03, 3.0, 7.0])
def test_log_axes_run_to_a_labelled_1_2_5_top(top):
    """The log axes of the score-MSE chart (Train & sample) and of the weights chart (Loss weighting
    lab) run to a 1-2-5 number at or above the data's maximum, and a tick labels it (an MSE near
    0.2 topped out at the tick 0.1; weights reaching 3 at the tick 1)."""
    from dashboard.figures import weighting as wfig
    h = history()
    h["score_mse"] = np.geomspace(top / 50, top, len(h))
    t = np.linspace(0.01, 1, 30)
    w = pd.DataFrame({"t": np.tile(t, 2), "weight": np.concatenate([np.geomspace(top, top / 30, 30),
                                                                       np.full(30, 1.0)]),
                      "weighting": ["sigma2"] * 30 + ["uniform"] * 30})
    for chart, data_max in ((tfig.score_mse_chart(h), top), (wfig.weight_functions_chart(w), max(top, 1.0))):
        y = spec(chart)["encoding"]["y"]
        lo, hi = y["scale"]["domain"]
        assert y["scale"]["type"] == "log" and hi >= data_max and _is_125(hi), (hi, data_max)
        assert max(y["axis"]["values"]) == pytest.approx(hi) and min(y["axis"]["values"]) >= lo


def test_log_axis_top_tick_does_not_crowd_the_one_below():
    """The score error by t of our recipe on the tutorial mixture spans 1e-6 to ~40: the axis is
    thinned to powers of ten and its top was 50, whose label sat 0.7 decade above "10" (and on the
    Sampler lab 50,000 with no 10,000 below it): such a domain now ends on a power of ten. A tick
    closer to the top than TOP_GAP of the ticks' step is dropped; the top stays labelled, and the
    1-2-5 ladder and a power of ten on top keep every tick."""
    from dashboard.figures.common import TOP_GAP, log_ticks
    ts = np.geomspace(1e-4, 1, 25)
    df = pd.DataFrame({"t": ts, "mse": np.geomspace(38.0, 1.2e-6, 25), "series": "a"})
    y = spec(tfig.error_by_t_chart(df))["encoding"]["y"]
    # a domain thinned to powers of ten ends on one (100), not at 50 with 10 dropped under it
    assert y["scale"]["domain"][1] == 100.0 and y["axis"]["values"][-3:] == [1.0, 10.0, 100.0]
    for domain, step in (([1e-6, 50.0], 1.0), ([1e-6, 20.0], 1.0), ([1e-7, 100.0], 1.0),
                         ([0.001, 1.0], np.log10(2)), ([0.003, 0.2], np.log10(2)), ([0.5, 1.2], np.log10(2))):
        ticks = log_ticks(domain)
        assert ticks[-1] == domain[1]
        assert len(ticks) == 1 or np.log10(ticks[-1] / ticks[-2]) >= TOP_GAP * step, (domain, ticks)
    assert log_ticks([1e-7, 100.0]) == [10.0 ** k for k in range(-7, 3)]      # a power of ten on top: every decade
    assert log_ticks([0.001, 1.0]) == [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
    assert log_ticks([1e-6, 50.0])[-2:] == [1.0, 50.0] and log_ticks([1e-6, 20.0])[-2:] == [1.0, 20.0]
    from dashboard.figures.common import log_domain
    # the Sampler lab on ring8 at budget 4: values 0.013 to 34,733 -> 0.01 to 100,000, every decade labelled
    dom = log_domain([0.013, 34_733.0], 1.4)
    assert dom == [0.001, 100_000.0] and log_ticks(dom) == [10.0 ** k for k in range(-3, 6)]
    assert log_domain([0.013, 0.9], 1.4) == [0.005, 2.0]            # narrow: the 1-2-5 ends stay
