"""AppTest of the Memorization and Loss weighting lab pages: default run, widgets at their extremes."""

import math
import re

import pytest
from streamlit.testing.v1 import AppTest

import numpy as np
import pandas as pd

import diffusion_core as dc
from dashboard import memorization, models, settings as sio, state
from conftest import open_page

MEMO, WEIGHT = "views/8_memorization.py", "views/9_weighting_lab.py"


pytestmark = pytest.mark.usefixtures("one_thread")


def _pct(text: str) -> float:
    return float(text.rstrip("%")) / 100


def test_memorization_default():
    at = open_page(MEMO, 600)
    assert not at.exception and not at.error
    metrics = {m.label: _pct(m.value) for m in at.metric}
    assert metrics["Empirical score (exact)"] == 1.0               # collapses onto the points
    assert metrics["True mixture (fresh draws)"] < 0.1
    assert metrics["Network (learned score)"] > metrics["True mixture (fresh draws)"]
    assert len(at.get("image")) == 0 and len(at.get("vega_lite_chart")) == 2     # the samples are a chart
    labels = [b.label for b in at.get("download_button")]
    assert "Training points (CSV)" in labels and "Figure (PNG)" in labels


def test_memorization_ring8_shows_the_fresh_draw_baseline_next_to_every_rate():
    """ring8, default settings (5 points): the fresh-draw baseline is shown next to the network's
    and the exact score's rates, and is well below the network's (a fixed radius of 0.1 let fresh
    draws reach 48 % "memorized" with 50 points)."""
    at = open_page(MEMO, 600, w_mixture="ring8")
    assert not at.exception and not at.error
    assert at.slider(key="w_memo_radius").value == sio.SCHEMA["w_memo_radius"].default
    metrics = {m.label: _pct(m.value) for m in at.metric}
    base = metrics["True mixture (fresh draws)"]
    assert base < 0.1
    assert metrics["Network (learned score)"] > max(0.2, 4 * base)
    assert metrics["Empirical score (exact)"] == 1.0
    shown = f"vs **{memorization.rate_text(base)}** for fresh draws (baseline)"
    assert sum(shown in c.value for c in at.caption) == 2              # next to both other rates
    scale = [c.value for c in at.caption if c.value.startswith("Memorized: within r")]
    assert len(scale) == 1 and "0.15" in scale[0] and f"**{memorization.rate_text(base)}**" in scale[0]


def test_memorization_radius_move_redraws_no_png(monkeypatch):
    """The radius only changes the samples chart's circles, titles and legend entry: a move of its
    slider renders no matplotlib figure (the contours are a PNG cached per mixture; the figure's PNG
    is rendered when its download is clicked), and the chart shows the new radius and rates."""
    import json

    import pyarrow as pa
    from matplotlib.figure import Figure

    from dashboard import memorization, state
    from dashboard.figures import memorization as mfig
    at = open_page(MEMO, 600)
    calls = []
    real = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda *a, **k: calls.append(1) or real(*a, **k))
    at.slider(key="w_memo_radius").set_value(0.55).run()
    assert not at.exception and not calls, calls
    chart = at.get("vega_lite_chart")[0].proto
    spec = json.loads(chart.spec)
    radius = 0.55 * memorization.data_scales(dc.PRESETS[models.DEFAULT_MIXTURE], 5)[2]
    assert f"radius r = {radius:.3g} around it" in chart.spec
    titles = [panel["title"]["text"] for panel in spec["hconcat"]]
    rates = {m.label: m.value for m in at.metric}
    assert [t[0] for t in titles] == list(rates)
    assert all(t[1].startswith(f"{rates[name]} within r") for t, name in zip(titles, rates))
    data = {d.name: pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.datasets}
    circles = data[mfig.CIRCLES_DATA]
    points = memorization.points_of(dc.PRESETS[models.DEFAULT_MIXTURE], 5, state.DEFAULT_SEED)
    d = np.hypot(circles["x"] - points[circles["j"], 0], circles["y"] - points[circles["j"], 1])
    assert np.allclose(d, radius, rtol=1e-3) and circles["j"].nunique() == 5


@pytest.mark.parametrize("points,width,radius,samples", [(2, 32, 1.0, 100), (50, 256, 0.01, 2000)])
def test_memorization_extremes(points, width, radius, samples):
    at = open_page(MEMO, 600, w_memo_points=points, w_memo_steps=200, w_memo_width=width,
               w_memo_radius=radius, w_memo_samples=samples)
    assert not at.exception
    assert at.slider(key="w_memo_points").value == points
    assert len(at.metric) == 3
    for m in at.metric:
        assert 0.0 <= _pct(m.value) <= 1.0
    if radius == 1.0:
        assert _pct(at.metric[1].value) == 1.0


@pytest.mark.slow
def test_memorization_sweep_button_runs():
    at = open_page(MEMO, 600, w_memo_steps=200, w_memo_samples=100)
    buttons = [b for b in at.button if b.label == "Run the sweep"]
    assert buttons
    buttons[0].click().run(timeout=900)
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == 3              # samples + histogram + sweep
    # the panel's own rate at its N (5, one of the sweep's) beside the sweep's, with both trainings
    said = next(m.value for m in at.markdown if m.value.startswith("The network's rate"))
    panel = {m.label: m.value for m in at.metric}["Network (learned score)"]
    assert f"At N = 5 the panel above measured **{panel}** and the sweep **" in said
    assert "(200 training steps, width 128 above" in said and "here), so the two rates need not agree" in said
    # the caption types no claim about the baseline's size (at r = 1 it rose to 53 %): the text
    # under the chart gives its range from the sweep's own rates
    cap = next(c.value for c in at.caption if c.value.startswith("Trains one network per N"))
    assert "stays low" not in cap and "the text under the chart gives its range" in cap
    assert "fresh draws stay between" in " ".join(m.value for m in at.markdown)


def test_weighting_default():
    at = open_page(WEIGHT, 600)
    assert not at.exception and not at.error
    df = at.dataframe[0].value
    assert len(df) == 3
    assert (df["training time (s)"] > 0).all()
    assert len(at.get("vega_lite_chart")) == 2               # errors by t, weights
    at.radio(key="w_weight_view").set_value("scaled").run()
    assert not at.exception and len(at.get("vega_lite_chart")) == 2


@pytest.mark.parametrize("net,eps,stratified", [("preconditioned", 0.1, False), ("tutorial", 1e-4, True)])
def test_weighting_extremes(net, eps, stratified):
    at = open_page(WEIGHT, 600, w_weight_net=net, w_weight_eps=eps, w_weight_stratified=stratified,
               w_weight_steps=int(sio.SCHEMA["w_weight_steps"].lo))
    assert not at.exception
    assert len(at.dataframe[0].value) + len(at.error) == 3          # a diverged run shows an error
    assert at.select_slider(key="w_weight_eps").value == eps
    below = next(m.value for m in at.markdown if m.value.startswith("**Left of the dashed line**"))
    assert f"ε = {eps:g}" in below
    assert ("no time is measured there" in below) == (eps <= 1e-4), below   # the chart's first t is 1e-4


def test_weighting_verdict_is_read_from_the_chart():
    """The sentence names the lowest error at small t and at t = 1, and the best samples, from
    the numbers: swapping the curves swaps the names."""
    from dashboard import weighting
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    t = np.geomspace(1e-4, 1, 5)
    low, high = pd.DataFrame({"t": t, "mse": 0.1 * t ** -1}), pd.DataFrame({"t": t, "mse": t ** -1})
    text = weighting.verdict({"sigma2": low, "uniform": high}, with_w1({"sigma2": 7.6, "uniform": 0.2}), L, 1e-3)
    assert f"small t (t = 0.001, the first measured time at or above ε) belongs to **{L['sigma2']}**" in text
    assert f"at t = 1 to **{L['sigma2']}**" in text and f"sliced W₂ of the samples, 0.2, to **{L['uniform']}**" in text
    assert "'s" not in text.replace("tutorial's", "")
    text = weighting.verdict({"sigma2": high, "uniform": low}, {}, L, 1e-3)
    assert f"belongs to **{L['uniform']}**" in text and "samples" not in text
    # against the true sets' range: far above it, the sentence says none samples p₀ well
    band = bands((0.04, 0.05))
    far = weighting.verdict({"sigma2": low, "uniform": high}, with_w1({"sigma2": 0.94, "uniform": 1.0}), L, 1e-3, band)
    assert f"({models.TRUE_SETS} independent true sets of as many samples score 0.04 to 0.05, a spread of 0.01)" in far
    assert "the same true sets score 0.01 to 0.03, a spread of 0.02)" in far, far
    assert far.endswith("; none of them samples p₀ well at these settings."), far
    assert far.count("by more than their spread (0.01, so above 0.06) and W₁ of log p 0.02 is at or below the "
                     "true sets' highest (0.03), so by sliced W₂ it does not sample p₀ well") == 2, far
    three = weighting.verdict({"sigma2": low, "uniform": high, "g2": high},
                              with_w1({"sigma2": 0.94, "uniform": 1.0, "g2": 1.1}), L, 1e-3, band)
    assert "none of them samples p₀ well" in three
    near = weighting.verdict({"sigma2": low, "uniform": high}, with_w1({"sigma2": 0.055, "uniform": 1.0}), L, 1e-3, band)
    assert "a spread of 0.01)" in near and "none of them samples" not in near


def test_weighting_times_are_each_networks_own():
    """Each row's training time is its own network's (not one shared number)."""
    at = open_page(WEIGHT, 600)
    times = at.dataframe[0].value["training time (s)"].tolist()
    d = {k: sio.SCHEMA["w_weight_" + k].default for k in ("net", "eps", "stratified", "steps")}
    from dashboard import weighting
    own = [models.trained_model(weighting.lab_config(d["net"], w, d["eps"], d["stratified"], d["steps"], 2021),
                                dc.PRESETS["tutorial"], weighting.LAM).seconds for w in dc.WEIGHTINGS]
    assert times == pytest.approx(own, abs=1e-9)
    assert any("In this state" in m.value for m in at.markdown)


def test_weighting_warm_up_trains_both_networks(monkeypatch):
    """The warm-up's train_defaults queues the default network's three weightings, then the
    "Preconditioned (ours)" ones, so switching the network trains nothing before class; then the
    default network's three on ring8, which a class coming from the lab row (ring8) still has in
    the sidebar (its first visit waited 19 s for them)."""
    from dashboard import weighting
    seen, bands = [], []
    monkeypatch.setattr(models, "train_all", lambda jobs, device, before_each: seen.extend(jobs))
    monkeypatch.setattr(models, "quality_band", lambda gmm, n, seed: bands.append((gmm, n, seed)))
    weighting.train_defaults()
    tutorial, ring8 = dc.PRESETS[models.DEFAULT_MIXTURE], dc.PRESETS[models.LESSON_MIXTURE]
    # then the true sets' band the verdict reads, on both mixtures, at the page's sample count
    assert bands == [(tutorial, weighting.SAMPLES, state.DEFAULT_SEED), (ring8, weighting.SAMPLES, state.DEFAULT_SEED)]
    assert [(c.precond != "none", c.weighting, g is ring8) for c, g, _ in seen] == (
        [(False, w, False) for w in dc.WEIGHTINGS] + [(True, w, False) for w in dc.WEIGHTINGS]
        + [(False, w, True) for w in dc.WEIGHTINGS])
    assert all(g is tutorial for _, g, _ in seen[:6])


@pytest.mark.parametrize("second, shown", [(1.02, ("1.00", "1.02")), (1.0004, ("1.0000", "1.0004")),
                                           (1.1e4, ("10,000", "11,000"))])
def test_weighting_lowest_error_is_said_with_the_next_curves_value(second, shown):
    """ring8, ε = 0.001: at t = 1 the σₜ² and g(t)² marks lay on each other, so the sentence's winner
    could not be read off the chart: it gives the lowest value and the next one's, with the digits
    that tell them apart."""
    from dashboard import weighting
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    t = np.geomspace(1e-4, 1, 5)
    scale = 1e4 if second > 100 else 1.0          # large errors print without an exponent (1e+04 read badly)
    curves = {"sigma2": pd.DataFrame({"t": t, "mse": second / t}), "g2": pd.DataFrame({"t": t, "mse": scale / t}),
              "uniform": pd.DataFrame({"t": t, "mse": 3 * scale / t})}
    text = weighting.verdict(curves, {}, L, 1e-3)
    assert f"at t = 1 to **{L['g2']}** ({shown[0]}; next: {L['sigma2']} at {shown[1]})." in text, text
    assert "e+" not in text
    assert [weighting.sig(v) for v in (2389.4, 0.0972, 1.0, 41.04)] == ["2,389", "0.0972", "1.00", "41.0"]


def test_weighting_below_eps_sentence_reads_each_curve():
    """Left of ε the sentence says what each curve of the view shown does, from its numbers (it
    said every curve degrades there, while γₜ = 1 kept falling and σₜ² × error stayed flat)."""
    from dashboard import weighting
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    t = np.geomspace(1e-4, 1, weighting.N_T)
    curves = {"sigma2": pd.DataFrame({"t": t, "mse": 1 / t, "scaled": 0.01 + 0 * t}),
              "uniform": pd.DataFrame({"t": t, "mse": t ** 0.1, "scaled": t ** 0.3}),
              "g2": pd.DataFrame({"t": t, "mse": 1 + 0 * t, "scaled": t ** -0.5})}
    t_eps = float(t[t >= 1e-3].min())
    raw = weighting.below_eps_text(curves, L, 1e-3, "mse")
    assert "every curve" not in raw and "degrades" not in raw
    assert f"each curve's score error is compared with its value at t = {t_eps:.2g}, the first measured time" in raw
    assert f"**{L['sigma2']}** rises ({1 / t_eps:,.0f} there, {1 / t[t < 1e-3].max():,.0f} to 10,000 below ε)" in raw
    assert f"**{L['uniform']}** falls ({t_eps ** 0.1:.2g} there, {1e-4 ** 0.1:.2g} to " in raw
    assert raw.split(f"**{L['uniform']}**")[1].split(";")[0].startswith(" falls (")
    assert f"**{L['g2']}** stays within a factor {weighting.RISE:g} (1 there, 1 to 1 below ε)" in raw
    scaled = weighting.below_eps_text(curves, L, 1e-3, "scaled")        # the view's own column
    assert "σₜ² × score error" in scaled
    assert f"**{L['sigma2']}** stays within a factor {weighting.RISE:g} (0.01 there, 0.01 to 0.01 below ε)" in scaled
    g2_said = scaled.split(f"**{L['g2']}**")[1].split(";")[0]
    assert g2_said.startswith(" rises (") and g2_said.endswith("to 100 below ε)")
    # a rise anywhere below ε counts where the smallest t only comes back to its value at ε (not below it)
    bump = weighting.below_eps_text({"g2": curves["g2"].assign(mse=np.where((t < 1e-3) & (t > 2e-4), 5.0, 1.0))},
                                    L, 1e-3, "mse")
    assert bump.endswith("rises (1 there, 1 to 5 below ε).")
    two = weighting.below_eps_text({"sigma2": curves["sigma2"], "g2": curves["sigma2"]}, L, 1e-3, "mse")
    assert f"** rises (" in two and f"below ε), as do **{L['g2']}** (" in two and two.endswith("below ε).")
    three = weighting.below_eps_text({w: curves["sigma2"] for w in dc.WEIGHTINGS}, L, 1e-3, "mse")
    assert three.count(" and ") == 1 and three.count("below ε), as do **") == 1 and three.count(" rises (") == 1
    assert three.count(", as do ") == 1 and three.endswith("below ε).")
    # nothing measured below ε: the sentence says so rather than describing a curve
    none = weighting.below_eps_text(curves, L, 1e-4, "mse")
    assert "no time is measured there" in none and "rises" not in none


def test_weighting_below_eps_clauses_read_subject_verb_numbers():
    """Defaults: "each curve's score error against its value at t = 0.0015, …: **A** (41 there, 84 to
    1,086 below ε), **B** (…) and **C** (…) rise" put the verb some 40 words after its subject. Each
    clause now reads in order: the curve, what it does, then its numbers; curves that do the same
    follow with "as do"."""
    from dashboard import weighting
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    t = np.geomspace(1e-4, 1, weighting.N_T)
    rising = {w: pd.DataFrame({"t": t, "mse": k / t}) for k, w in zip((0.06, 0.1, 0.2), dc.WEIGHTINGS)}
    mixed = {"sigma2": rising["sigma2"], "uniform": pd.DataFrame({"t": t, "mse": t ** 0.1}),
             "g2": rising["g2"]}
    verbs = tuple(weighting.BELOW_EPS_WORDS.values())
    for curves in (rising, mixed):
        text = weighting.below_eps_text(curves, L, 1e-3, "mse")
        assert " is compared with its value at t = " in text, text
        body = text.split("the first measured time at or above ε: ", 1)[1]
        for clause in body.rstrip(".").split("; "):
            subject, rest = clause[2:].split("** ", 1)
            assert subject in L.values() and rest.startswith(verbs), clause      # the verb right after its curve
            assert rest.index(" there, ") > max(len(v) for v in verbs if rest.startswith(v)), clause
    text = weighting.below_eps_text(rising, L, 1e-3, "mse")
    assert text.count(" rises (") == 1 and f"below ε), as do **{L['uniform']}** (" in text, text


def test_weighting_best_samples_within_the_noise_name_no_winner():
    """0.1001 / 0.1096 / 0.1010 named a winner by 0.0009: now the sentence says no winner where
    they differ by no more than the true sets' spread, by the rule Train & sample uses
    (models.within_noise), for each distance on its own."""
    from dashboard import weighting
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    t = np.geomspace(1e-4, 1, 5)
    curves = {w: pd.DataFrame({"t": t, "mse": 1 / t}) for w in dc.WEIGHTINGS}
    q = {"sigma2": 0.1001, "uniform": 0.1096, "g2": 0.1010}
    band = bands((0.05, 0.065))                       # a spread of 0.015
    text = weighting.verdict(curves, with_w1(q), L, 0.1, band)
    assert (f"but **{L['g2']}** (0.101) and **{L['uniform']}** (0.11) differ from it by no more than that "
            "spread: no winner at this sample count") in text
    one = weighting.verdict(curves, with_w1({**q, "uniform": 0.3}), L, 0.1, band)
    assert f"but **{L['g2']}** (0.101) differs from it" in one and "(0.3)" not in one
    clear = weighting.verdict(curves, with_w1({**q, "uniform": 0.3, "g2": 0.2}, {"uniform": 0.5, "g2": 0.9}),
                              L, 0.1, band)
    assert "no winner" not in clear
    # the spread, not the whole true-vs-true distance: 0.0544 apart is a winner at a spread of 0.015
    assert "no winner" not in weighting.verdict(curves, with_w1({"sigma2": 0.1001, "uniform": 0.1545},
                                                                {"uniform": 0.5}), L, 0.1, band)
    assert models.within_noise(0.1001, 0.1096, 0.0544) and not models.within_noise(0.1, 0.2, 0.05)
    # W₁ of log p has its own lowest, and its own no winner against its own spread (0.02)
    w1 = weighting.verdict(curves, with_w1({**q, "uniform": 0.3, "g2": 0.2}, {"sigma2": 0.5, "uniform": 0.51,
                                                                             "g2": 0.9}), L, 0.1, band)
    assert (f"the lowest W₁ of log p of the samples, 0.5, to **{L['sigma2']}** (the same true sets score 0.01 to "
            f"0.03, a spread of 0.02), but **{L['uniform']}** (0.51) differs from it by no more than that spread: "
            "no winner at this sample count") in w1, w1


def test_weighting_names_the_networks_far_from_the_truth():
    """ring8, preconditioned: the lowest sliced W₂ was named while two networks sat far above the
    true samples' own value without a word. The sentence names every network above the true sets'
    highest by more than their spread (with the numbers) when the best is not, in any order of the
    weightings."""
    from dashboard import weighting
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    t = np.geomspace(1e-4, 1, 5)
    curves = {w: pd.DataFrame({"t": t, "mse": 1 / t}) for w in dc.WEIGHTINGS}
    band = bands((0.2, 0.26))                         # spread 0.06: far above 0.32
    text = weighting.verdict(curves, with_w1({"sigma2": 0.25, "uniform": 0.90, "g2": 0.85}), L, 0.1, band)
    for w, v in (("g2", "0.85"), ("uniform", "0.9")):
        assert (f"; **{L[w]}**: sliced W₂ {v} is above the true sets' highest (0.26) by more than their spread "
                "(0.06, so above 0.32) and W₁ of log p 0.02 is at or below the true sets' highest (0.03), so by "
                "sliced W₂ it does not sample p₀ well at these settings") in text, text
    one = weighting.verdict(curves, with_w1({"sigma2": 0.9, "uniform": 0.25, "g2": 0.3}), L, 0.1, band)
    assert (f"**{L['sigma2']}**: sliced W₂ 0.9 is above the true sets' highest (0.26) by more than their spread "
            "(0.06, so above 0.32)") in one, one
    assert f"**{L['g2']}**: sliced W₂ 0.3 " in one and "not sample" not in one.split(f"**{L['g2']}**: ")[1].split(";")[0]
    near = weighting.verdict(curves, with_w1({"sigma2": 0.25, "uniform": 0.3, "g2": 0.31}), L, 0.1, band)
    assert "does not sample" not in near
    both = weighting.verdict(curves, with_w1({"sigma2": 0.9, "uniform": 1.0}), L, 0.1, band)
    assert both.endswith("none of them samples p₀ well at these settings.")


def test_weighting_ring8_preconditioned_names_its_far_networks():
    """The page's own state of the finding: ring8, the preconditioned network. Every network whose
    sliced W₂ or W₁ of log p in the table is above its true sets' highest by more than their spread
    (both said in the sentence) is said not to sample p₀ well, by that distance, with its value;
    no other."""
    at = open_page(WEIGHT, 600, w_mixture="ring8", w_weight_net="preconditioned")
    assert not at.exception
    said = next(m.value for m in at.markdown if m.value.startswith("**In this state**"))
    kinds = check_sample_verdicts(said, at.dataframe[0].value, page_band("ring8"))
    assert ("not sample p₀ well" in said) == ("far" in kinds.values()), said


def test_weighting_and_train_share_the_no_winner_rule(monkeypatch):
    """Both pages call the one rule: changing models.within_noise changes both sentences."""
    from dashboard import train, weighting
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    monkeypatch.setattr(models, "within_noise", lambda a, b, noise: True)
    t = np.geomspace(1e-4, 1, 5)
    curves = {w: pd.DataFrame({"t": t, "mse": 1 / t}) for w in dc.WEIGHTINGS}
    assert "no winner" in weighting.verdict(curves, with_w1({"sigma2": 0.1, "uniform": 5.0}), L, 0.1,
                                            bands((0.0, 0.0)))
    keys = ("score_mse", "sliced_w2", "loglik_gap", "logp_w1")
    said = train.comparison_sentence({"A": dict.fromkeys(keys, 0.1), "B": dict.fromkeys(keys, 5.0)},
                                     dict.fromkeys(keys, (0.0, 0.0)))
    assert "no winner" in said


def test_weighting_error_chart_overlapping_curves_both_show():
    """Two curves on top of each other (γₜ = 1 under γₜ = g(t)² on ring8) both show: each weighting
    has its own dash and its own open marker; the ε label sits above the plot area (pixel y 0,
    drawn upwards), not on the y axis's ticks and the first point."""
    from dashboard.figures import weighting as wfig
    t = np.geomspace(1e-4, 1, 6)
    df = pd.concat([pd.DataFrame({"t": t, "error": 1 / t, "weighting": w}) for w in dc.WEIGHTINGS])
    spec = wfig.weighting_error_chart(df, eps=1e-4).to_dict()

    def layers(node):
        for layer in node.get("layer", []):
            yield layer
            yield from layers(layer)

    def mark(layer):
        m = layer.get("mark")
        return m.get("type") if isinstance(m, dict) else m

    line = next(l for l in layers(spec) if mark(l) == "line")
    point = next(l for l in layers(spec) if mark(l) == "point")
    dashes = line["encoding"]["strokeDash"]["scale"]["range"]
    shapes = point["encoding"]["shape"]["scale"]["range"]
    assert len(dashes) == len(set(map(tuple, dashes))) == 3 and len(set(shapes)) == 3
    assert point["mark"].get("filled") is False and line["encoding"]["strokeDash"]["legend"] is None
    text = [l for l in layers(spec) if mark(l) == "text"]
    assert len(text) == 1 and text[0]["encoding"]["y"] == {"value": 0}
    assert text[0]["mark"]["baseline"] == "bottom" and text[0]["mark"]["dy"] < 0


def test_weighting_numbers_never_print_as_a_bare_one():
    """ring8: "… but **γₜ = σₜ² (the tutorial's)** (1) differs from it …": the sliced W₂ of 1.0 read
    like a footnote mark; whole values keep 3 significant digits."""
    from dashboard import weighting
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    t = np.geomspace(1e-4, 1, 5)
    curves = {w: pd.DataFrame({"t": t, "mse": 1 / t}) for w in dc.WEIGHTINGS}
    text = weighting.verdict(curves, with_w1({"sigma2": 1.0, "uniform": 0.98, "g2": 3.0}), L, 0.1, bands((1.0, 2.0)))
    assert f"**{L['sigma2']}** (1.00) differs from it" in text and "(1)" not in text
    assert "the samples, 0.98, to" in text and "score 1.00 to 2.00, a spread of 1.00" in text
    assert [weighting.sig(v) for v in (1.0, 0.2, 0.101, 12, 0.000123)] == ["1.00", "0.2", "0.101", "12.0", "0.000123"]


def test_weighting_times_caption_says_what_the_times_are():
    """0.968 / 2.137 / 4.534 s under "on an idle server they take about as long": the caption says
    the times are wall times measured whenever each network trained, and compares them only as far
    as their numbers allow."""
    from dashboard import weighting
    spread = weighting.times_text({"a": 0.968, "b": 2.137, "c": 4.534})
    assert "idle server" not in spread and "about as long" not in spread
    assert ("differ (0.968 to 4.534 s, as the table shows them; the longest 4.68× the shortest, more than "
            f"{weighting.SAME_TIME:g}×)") in spread and "not from its weighting" in spread
    close = weighting.times_text({"a": 1.0, "b": 1.1, "c": 1.05})
    assert ("about as long (1.000 to 1.100 s, as the table shows them; the longest 1.1× the shortest, within "
            f"{weighting.SAME_TIME:g}×)") in close and "wall time" in close
    at = open_page(WEIGHT, 600)
    times = at.dataframe[0].value["training time (s)"]
    cap = next(c.value for c in at.caption if c.value.startswith("Score MSE on"))
    assert weighting.times_text(dict(times)) in cap and "idle server" not in cap


def test_weighting_times_are_about_as_long_only_within_the_stated_factor():
    """ring8, Preconditioned, ε = 0.1: 1.555 to 2.157 s (1.39×) was "about as long" while a 1.8×
    spread elsewhere was a difference. "About as long" is said only within SAME_TIME (1.2×),
    with the ratio and that factor; anything wider is a difference, with its ratio."""
    from dashboard import weighting
    assert weighting.SAME_TIME <= 1.2
    finding = weighting.times_text({"a": 1.555, "b": 1.9, "c": 2.157})
    assert "about as long" not in finding, finding
    assert "yet here they differ (1.555 to 2.157 s, as the table shows them; the longest 1.39× the shortest, " \
           "more than 1.2×)" in finding, finding
    edge = weighting.times_text({"a": 1.000, "b": 1.201})       # 1.201× prints on its side of 1.2
    assert "the longest 1.201× the shortest, more than 1.2×" in edge, edge
    assert "within 1.2×" in weighting.times_text({"a": 2.0, "b": 2.4})      # exactly the factor
    for times in ({"a": 1.0, "b": 1.15}, {"a": 0.968, "b": 2.137, "c": 4.534}, {"a": 3.0, "b": 3.7}):
        text, lo, hi = weighting.times_text(times), min(times.values()), max(times.values())
        assert ("about as long" in text) == (hi / lo <= weighting.SAME_TIME), text
        assert f"the longest {hi / lo:.2f}".rstrip("0").rstrip(".") in text, text


def below_eps_claims(text: str, labels) -> dict:
    """{label: what the sentence left of ε says its curve does ("rises", "dips below that value, …")}:
    each clause names a curve, its words and its numbers, then the curves that do the same ("as do")."""
    body = text.split("the first measured time at or above ε: ", 1)[1].rstrip(".")
    return {label: group.split("** ", 1)[1].split(" (", 1)[0]
            for group in body.split("; ") for label in labels if f"**{label}**" in group}


def claim_holds(words: str, t, v, v_eps: float) -> bool:
    """The sentence's words about one curve against its own numbers below ε (t, v) and at ε:
    "rise" only when no value lies below its value at ε (beyond the factor RISE) and some above,
    "fall" the other way round, a dip then a rise only with the dip nearer ε."""
    from dashboard import weighting
    t, v = np.asarray(t, float), np.asarray(v, float)
    up, down = t[v > weighting.RISE * v_eps], t[v * weighting.RISE < v_eps]
    if words.startswith("dip"):
        return up.size > 0 and down.size > 0 and down.min() > up.max()
    if words.startswith("rise") and "then" in words:
        return up.size > 0 and down.size > 0 and up.min() > down.max()
    if words.startswith("go"):
        return up.size > 0 and down.size > 0
    if words.startswith("rise"):
        return up.size > 0 and down.size == 0
    if words.startswith("fall"):
        return down.size > 0 and up.size == 0
    return words.startswith("stay") and up.size == 0 and down.size == 0


def check_below_eps(at, curves: dict, eps: float) -> dict:
    """In both views, the sentence left of ε says of each curve what its numbers show (curves: the
    weighting's error_by_t frames, the chart's own). Returns {view: {label: words}}."""
    from dashboard import weighting
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    out = {}
    for view, column in (("raw", "mse"), ("scaled", "scaled")):
        at.radio(key="w_weight_view").set_value(view).run()
        said = next(m.value for m in at.markdown if m.value.startswith("**Left of the dashed line**"))
        claims = below_eps_claims(said, [L[w] for w in curves])
        assert len(claims) == len(curves), said
        t_eps = weighting.first_at_eps(curves, eps)
        for w, frame in curves.items():
            t, v = np.asarray(frame["t"], float), np.asarray(frame[column], float)
            v_eps = float(v[np.argmin(np.abs(t - t_eps))])
            assert claim_holds(claims[L[w]], t[t < t_eps], v[t < t_eps], v_eps), (w, view, said)
        out[view] = claims
    return out


def test_weighting_below_eps_names_a_dip_then_a_rise():
    """A curve that dips below its value at ε, then rises above it nearer t = 0 was said to rise
    (ring8: γₜ = 1, 0.44 at ε, 0.19 to 0.8 below ε); it now says it dips, then rises, and the
    other orders are said as they are."""
    from dashboard import weighting
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    t = np.geomspace(1e-4, 1, weighting.N_T)
    dip = np.where(t < 1e-3, 0.8, 0.44)
    dip[(t > 1e-2) & (t < 0.1)] = 0.19                    # the dip nearer ε, the rise nearer t = 0
    curves = {"sigma2": pd.DataFrame({"t": t, "scaled": 0.19 + 2 * (t < 0.1) * (0.1 - t)}),
              "uniform": pd.DataFrame({"t": t, "scaled": dip}),
              "g2": pd.DataFrame({"t": t, "scaled": np.where(t < 1e-3, 0.1, np.where(t < 0.1, 1.0, 0.3))})}
    text = weighting.below_eps_text(curves, L, 0.1, "scaled")
    claims = below_eps_claims(text, L.values())
    assert claims[L["uniform"]] == "dips below that value, then rises above it nearer t = 0", text
    assert (f"**{L['uniform']}** dips below that value, then rises above it nearer t = 0 (0.44 there, 0.19 to 0.8 "
            "below ε)") in text
    assert claims[L["g2"]] == "rises above that value, then falls below it nearer t = 0", text
    assert claims[L["sigma2"]] == "rises", text
    both = np.where(np.arange(t.size) % 2 == 0, 2.0, 0.1)
    mixed = weighting.below_eps_text({"g2": pd.DataFrame({"t": t, "scaled": np.where(t >= 0.1, 1.0, both)})},
                                     L, 0.1, "scaled")
    assert mixed.endswith("goes both ways (1 there, 0.1 to 2 below ε)."), mixed
    for w, frame in curves.items():
        v_eps = float(frame["scaled"][t >= 0.1].iloc[0])
        assert claim_holds(claims[L[w]], t[t < 0.1], frame["scaled"][t < 0.1], v_eps)
    assert weighting.below_eps_kind([1e-3, 1e-2], [0.5, 1.1], 1.0) == "fall"   # within RISE of it: no rise


@pytest.mark.parametrize("mixture,net,eps", [("ring8", "preconditioned", 0.1), ("tutorial", "tutorial", 1e-3),
                                             ("tutorial", "preconditioned", 0.1)])
def test_weighting_below_eps_sentence_holds_on_the_page(mixture, net, eps):
    """ring8, Preconditioned, ε = 0.1, σₜ² × score error: every curve was said to rise while γₜ = 1
    went from 0.44 at ε down to 0.19 below it. In this state and two others, each curve's words,
    in both views, hold for the chart's own numbers."""
    from dashboard import state, weighting
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    at = open_page(WEIGHT, 600, w_mixture=mixture, w_weight_net=net, w_weight_eps=eps)
    assert not at.exception
    steps, strat = sio.SCHEMA["w_weight_steps"].default, sio.SCHEMA["w_weight_stratified"].default
    curves = {w: weighting.error_by_t(weighting.lab_config(net, w, eps, strat, steps, state.DEFAULT_SEED),
                                      dc.PRESETS[mixture], weighting.LAM, "cpu", state.DEFAULT_SEED)
              for w in dc.WEIGHTINGS}
    claims = check_below_eps(at, curves, eps)
    if mixture == "ring8":          # the state of the finding: γₜ = 1 dips, then rises
        assert claims["scaled"][L["uniform"]].startswith("dips below that value, then rises"), claims


def test_weighting_far_ratio_shows_that_it_exceeds_the_threshold():
    """tutorial, Preconditioned, ε = 0.1: "γₜ = 1 (0.11, 2.0×) is more than 2× …": a ratio of 2.02
    printed as 2.0×. The values and the cut-offs they are read against get the digits that put
    each value on its side of each cut-off."""
    from dashboard import weighting
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    t = np.geomspace(1e-4, 1, 5)
    curves = {w: pd.DataFrame({"t": t, "mse": 1 / t}) for w in dc.WEIGHTINGS}
    text = weighting.verdict(curves, with_w1({"sigma2": 0.05, "uniform": 0.10512, "g2": 0.06}), L, 0.1,
                             bands((0.09, 0.10498)))
    assert (f"**{L['uniform']}**: sliced W₂ 0.1051 is above the true sets' highest (0.105) by no more than their "
            "spread (0.01498, so at most 0.12)") in text, text
    assert "W₁ of log p 0.02 is at or below the true sets' highest (0.03)" in text, text     # its own digits
    assert weighting.shown_digits([0.10512, 0.05], [0.10498]) == 4
    assert weighting.shown_digits([0.2, 0.05], [0.10498, 0.12]) == 3
    assert weighting.shown_digits([0.105], [0.105]) == 3            # equal stays equal


W1_BAND = (0.01, 0.03)      # a W₁ of log p band that the sliced W₂ cases' default W₁ (0.02) lies within


def with_w1(sw2: dict, w1: dict | None = None) -> dict:
    """The verdict's quality: each network's sliced W₂ from sw2, its W₁ of log p from w1 (0.02,
    inside W1_BAND, where w1 does not give it)."""
    return {w: {"sliced_w2": v, "logp_w1": (w1 or {}).get(w, 0.02)} for w, v in sw2.items()}


def bands(sw2_band, w1_band=W1_BAND) -> dict:
    """The verdict's bands (as models.quality_band gives them) of the two distances."""
    return {"sliced_w2": sw2_band, "logp_w1": w1_band}


def table_of(quality: dict) -> pd.DataFrame:
    """The lab's results table's distance columns for quality (with_w1's), by label."""
    from dashboard import weighting
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    return pd.DataFrame({weighting.quality_column(k): {L[w]: q[k] for w, q in quality.items()}
                         for k, _ in weighting.MEASURES})


VERDICT_PHRASES = {"well": "samples p₀ as well as this sample count can tell",
                   "unclear": "this sample count cannot tell whether it samples p₀ well",
                   "far": "it does not sample p₀ well"}


def page_band(mixture) -> dict:
    """The lab's true-set bands at its default seed: models.quality_band's (lowest, highest) of each
    distance over models.TRUE_SETS sets of the lab's 2,000 samples (mixture: a preset's name or a GMM)."""
    gmm = dc.PRESETS[mixture] if isinstance(mixture, str) else mixture
    return models.quality_band(gmm, 2000, state.DEFAULT_SEED)


def shown(values, band):
    """The verdict sentence's number format for one distance's values against its band (weighting.shown_digits)."""
    from dashboard import weighting
    digits = weighting.shown_digits(list(values), weighting.band_cuts(band)[::2])
    return lambda v: weighting.sig(v, digits)


def check_sample_verdicts(said: str, table, bands) -> dict:
    """The sentence says, for each distance (sliced W₂ and W₁ of log p: the table's columns, by
    label), its band, the (lowest, highest) of the true sets, with its spread, and "no winner"
    exactly where a network lies within the spread of that distance's lowest. Its verdict on each
    network, checked here from the numbers themselves: each distance "at or below" only at or below
    its highest, "by more than their spread" only above it by more than the spread (tied or far),
    "no more than" in between; the network "samples p₀ as well as this sample count can tell" only
    where both distances are at or below their highest, "does not sample p₀ well" only where one is
    far (not tied), naming that distance; "cannot tell" otherwise. "none of them samples p₀ well"
    exactly when every network does not; no two networks within a distance's spread of each other
    get opposite verdicts by it. Returns {label: "well", "unclear" or "far"}."""
    from dashboard import weighting
    clauses = said.rstrip(".").split("; ")
    per = {}
    for key, words in weighting.MEASURES:
        values = table[weighting.quality_column(key)]
        lo, hi = bands[key]
        spread, num = hi - lo, shown(values, bands[key])
        head = next(c for c in clauses if c.startswith(f"the lowest {words} of the samples"))
        assert f"score {num(lo)} to {num(hi)}, a spread of {num(spread)})" in head, (head, said)
        best = values.idxmin()
        close = [w for w in values.index if w != best and abs(values[w] - values[best]) <= spread]
        assert ("no winner at this sample count" in head) == bool(close), (head, said)
        kinds = per[key] = weighting.sample_verdicts({w: float(values[w]) for w in values.index}, bands[key])
        for w, kind in kinds.items():
            v = float(values[w])
            assert kind != "well" or v <= hi, (w, kind, said)
            assert kind not in ("far", "tied") or v > hi + spread, (w, kind, said)
            assert kind != "unclear" or hi < v <= hi + spread, (w, kind, said)
            clause = next(c for c in clauses if c.startswith(f"**{w}**: "))
            part = clause.split(f"{words} {num(v)} ", 1)[1]
            above = f"is above the true sets' highest ({num(hi)}) by"
            assert part.startswith({"well": f"is at or below the true sets' highest ({num(hi)})",
                                    "unclear": f"{above} no more than their spread ({num(spread)}, so at most",
                                    "tied": f"{above} more than their spread ({num(spread)}), but within that spread of **",
                                    "far": f"{above} more than their spread ({num(spread)}, so above"}[kind]), \
                (w, key, kind, clause)
        for a in values.index:
            for b in values.index:
                if abs(values[a] - values[b]) <= spread:       # never split by a cut-off
                    assert {kinds[a], kinds[b]} not in ({"well", "far"}, {"unclear", "far"}), (a, b, said)
    overall = {}
    for w in table.index:
        far = [words for key, words in weighting.MEASURES if per[key][w] == "far"]
        kind = overall[w] = ("far" if far else "well" if all(per[key][w] == "well" for key, _ in weighting.MEASURES)
                             else "unclear")
        assert kind != "well" or all(table.loc[w, weighting.quality_column(k)] <= bands[k][1]
                                     for k, _ in weighting.MEASURES), (w, said)
        clause = next(c for c in clauses if c.startswith(f"**{w}**: "))
        on = far or [words for _, words in weighting.MEASURES]
        assert f", so by {' and '.join(on)} " in clause and VERDICT_PHRASES[kind] in clause, (w, kind, clause)
        assert not any(p in clause for k, p in VERDICT_PHRASES.items() if k != kind), (w, kind, clause)
    assert ("none of them samples p₀ well" in said) == (set(overall.values()) == {"far"}), said
    assert "as close to p₀" not in said, said
    return overall


def test_weighting_networks_within_the_noise_never_get_opposite_verdicts():
    """tutorial, Preconditioned, ε = 0.1: γₜ = 1 (0.11) was said to differ from the best (0.1) by
    less than true samples do from each other, then not to sample p₀ well on a cut-off the best
    passed. One rule (sample_verdict) judges every network by each distance from its true sets'
    range: at or below its highest well, above it by more than its spread not, in between the
    sample count cannot tell; two networks within the spread never get opposite verdicts."""
    from dashboard import weighting
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    t = np.geomspace(1e-4, 1, 5)
    curves = {w: pd.DataFrame({"t": t, "mse": 1 / t}) for w in dc.WEIGHTINGS}
    band = bands((0.08, 0.105))                                       # spread 0.025: far above 0.13
    q = with_w1({"sigma2": 0.1001, "uniform": 0.1096, "g2": 0.1010})  # the finding's numbers
    text = weighting.verdict(curves, q, L, 0.1, band)
    assert "no winner" in text and "not sample p₀ well" not in text, text
    assert (f"**{L['uniform']}**: sliced W₂ 0.11 is above the true sets' highest (0.105) by no more than their "
            "spread (0.025, so at most 0.13) and W₁ of log p 0.02 is at or below the true sets' highest (0.03), so "
            "by sliced W₂ and W₁ of log p this sample count cannot tell whether it samples p₀ well") in text, text
    assert (f"**{L['sigma2']}**: sliced W₂ 0.1 is at or below the true sets' highest (0.105) and W₁ of log p 0.02 "
            "is at or below the true sets' highest (0.03), so by sliced W₂ and W₁ of log p it samples p₀ as well "
            "as this sample count can tell") in text, text
    check_sample_verdicts(text, table_of(q), band)
    assert [weighting.sample_verdict(v, band["sliced_w2"]) for v in (0.05, 0.105, 0.106, 0.1299, 0.131)] == \
        ["well", "well", "unclear", "unclear", "far"]
    # every state of three networks: the words follow the rule and ties never split well / far
    rng = np.random.default_rng(0)
    for _ in range(300):
        lo, lo1 = rng.uniform(0.02, 0.1), rng.uniform(0.01, 0.05)
        band = bands((lo, lo * rng.uniform(1.05, 2.0)), (lo1, lo1 * rng.uniform(1.05, 3.0)))
        q = with_w1(dict(zip(dc.WEIGHTINGS, lo * rng.uniform(0.8, 4.0, 3))),
                    dict(zip(dc.WEIGHTINGS, lo1 * rng.uniform(0.8, 6.0, 3))))
        check_sample_verdicts(weighting.verdict(curves, q, L, 0.1, band), table_of(q), band)


def test_weighting_verdict_reads_the_true_sets_spread_not_a_fixed_factor():
    """tutorial, Preconditioned, ε = 0.0001: γₜ = σₜ² (0.0972, 1.8× the true samples' value) was
    "within 2×: as close to p₀ as this sample count can tell" while independent true sets score
    0.0528 to 0.0787; ring8, ε = 0.1: γₜ = g(t)² (0.338) and γₜ = 1 (0.402) were "no winner" because
    they differ by less than the whole true-samples distance (0.237), not the spread of true sets.
    The verdicts now read the measured range: well only at or below its highest, no winner only
    within its spread (largest − smallest), each with its numbers."""
    from dashboard import weighting
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    t = np.geomspace(1e-4, 1, 5)
    curves = {w: pd.DataFrame({"t": t, "mse": 1 / t}) for w in dc.WEIGHTINGS}
    # (a): above the highest true set by less than the spread: the sample count cannot tell
    tutorial = with_w1({"sigma2": 0.0972, "uniform": 0.21, "g2": 0.15})
    text = weighting.verdict(curves, tutorial, L, 1e-4, bands((0.0528, 0.0787)))
    assert "as well as this" not in text, text
    assert (f"**{L['sigma2']}**: sliced W₂ 0.0972 is above the true sets' highest (0.0787) by no more than their "
            "spread (0.0259, so at most 0.105)") in text, text
    assert "score 0.0528 to 0.0787, a spread of 0.0259" in text, text
    # (b): 0.064 apart is a winner when the true sets spread 0.032 (Train & sample's 0.073 to 0.105) ...
    ring = with_w1({"sigma2": 0.60, "uniform": 0.402, "g2": 0.338})
    narrow = weighting.verdict(curves, ring, L, 0.1, bands((0.073, 0.105)))
    assert "no winner" not in narrow.split("; the lowest W₁")[0] and "none of them samples p₀ well" in narrow, narrow
    # ... and no winner when they spread wider than the gap (ring8's own true sets)
    wide = weighting.verdict(curves, ring, L, 0.1, bands((0.152, 0.301)))
    assert (f"but **{L['uniform']}** (0.402) differs from it by no more than that spread: no winner") in wide, wide
    for q, band in ((tutorial, (0.0528, 0.0787)), (ring, (0.073, 0.105)), (ring, (0.152, 0.301)),
                    (with_w1({"sigma2": 0.07, "uniform": 0.075}), (0.073, 0.105))):
        check_sample_verdicts(weighting.verdict(curves, q, L, 0.1, bands(band)), table_of(q), bands(band))


@pytest.mark.parametrize("mixture,net,eps", [("tutorial", "preconditioned", 0.1), ("ring8", "preconditioned", 0.1),
                                             ("ring8", "preconditioned", 1e-4), ("ring8", "tutorial", 0.1),
                                             ("ring8", "tutorial", 1e-4), ("tutorial", "tutorial", 1e-3),
                                             ("tutorial", "tutorial", 0.1), ("tutorial", "preconditioned", 1e-4)])
def test_weighting_sample_verdicts_hold_on_the_page(mixture, net, eps):
    """The findings' states (tutorial and ring8, both networks, ε = 0.1 and 0.0001) and another: the
    sentence quotes the range of the true sets scored as the table's samples (models.quality_band)
    for both distances, and its verdict on each network follows the one rule from the table's
    sliced W₂ and W₁ of log p and those ranges; no two networks within a spread get opposite
    verdicts by it."""
    from dashboard import weighting
    at = open_page(WEIGHT, 600, w_mixture=mixture, w_weight_net=net, w_weight_eps=eps)
    assert not at.exception
    table = at.dataframe[0].value
    assert [weighting.quality_column(k) for k, _ in weighting.MEASURES] == list(table.columns[-2:])
    said = next(m.value for m in at.markdown if m.value.startswith("**In this state**"))
    check_sample_verdicts(said, table, page_band(mixture))
    assert "2×" not in said and "true samples:" not in said, said


def test_weighting_error_chart_title_follows_the_view():
    """σₜ² × score error view: the title still said "Learned score error by time" over a y axis of
    σₜ² × score error; title and axis name the view's quantity, in the builder and on the page."""
    import json
    from dashboard.figures import weighting as wfig
    t = np.geomspace(1e-4, 1, 6)
    df = pd.concat([pd.DataFrame({"t": t, "error": 1 / t, "weighting": w}) for w in dc.WEIGHTINGS])
    raw, scaled = (wfig.weighting_error_chart(df, eps=1e-3, view=v).to_dict() for v in ("mse", "scaled"))
    assert raw["title"] == "Learned score error by time, one network per weighting"
    assert scaled["title"] == "Learned σₜ² × score error by time, one network per weighting"
    at = open_page(WEIGHT, 600)
    for view, words in (("scaled", "σₜ² × score error"), ("raw", "score error E‖sθ − ∇log pₜ‖²/d")):
        at.radio(key="w_weight_view").set_value(view).run()
        spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
        title = spec["title"]["text"] if isinstance(spec["title"], dict) else spec["title"]
        assert title.startswith(f"Learned {words.split(' E')[0]} by time"), title
        assert f"{words} (log scale)" in json.dumps(spec, ensure_ascii=False)


def _distance_histogram(mixture: str, n_points: int) -> tuple[dict, dict]:
    """The memorization page's distances at its default seed (exact score and fresh draws, 500
    samples) and their distance histogram's spec, at r = 0.05."""
    from dashboard import memorization, state
    from dashboard.figures import memorization as mfig
    gmm, seed = dc.PRESETS[mixture], state.DEFAULT_SEED
    cfg, emp, _ = memorization.model_job(gmm, n_points, 1500, 128, seed)
    sets = memorization.sample_sets(cfg, emp, gmm, 500, seed, "cpu", learned=False)
    d = {name: memorization.distance_stats(sets, memorization.training_points(gmm, n_points, seed), 0.05)[name]["d"]
         for name in sets}
    return d, mfig.distance_histogram(d, 0.05, memorization.COLORS).to_dict()


@pytest.mark.parametrize("mixture,n_points", [("ring8", 5), ("tutorial", 5), ("ring8", 50)])
def test_memorization_histogram_axis_holds_every_distance(mixture, n_points):
    """ring8, N = 5: the distance axis started at 0.0001 while a third of the exact score's samples
    lie closer than that to a training point: they were piled into the first bin. The axis starts at
    the smallest distance drawn and every bin holds the share of the distances that fall in it."""
    d, spec = _distance_histogram(mixture, n_points)
    lo_axis = next(l for l in spec["layer"] if l["mark"]["type"] == "bar")["encoding"]["x"]["scale"]["domain"][0]
    everything = np.concatenate(list(d.values()))
    assert lo_axis <= everything.min()
    if (mixture, n_points) == ("ring8", 5):
        assert (everything < 1e-4).any()           # the state of the finding: distances below 0.0001
    rows = pd.DataFrame(next(iter(spec["datasets"].values())))
    for name, v in d.items():
        bins = rows[rows["series"] == name]
        inside = [np.mean((v >= a) & ((v < b) | (i == len(bins) - 1) & (v <= b)))
                  for i, (a, b) in enumerate(zip(bins["lo"], bins["hi"]))]
        assert bins["fraction"].tolist() == pytest.approx(inside), name
        assert bins["fraction"].sum() == pytest.approx(1.0)


def test_memorization_sweep_chart_is_tall_enough_to_read():
    """After "Run the sweep" the 0–100 % chart was drawn about 140 px tall (Streamlit's "fit"
    squeezed title, legend and axes into its height): its plot area now has a height of its own."""
    from dashboard import memorization
    from dashboard.figures import memorization as mfig
    rows = [(2, 0.43, 0.0), (5, 0.33, 0.01), (10, 0.1, 0.01), (20, 0.26, 0.05), (50, 0.12, 0.09)]
    spec = mfig.rate_sweep_chart(memorization.sweep_frame(rows, 500)).to_dict()
    assert spec["height"] >= 250 and spec["autosize"]["type"] == "fit-x"
    hist = mfig.distance_histogram({"a": np.geomspace(1e-3, 1, 50)}, 0.1).to_dict()
    assert hist["height"] >= 250 and hist["autosize"]["type"] == "fit-x"


def test_memorization_histogram_fraction_axis_starts_at_zero():
    """The distance histogram's y axis is a share of samples: it starts at 0 (it was padded down to
    -0.05 under the bars), in both the bars' and the step lines' encodings."""
    from dashboard.figures import memorization as mfig
    hist = mfig.distance_histogram({"a": np.geomspace(1e-3, 1, 50), "b": np.full(50, 0.2)}, 0.1).to_dict()
    ys = [layer["encoding"]["y"] for layer in hist["layer"] if "y" in layer.get("encoding", {})
          and layer["encoding"]["y"].get("field") == "fraction"]
    assert len(ys) == 2 and all(y["scale"]["domainMin"] == 0 for y in ys), ys


@pytest.mark.parametrize("name, n", [("ring8", 5), ("ring8", 50), ("tutorial", 2)])
def test_memorization_radius_caption_calls_the_spacing_a_nearest_neighbour_distance(name, n):
    """The spacing in the radius caption is mem.spacing: the median distance from each of N fresh
    draws to the nearest of the others, not a distance "between N fresh draws"; the caption says so
    with its number. The caption is called as the page calls it (with the panel's draws and the
    chance per draw)."""
    import diffusion_core as dc
    from diffusion_core import memorization as mem
    from dashboard import memorization
    gmm = dc.PRESETS[name]
    mode_std, gap, scale = memorization.data_scales(gmm, n)
    assert gap == pytest.approx(mem.spacing(gmm, n))
    seed = state.DEFAULT_SEED
    chance = memorization.chance_rate(gmm, memorization.points_of(gmm, n, seed), 0.2 * scale, seed)
    text = memorization.radius_caption(0.2, n, mode_std, gap, scale, 0.03, 500, chance)
    assert (f"the median distance from each of {n} fresh draws to the nearest of the others ({gap:.3g})"
            in text), text
    assert "distance between" not in text and f"= **{0.2 * scale:.3g}**" in text


@pytest.mark.parametrize("mixture,n_points", [("ring8", 5), ("tutorial", 5), ("ring8", 50)])
def test_memorization_histogram_has_headroom_above_the_tallest_bar(mixture, n_points):
    """ring8, N = 5: the true mixture's bar near distance 3 reached about 0.49, at the plot's top edge.
    The fraction axis now runs from 0 to a step-of-a-1-2-5-number above 1.1 × the tallest bar, in
    both layers (the axis still starts at 0)."""
    from dashboard.figures import memorization as mfig
    d, spec = _distance_histogram(mixture, n_points)
    tallest = max(r["fraction"] for r in next(iter(spec["datasets"].values())))
    ys = [layer["encoding"]["y"] for layer in spec["layer"] if layer.get("encoding", {}).get("y", {}).get("field") == "fraction"]
    assert len(ys) == 2
    for y in ys:
        top = y["scale"]["domainMax"]
        assert y["scale"]["domainMin"] == 0 and y["scale"]["nice"] is False
        assert min(1.0, mfig.HEADROOM * tallest) <= top <= 2 * mfig.HEADROOM * tallest, (tallest, top)
    if (mixture, n_points) == ("ring8", 5):
        assert tallest > 0.4                       # the state of the finding: a bar near 0.49
    assert mfig.fraction_top(0.49) == 0.6 and mfig.fraction_top(0.3) == 0.35
    assert mfig.fraction_top(0.98) == 1.0 and mfig.fraction_top(1.0) == 1.0    # a share never above 1


def check_table_formats(at):
    """Every column of the results table prints all its rows with one fixed number of decimals,
    as many as give its smallest value 3 significant digits (column_format), the times to the ms."""
    import json
    from dashboard import weighting
    table = at.dataframe[0].value
    formats = {c: v["type_config"]["format"] for c, v in json.loads(at.dataframe[0].proto.columns).items()}
    assert set(formats) == set(table.columns)
    for column, fmt in formats.items():
        assert fmt.startswith("%.") and fmt.endswith("f"), (column, fmt)     # decimals, not %g
        want = "%.3f" if column == weighting.TIME_COLUMN else weighting.column_format(table[column])
        assert fmt == want, (column, fmt, want)
        shown = [fmt % v for v in table[column]]
        assert len({len(s.split(".")[1]) if "." in s else 0 for s in shown}) == 1, shown
        if column != weighting.TIME_COLUMN:
            smallest = min(shown, key=float).lstrip("0.")
            assert len(smallest.replace(".", "")) >= 3, shown      # 3 significant digits at least


def test_weighting_table_column_formats():
    """The score MSE printed 0.01999 / 0.154 / 0.03651 (.4g) and the sliced W₂ 0.1775 / 7.6299
    (4 decimals): one rule per column now, the same decimals on every row."""
    from dashboard import weighting
    assert weighting.column_format([0.01999, 0.154, 0.03651]) == "%.4f"
    assert [weighting.column_format([0.01999, 0.154, 0.03651]) % v for v in (0.01999, 0.154)] == ["0.0200", "0.1540"]
    assert weighting.column_format([0.1775, 7.6299, 0.4748]) == "%.3f"
    assert weighting.column_format([120.0, 3400.0]) == "%.0f"
    assert weighting.column_format([0.0009999, 0.5]) == "%.5f"         # 0.0009999 prints 0.00100
    assert weighting.column_format([0.0, np.nan]) == "%.3f"


@pytest.mark.parametrize("mixture", ["tutorial", "ring8"])
def test_weighting_table_prints_each_column_with_one_rule(mixture):
    at = open_page(WEIGHT, 600, w_weight_steps=100, **({} if mixture == "tutorial" else {"w_mixture": mixture}))
    assert not at.exception
    check_table_formats(at)
    at.radio(key="w_weight_view").set_value("scaled").run()
    check_table_formats(at)


def _union_probability(gmm, points, r, n_r=200, n_a=256):
    """P(min_i |x - points_i| <= r) for x ~ gmm: the density integrated by the midpoint rule in
    polar coordinates over each disk, the part of it nearer its own centre than any other (the
    disks' union, each point counted once; independent of any sampling)."""
    return sum(_disk_probability(gmm, points, i, r, n_r, n_a) for i in range(len(points)))


def _disk_probability(gmm, points, i, r, n_r, n_a):
    import torch
    rho = (np.arange(n_r) + 0.5) / n_r * r
    phi = (np.arange(n_a) + 0.5) / n_a * 2 * np.pi
    R, PHI = np.meshgrid(rho, phi, indexing="ij")
    centre = points[i]
    x = np.stack([centre[0] + R * np.cos(PHI), centre[1] + R * np.sin(PHI)], -1).reshape(-1, 2)
    own = np.linalg.norm(x[:, None] - points[None], axis=-1).argmin(1) == i
    dens = (np.exp(gmm.log_prob(torch.as_tensor(x, dtype=torch.float64)).numpy()) * own).reshape(R.shape)
    return float((dens * R).sum() * (r / n_r) * (2 * np.pi / n_a))


@pytest.mark.parametrize("name, n", [("ring8", 5), ("ring8", 20), ("tutorial", 5)])
def test_memorization_baseline_caption_says_what_is_counted_and_its_noise(name, n):
    """ring8, N = 5: the caption said fresh draws land within r "3% of the time", which read as the
    chance per draw (the average over training sets is about 1.4 %). It is the share of the panel's
    fresh draws within r of the nearest of these N points: the caption gives it as k of n draws with
    its binomial error, and the chance per draw for these points on CHANCE_DRAWS further draws, which
    matches the probability mass of the disks of radius r around them (quadrature of the density)."""
    from dashboard import memorization
    gmm = dc.PRESETS[name]
    mode_std, gap, scale = memorization.data_scales(gmm, n)
    r = sio.SCHEMA["w_memo_radius"].default * scale
    seed = state.DEFAULT_SEED
    pts = memorization.points_of(gmm, n, seed)
    exact = _union_probability(gmm, pts, r)
    chance = memorization.chance_rate(gmm, pts, r, seed)
    assert abs(chance - exact) < 4 * models.standard_error(exact, memorization.CHANCE_DRAWS), (chance, exact)
    x = models.true_samples(gmm, 500, seed)
    base = float(np.mean(np.linalg.norm(x[:, None] - pts[None], axis=-1).min(1) <= r))
    text = memorization.radius_caption(0.3, n, mode_std, gap, scale, base, 500, chance)
    k = int(round(base * 500))
    assert f"Of the panel's 500 fresh draws of the true distribution, {k} (**{memorization.rate_text(base)}**) land within r" in text
    half = 2 * models.standard_error(base, 500)
    assert f"± {100 * half:.1f} percentage points at 2 binomial standard errors of 500 draws" in text, text
    assert f"the chance per draw for these {n} points is {100 * chance:.2f}%" in text, text
    assert "of the time" not in text


@pytest.mark.parametrize("extra", [{}, {"w_mixture": "ring8", "w_memo_points": 3, "w_memo_steps": 200}])
def test_memorization_training_time_is_measured_not_typed(extra):
    """The caption said "Training takes a few seconds" (21 s and 35 s were seen with N = 50, the
    sweep's "about 3 s each"): no duration is typed; the one shown is the network's measured
    training time (the Train & sample page's words)."""
    from dashboard import memorization
    from dashboard.train import training_time_text
    at = open_page(MEMO, 600, **extra)
    assert not at.exception and not at.error
    captions = [c.value for c in at.caption]
    assert not any("few seconds" in c or "about 3 s" in c for c in captions), captions
    gmm = dc.PRESETS[extra.get("w_mixture", models.DEFAULT_MIXTURE)]
    d = {k: extra.get("w_memo_" + k, sio.SCHEMA["w_memo_" + k].default) for k in ("points", "steps", "width")}
    cfg, emp, lam = memorization.model_job(gmm, d["points"], d["steps"], d["width"], state.DEFAULT_SEED)
    seconds = models.trained_model(cfg, emp, lam).seconds
    assert any(c == training_time_text(True, 0.0, seconds) or f"**{seconds:.1f} s**" in c for c in captions), captions


@pytest.mark.parametrize("lam, eps", [(25.0, 1e-3), (25.0, 0.1), (25.0, 1e-4), (50.0, 1e-2), (2.0, 1e-3)])
def test_weighting_g2_sentence_describes_the_normalised_chart(lam, eps):
    """The sentence said g(t)² "acts like γₜ = 1 near t = 0 and like σₜ² at large t", beside a chart
    of each weight over its mean, where g(t)²'s curve starts about 100× below γₜ = 1's line
    (ε = 0.001, 0.1). It now reads the chart's frame: g(t)²'s value at t = ε, how far below γₜ = 1's
    line and how far from σₜ²'s curve, and from which t on it lies within 10% of σₜ²'s curve."""
    import re
    from dashboard import weighting
    df = weighting.weight_curves(lam, eps)
    text = weighting.weights_text(df, lam, eps)
    assert "acts like γₜ = 1 near t = 0" not in text
    by = {w: f.sort_values("t") for w, f in df.groupby("weighting")}
    t = by["g2"]["t"].to_numpy()
    g, s, u = (by[w]["weight"].to_numpy() for w in ("g2", "sigma2", "uniform"))
    assert f"g(t)²'s curve starts at {weighting.sig(g[0])} at t = ε" in text, text
    below = re.search(r"at t = ε: ([\d,.]+)× (below|above) γₜ = 1's line", text)
    assert below and below.group(2) == ("below" if g[0] < u[0] else "above"), text
    assert float(below.group(1).replace(",", "")) == pytest.approx(max(u[0] / g[0], g[0] / u[0]), rel=0.06)
    vs = re.search(r"and ([\d,.e+-]+)× (below|above) σₜ²'s curve", text)
    assert vs and vs.group(2) == ("above" if g[0] > s[0] else "below"), text
    assert float(vs.group(1).replace(",", "")) == pytest.approx(g[0] / s[0] if g[0] > s[0] else s[0] / g[0], rel=0.06)
    close = np.maximum(g, s) <= weighting.NEAR * np.minimum(g, s)
    joined = re.search(r"from t = ([\d.e-]+) on it lies within 10% of σₜ²'s curve", text)
    if joined:          # the first plotted t of the last run of t's within 10%, which runs to t = 1
        k = len(close) - int(np.argmin(close[::-1])) if not close.all() else 0
        assert close[k:].all() and 0 < k < len(t) and not close[k - 1], text
        assert joined.group(1) == f"{t[k]:.2g}", text
    else:
        assert not close[-1] and "it is not within 10% of σₜ²'s curve at t = 1" in text, text


@pytest.mark.parametrize("lam, eps", [(25.0, 1e-3), (25.0, 0.1), (50.0, 1e-4), (2.0, 1e-2)])
def test_weighting_g2_mean_is_the_closed_form(lam, eps):
    """The sentence said "Divided by its mean, 98" at λ = 25, ε = 0.001, where the mean of
    g(t)² = λ^(2t) over U[ε, 1] is (λ² − λ^(2ε)) / (2 ln λ (1 − ε)) = 97.02 (an average of 300 evenly
    spaced values overshoots it). The chart divides each weight by its exact mean (σₜ²'s is
    (mean g² − 1) / (2 ln λ), 1's is 1), and the sentence prints that mean."""
    import math
    import torch
    from dashboard import weighting
    c = math.log(lam)
    g2_mean = (lam ** 2 - lam ** (2 * eps)) / (2 * c * (1 - eps))
    means = {"g2": g2_mean, "sigma2": (g2_mean - 1) / (2 * c), "uniform": 1.0}
    df = weighting.weight_curves(lam, eps)
    sde = dc.VESDE(lam)
    for w, mean in means.items():
        f = df[df["weighting"] == w]
        raw = dc.loss_weight(sde, torch.as_tensor(f["t"].to_numpy(), dtype=torch.float64), w).numpy()
        assert f["weight"].to_numpy() == pytest.approx(raw / mean, rel=1e-9), w
    text = weighting.weights_text(df, lam, eps)
    said = f"{g2_mean:,.0f}" if g2_mean >= 100 else f"{g2_mean:.2g}"     # two significant digits at least
    assert f"Divided by its mean, {said}" in text, text


def test_weighting_page_g2_sentence_is_the_charts():
    """On the page (default state and ε = 0.1): the sentence on g(t)² is weights_text of the chart's
    own frame, and the claim that it acts like γₜ = 1 near t = 0 is gone."""
    from dashboard import weighting
    for eps in (sio.SCHEMA["w_weight_eps"].default, 0.1):
        at = open_page(WEIGHT, 600, w_weight_steps=100, w_weight_eps=eps)
        assert not at.exception
        said = [m.value for m in at.markdown]
        assert not any("acts like γₜ = 1 near t = 0" in m for m in said)
        assert weighting.weights_text(weighting.weight_curves(weighting.LAM, eps), weighting.LAM, eps) in said
        assert any("over its mean" in c.proto.spec for c in at.get("vega_lite_chart"))   # the chart's title says so


@pytest.mark.parametrize("eps", sio.SCHEMA["w_weight_eps"].choices)
def test_weighting_weight_chart_holds_every_value_its_sentence_quotes(eps):
    """The sentence quoted σₜ²'s curve at t = ε (6.7e-05 at ε = 0.001) beside a chart whose lowest
    labelled tick was 0.0001 and whose linear t axis put ε within a pixel of t = 0: now t is on a
    log axis that starts at ε (its first tick), the y axis has a labelled tick at or below the
    smallest weight drawn, and every value the sentence quotes lies inside both domains, for every
    ε. The title fits the narrower column: at most 2/3 of the left chart's (which has 3/2 its width)."""
    import re
    from dashboard import weighting
    from dashboard.figures import weighting as wfig
    from dashboard.figures.common import chart_spec
    df = weighting.weight_curves(weighting.LAM, eps)
    spec = chart_spec(wfig.weight_functions_chart(df))
    x, y = spec["encoding"]["x"], spec["encoding"]["y"]
    assert x["scale"]["type"] == "log" and x["scale"]["domain"][0] == eps and x["axis"]["values"][0] == eps
    lo, hi = y["scale"]["domain"]
    assert y["axis"]["values"][0] == lo <= df["weight"].min() and df["weight"].max() <= hi
    text = weighting.weights_text(df, weighting.LAM, eps)
    quoted = re.search(r"line at ([\d.e+-]+).*starts at ([\d.e+-]+) at t = ε.*σₜ²'s curve \(([\d.e+-]+)\)", text)
    assert quoted, text
    for v in map(float, quoted.groups()):
        assert lo <= v <= hi, (v, lo, hi)
    joined = re.search(r"from t = ([\d.e-]+) on", text)
    if joined:
        assert eps <= float(joined.group(1)) <= 1.0
    left = wfig.weighting_error_chart(pd.DataFrame({"t": [0.1, 1.0], "error": [1.0, 2.0], "weighting": "g2"}))
    assert 3 * len(spec["title"]) <= 2 * len(left.title)
    assert "over its mean" in spec["title"]


@pytest.mark.parametrize("lam", [2.0, 25.0, 50.0])
def test_weighting_sentences_print_no_exponents(lam):
    """The weight chart's sentence printed g(t)²'s value over its mean at t = ε as 6.7e-05: every
    number in it, at every ε, now reads in plain notation (0.0000670), with as many significant digits."""
    from dashboard import vocabulary, weighting
    for eps in sio.SCHEMA["w_weight_eps"].choices:
        text = weighting.weights_text(weighting.weight_curves(lam, eps), lam, eps)
        assert not re.search(r"\de[-+]?\d", text), (eps, text)
    assert weighting.sig(6.7e-05) == "0.0000670" and weighting.sig(0.000123456) == "0.000123"
    assert vocabulary.short_number(6.7e-05) == "0.000067" and weighting.sig(2389.4) == "2,389"


@pytest.mark.parametrize("mixture, n_points", [("ring8", 5), ("ring8", 50), (models.DEFAULT_MIXTURE, 5)])
def test_memorization_radius_too_small_to_see_is_said_not_pointed_at(mixture, n_points):
    """ring8, N = 5 (r = 0.045) and N = 50 (r = 0.0325): the legend pointed at a circle "inside the
    ring" that, on panels of 212 px for 10 units, is under a pixel. Where a circle is no larger than a
    sample's dot on the chart's own panels, the legend gives its size in pixels and says it is too
    small to see, and the caption under the chart points to the histogram's dashed line; where it
    can be seen, neither says so."""
    import json

    from dashboard import memorization
    from dashboard.figures import memorization as mfig
    at = open_page(MEMO, 600, w_mixture=mixture, w_memo_points=n_points)
    assert not at.exception and not at.error
    gmm = dc.PRESETS[mixture]
    radius = sio.SCHEMA["w_memo_radius"].default * memorization.data_scales(gmm, n_points)[2]
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    panel = spec["hconcat"][0]
    xlim = panel["layer"][1]["encoding"]["x"]["scale"]["domain"]
    dots = [layer["mark"]["size"] for layer in panel["layer"] if layer["mark"]["type"] == "circle"]
    r_px = radius / (xlim[1] - xlim[0]) * panel["width"]             # the chart's own pixels per unit
    hidden = r_px <= np.sqrt(dots[0] / np.pi)
    assert hidden == (mixture == "ring8")                               # the states of the finding, and one visible
    words = mfig.radius_label(radius, xlim, panel["width"])
    assert words in at.get("vega_lite_chart")[0].proto.spec
    note = memorization.radius_note(radius, {"xlim": xlim})
    captions = [c.value for c in at.caption]
    if hidden:
        assert f"{r_px:.2g} px: too small to see" in words and note in captions
        assert "histogram below marks r" in note and f"radius {radius:.3g}" in str(at.get("vega_lite_chart")[1].proto)   # the dashed line's label
    else:
        assert "too small" not in words and note == "" and not any("cannot be seen" in c for c in captions)


def test_memorization_network_against_fresh_draws_is_said_from_the_rates():
    """"With more points it cannot, and its samples look like fresh draws" stood beside a network
    at 15 % against 9 % for fresh draws (ring8, N = 50): the paragraph now gives the page's own two
    rates and whether they differ beyond the noise of the measure (binomial, both rates)."""
    from dashboard import memorization
    more = memorization.network_vs_fresh(0.15, 0.09, 500, 50)
    assert "75 of the network's 500 samples (15.0%) land within r of one, against 45 of 500 fresh draws (9.0%)" \
        in more, more
    noise = 2 * math.sqrt(0.15 * 0.85 / 500 + 0.09 * 0.91 / 500)          # 2 standard errors of the difference
    assert f"more, by more than the noise of the measure (± {100 * noise:.1f} percentage points)" in more, more
    same = memorization.network_vs_fresh(0.10, 0.09, 500, 50)
    assert "within the noise of the measure" in same and "more often than chance" not in same
    # tutorial, N = 5, r = 0.01: 6 of 500 against 0 read "1% against 0%: more than ± 1.0"; the
    # printed rates now show the difference the verdict rests on
    few = memorization.network_vs_fresh(6 / 500, 0.0, 500, 5)
    assert "6 of the network's 500 samples (1.2%)" in few and "0 of 500 fresh draws (0%)" in few, few
    for mixture, points in (("ring8", 50), ("tutorial", 5)):
        at = open_page(MEMO, 600, w_mixture=mixture, w_memo_points=points)
        assert not at.exception and not at.error
        metrics = {m.label: _pct(m.value) for m in at.metric}
        why = next(m.value for m in at.markdown if m.value.startswith("**Why the exact score memorizes.**"))
        assert "look like fresh draws" not in why
        import re
        got = re.search(rf"Here, with N = {points} training points, (\d+) of the network's 500 samples "
                        r"\(([\d.]+)%\) land within r of one, against (\d+) of 500 fresh draws \(([\d.]+)%\)", why)
        assert got, why
        k_net, p_net, k_base, p_base = int(got[1]), float(got[2]), int(got[3]), float(got[4])
        assert p_net == pytest.approx(100 * k_net / 500, abs=0.05) and p_base == pytest.approx(100 * k_base / 500, abs=0.05)
        assert abs(k_net / 500 - metrics["Network (learned score)"]) <= 0.005       # the metric, rounded
        assert abs(k_base / 500 - metrics["True mixture (fresh draws)"]) <= 0.005


def test_memorization_network_is_judged_against_the_sharp_chance_rate():
    """Tutorial, N = 50: 52 of the network's 500 samples (10.4 %) against 40 of 500 fresh draws (8.0 %) was
    "within the noise (± 3.7 points): as close to the training points as fresh draws are", while the same
    screen gave the chance per draw on 100,000 draws, 6.91 % (± 0.2): 3.5 points below the network, beyond
    its noise. The verdict now compares the network with that chance rate, whose own error is tiny; both
    baselines are printed. Seed 2022 (10.6 % against 7.39 %) reads the same; a network at chance does not."""
    from dashboard import memorization
    for rate, base, chance in ((0.104, 0.080, 0.0691), (0.106, 0.086, 0.0739)):
        text = memorization.network_vs_fresh(rate, base, 500, 50, chance=chance)
        noise = 2 * math.hypot(math.sqrt(rate * (1 - rate) / 500), math.sqrt(chance * (1 - chance) / 100_000))
        assert (f"against {round(base * 500)} of 500 fresh draws ({100 * base:.1f}%) and a chance per draw of "
                f"{100 * chance:.2f} % on 100,000 further draws: more than that chance, by more than the noise of "
                f"the measure (± {100 * noise:.1f} percentage points)") in text, text
        assert "as close to the training points as fresh draws are" not in text
        # the tiles compare with the panel's fresh draws: that the verdict differs from theirs is said, with why
        panel = 2 * math.hypot(math.sqrt(rate * (1 - rate) / 500), math.sqrt(base * (1 - base) / 500))
        assert (f"Against the panel's own 500 fresh draws alone the difference is within the noise of two sets of "
                f"500 (± {100 * panel:.1f} percentage points): the chance per draw, measured on 100,000 draws, is "
                "the sharper baseline, and the verdict uses it.") in text, text
    far = memorization.network_vs_fresh(0.16, 0.080, 500, 50, chance=0.0691)
    assert "more than that chance" in far and "Against the panel's own" not in far, far
    same = memorization.network_vs_fresh(0.075, 0.080, 500, 50, chance=0.0691)
    assert "Against the panel's own" not in same, same
    assert "within the noise of the measure (± 2.4 percentage points) of that chance: as close" in same, same
    at = open_page(MEMO, 600, w_mixture="tutorial", w_memo_points=50)
    why = next(m.value for m in at.markdown if m.value.startswith("**Why the exact score memorizes.**"))
    assert "and a chance per draw of" in why and "% on 100,000 further draws: " in why, why


def test_weighting_far_network_tied_to_an_unclear_one_is_not_called_far():
    """ring8, ε = 0.1: γₜ = 1 (0.676) and γₜ = g(t)² (0.752) were said to differ by less than true
    samples do from each other (no winner), then given opposite verdicts across a cut-off. A far
    network within the true sets' spread of an unclear one is now said to be tied to it: the
    sample count cannot tell whether it samples p₀ well by that distance."""
    from dashboard import weighting
    band = (0.5, 0.6)                               # spread 0.1: unclear up to 0.7, far above
    kinds = weighting.sample_verdicts({"uniform": 0.676, "g2": 0.752, "sigma2": 0.2}, band)
    assert models.within_noise(0.676, 0.752, 0.1)
    assert [weighting.sample_verdict(v, band) for v in (0.676, 0.752)] == ["unclear", "far"]
    assert kinds == {"uniform": "unclear", "g2": "tied", "sigma2": "well"}, kinds
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    t = np.geomspace(1e-4, 1, 5)
    curves = {w: pd.DataFrame({"t": t, "mse": 1 / t}) for w in dc.WEIGHTINGS}
    text = weighting.verdict(curves, with_w1({"uniform": 0.676, "g2": 0.752, "sigma2": 0.2}), L, 0.1, bands(band))
    assert f"**{L['g2']}**: sliced W₂ 0.752 is above the true sets' highest (0.6) by more than their spread (0.1), " \
           f"but within that spread of **{L['uniform']}** (0.676), which is above the highest by no more than the " \
           "spread and W₁ of log p 0.02 is at or below the true sets' highest (0.03), so by sliced W₂ and W₁ of " \
           "log p this sample count cannot tell whether it samples p₀ well" in text, text
    assert "does not sample" not in text
    # the tied clause names every network it is tied to
    text = weighting.verdict(curves, with_w1({"uniform": 0.65, "sigma2": 0.68, "g2": 0.74}), L, 0.1, bands(band))
    assert f"**{L['g2']}**: sliced W₂ 0.74 is above the true sets' highest (0.6) by more than their spread (0.1), " \
           f"but within that spread of **{L['uniform']}** (0.65) and **{L['sigma2']}** (0.68), which are above" in text, text
    # a tie by W₁ of log p reads the same way, with W₁'s numbers
    q = with_w1({"uniform": 0.2, "sigma2": 0.2, "g2": 0.2}, {"uniform": 0.035, "g2": 0.054})
    text = weighting.verdict(curves, q, L, 0.1, bands(band))
    assert f"W₁ of log p 0.054 is above the true sets' highest (0.03) by more than their spread (0.02), but within " \
           f"that spread of **{L['uniform']}** (0.035)" in text, text
    check_sample_verdicts(text, table_of(q), bands(band))


def test_weighting_verdict_rests_on_both_distances():
    """ring8, Preconditioned, ε = 0.0001: γₜ = σₜ² (sliced W₂ 0.299, the true sets' highest 0.301) was
    "as close to p₀ as this sample count can tell" while its W₁ of log p was 6.86 against the true
    sets' 0.024 to 0.0663: sliced W₂ does not see mode widths. ε = 0.1: 0.334 / 0.338 / 0.402 were
    "cannot tell" while W₁ of log p (8.04 / 11.1 / 17.6) is far beyond its range. A network samples p₀
    well only where both distances lie within their true sets' range, does not where either lies
    beyond it by more than its spread (that distance named, with its numbers), else cannot tell."""
    from dashboard import weighting
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    t = np.geomspace(1e-4, 1, 5)
    curves = {w: pd.DataFrame({"t": t, "mse": 1 / t}) for w in dc.WEIGHTINGS}
    ring8 = bands((0.152, 0.301), (0.024, 0.0663))          # the page's true sets at ring8, 2,000 samples
    one = with_w1({"sigma2": 0.299, "uniform": 0.985, "g2": 0.973}, {"sigma2": 6.86, "uniform": 97.3, "g2": 96.7})
    text = weighting.verdict(curves, one, L, 1e-4, ring8)
    assert (f"**{L['sigma2']}**: sliced W₂ 0.299 is at or below the true sets' highest (0.301) and W₁ of log p 6.86 "
            "is above the true sets' highest (0.0663) by more than their spread (0.0423, so above 0.109), so by "
            "W₁ of log p it does not sample p₀ well at these settings") in text, text
    assert (f"**{L['g2']}**: sliced W₂ 0.973 is above the true sets' highest (0.301) by more than their spread "
            "(0.149, so above 0.45) and W₁ of log p 96.7 is above the true sets' highest (0.0663) by more than "
            "their spread (0.0423, so above 0.109), so by sliced W₂ and W₁ of log p it does not sample") in text
    assert "the same true sets score 0.024 to 0.0663, a spread of 0.0423)" in text, text
    assert "as well as this sample count" not in text and "none of them samples p₀ well" in text
    two = with_w1({"sigma2": 0.334, "uniform": 0.402, "g2": 0.338}, {"sigma2": 8.04, "uniform": 17.6, "g2": 11.1})
    text = weighting.verdict(curves, two, L, 0.1, ring8)
    assert "cannot tell" not in text and text.count("so by W₁ of log p it does not sample p₀ well") == 3, text
    assert (f"**{L['sigma2']}**: sliced W₂ 0.334 is above the true sets' highest (0.301) by no more than their "
            "spread (0.149, so at most 0.45) and W₁ of log p 8.04 is above") in text, text
    # both within their ranges: as well as the sample count can tell; W₁ just above its highest: cannot tell
    good = with_w1({"sigma2": 0.2, "uniform": 0.25, "g2": 0.5}, {"sigma2": 0.05, "uniform": 0.08, "g2": 0.05})
    text = weighting.verdict(curves, good, L, 0.1, ring8)
    assert (f"**{L['sigma2']}**: sliced W₂ 0.2 is at or below the true sets' highest (0.301) and W₁ of log p 0.05 "
            "is at or below the true sets' highest (0.0663), so by sliced W₂ and W₁ of log p it samples p₀ as well "
            "as this sample count can tell") in text, text
    assert (f"**{L['uniform']}**: sliced W₂ 0.25 is at or below the true sets' highest (0.301) and W₁ of log p 0.08 "
            "is above the true sets' highest (0.0663) by no more than their spread (0.0423, so at most 0.109), so by "
            "sliced W₂ and W₁ of log p this sample count cannot tell whether it samples p₀ well") in text, text
    assert f"**{L['g2']}**: sliced W₂ 0.5 is above" in text and "so by sliced W₂ it does not sample" in text, text
    for q in (one, two, good):
        check_sample_verdicts(weighting.verdict(curves, q, L, 0.1, ring8), table_of(q), ring8)
    assert [weighting.network_verdict(dict(zip(("sliced_w2", "logp_w1"), k))) for k in
            (("well", "well"), ("well", "far"), ("far", "unclear"), ("unclear", "well"), ("tied", "well"))] == \
        ["well", "far", "far", "unclear", "unclear"]



def test_weighting_lowest_error_is_named_only_beyond_the_draws_noise():
    """Two curves whose means differ by less than two standard errors of their draw-by-draw
    difference tie (no winner); a wider gap names the lowest."""
    from dashboard import weighting
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    t = np.geomspace(1e-4, 1, 3)
    rng = np.random.default_rng(0)
    base = rng.exponential(10.0, (3, 400))

    def frame(shift, spread):
        per = base + shift + spread * rng.standard_normal(base.shape)
        return pd.DataFrame({"t": t, "mse": per.mean(1), "draws": list(per)})
    curves = {"uniform": frame(0.0, 0.5), "g2": frame(0.01, 0.5), "sigma2": frame(15.0, 0.5)}
    text = weighting.verdict(curves, {}, L, 1e-3)
    assert f"no single weighting: **{L['uniform']}** and **{L['g2']}** tie (" in text, text
    assert "within 2 standard errors" in text and "400 draws" in text and f"next: {L['g2']}" not in text
    curves["g2"] = frame(1.0, 0.5)              # 1.0 apart, 2 standard errors ≈ 0.07
    clear = weighting.verdict(curves, {}, L, 1e-3)
    assert "tie" not in clear and f"belongs to **{L['uniform']}** (" in clear, clear


@pytest.mark.parametrize("mixture,net", [("cross", "preconditioned"), ("cross", "tutorial"),
                                         ("tutorial", "preconditioned"), ("tutorial", "tutorial"),
                                         ("ring8", "preconditioned"), ("ring8", "tutorial")])
def test_weighting_score_error_winner_is_beyond_the_noise(mixture, net):
    """The lab's own curves (ε 0.001, stratified, 600 steps): at small t and at t = 1 the sentence
    names a single lowest weighting only where the gap to the next is beyond two standard errors of
    their difference; on cross with Preconditioned (ours), γₜ = 1 and γₜ = g(t)² tie at small t."""
    from dashboard import weighting
    from dashboard.figures.weighting import WEIGHTING_LABELS as L
    curves = {w: weighting.error_by_t(weighting.lab_config(net, w, 1e-3, True, 600, 2021), dc.PRESETS[mixture],
                                      weighting.LAM, "cpu", 2021) for w in dc.WEIGHTINGS}
    text = weighting.verdict(curves, {}, L, 1e-3)
    small, end = text.split(", at t = 1 ")
    for t, part in ((weighting.first_at_eps(curves, 1e-3), small), (1.0, end)):
        ranked, tied = weighting.tied_at(curves, t)
        gap = weighting._at(curves[ranked[1]], "mse", t) - weighting._at(curves[ranked[0]], "mse", t)
        beyond = gap > weighting.NOISE_SE * weighting.difference_se(curves[ranked[1]], curves[ranked[0]], t)
        assert ("tie (" not in part) == beyond, (part, gap)
        assert f"**{L[ranked[0]]}**" in part
    if (mixture, net) == ("cross", "preconditioned"):
        assert f"**{L['uniform']}** and **{L['g2']}** tie (11.31 and 11.32" in small, small


@pytest.mark.parametrize("rate, shown", [(499 / 500, "99.8%"), (1.0, "100%"), (0.0, "0%"), (1 / 500, "0.2%"),
                                         (0.3, "30.0%"), (0.996, "99.6%"), (0.994, "99.4%"),
                                         (13 / 500, "2.6%"), (0.9996, "99.96%"), (0.0004, "0.04%")])
def test_rates_never_round_onto_0_or_100_percent(rate, shown):
    """tutorial, defaults: the network's metric read "100%" while the text below counted 499 of its 500
    samples (99.8 %) within r, and the histogram showed red past the radius."""
    assert memorization.rate_text(rate) == shown
