"""AppTest of the forward-diffusion page: renders, charts present, every widget at its extremes."""
import json
import re

import numpy as np
import torch

import pytest
from streamlit.testing.v1 import AppTest

import diffusion_core as dc
from dashboard import forward
from diffusion_core import forward as fwd_core
from conftest import open_page, charts, choose_mixture

PAGE = "views/1_forward.py"
K = "w_forward_"


@pytest.fixture(scope="module")
def at():
    return open_page(PAGE, 120)


def spec_text(chart) -> str:
    """A chart's Vega-Lite spec with its unicode escapes decoded."""
    return json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)


def ok(at, n_charts=3):
    assert not at.exception, [e.message for e in at.exception]
    assert len(charts(at)) == n_charts


def test_default_render(at):
    ok(at)
    assert at.title[0].value.startswith("Forward diffusion")
    assert not at.error
    specs = [spec_text(c) for c in charts(at)]
    assert any('"bind"' in s and '"range"' in s for s in specs)        # browser-side time slider
    assert any("exact pₜ(x)" in s for s in specs)                      # density heat map
    buttons = [b for b in at.get("download_button") if "GIF" in b.proto.label]
    assert len(buttons) == 1
    # persisted keys ("w_...") are re-assigned every run, which a download button refuses
    assert "-w_" not in buttons[0].proto.id
    assert len(at.latex) >= 4
    assert at.slider(key=K + "lam").value == 25.0


def test_the_sigma_formula_is_never_zero_over_zero(at):
    """At λ = 1 the closed form (λ^{2t} − 1)/(2 ln λ) is 0/0: the page writes its limit t."""
    at.slider(key=K + "lam").set_value(1.0).run()
    first = at.latex[0].value
    assert r"\ln\lambda" not in first.split("limit")[0] and r"\sigma_t^2 = t" in first
    assert len(first) < 40, first          # short enough for its column (a longer one was cut)
    assert any("σₜ² = t is its limit" in c.value for c in at.caption)
    at.slider(key=K + "lam").set_value(25.0).run()
    assert r"\frac{\lambda^{2t}-1}{2\ln\lambda}" in at.latex[0].value


@pytest.mark.parametrize("lam", [0.1, 0.5, 1.0, 50.0, 25.0])
def test_lambda(at, lam):
    at.slider(key=K + "lam").set_value(lam).run()
    ok(at)
    sigma1 = at.metric[0].value
    assert float(sigma1) == pytest.approx(float(dc.VESDE(lam).sigma(1.0)), rel=1e-2)
    assert len(sigma1.replace(".", "").lstrip("0")) == 3, sigma1     # three digits in every state ("1.00")


@pytest.mark.parametrize("key,values", [
    ("n_paths", [20, 500, 200]),
    ("n_points", [50, 1000, 200]),
])
def test_sizes(at, key, values):
    for v in values:
        at.slider(key=K + key).set_value(v).run()
        ok(at)


def test_density_off_and_sources(at):
    at.checkbox(key=K + "density").uncheck().run()
    ok(at)
    assert not any("exact pₜ(x)" in spec_text(c) for c in charts(at))
    at.checkbox(key=K + "density").check().run()
    at.radio(key=K + "source").set_value("sidebar").run()
    ok(at)
    at.radio(key=K + "source").set_value("two clusters").run()
    ok(at)


@pytest.mark.parametrize("name", [n for n, g in dc.PRESETS.items() if g.dim == 2])
def test_every_preset_as_source(at, name):
    at.radio(key=K + "source").set_value("sidebar").run()
    choose_mixture(at, name)
    ok(at)
    assert any("mode 1 at" in c.proto.spec for c in charts(at))
    legend = " ".join(spec_text(c) for c in charts(at))
    assert "−0," not in legend and "−0)" not in legend and "-0," not in legend and "-0)" not in legend
    assert all(f"mode {k + 1} at {forward.point(mu)}" in legend
               for k, mu in enumerate(dc.PRESETS[name].means.numpy()))


def test_mode_names_never_print_negative_zero():
    """ring8's mode 7 sits at (−2.4e-16, −4): its name reads (0, −4), as do the page's places."""
    ring = dc.PRESETS["ring8"]
    assert "mode 7 at (0, −4)" in forward.mode_names(ring)
    assert "(0, −4)" in forward.places(ring) and "−0" not in forward.places(ring)
    assert forward.point([-0.0001, 2.345]) == "(0, 2.35)"


def test_vp_and_its_extremes(at):
    at.radio(key=K + "kind").set_value("VP").run()
    ok(at)
    assert not at.error
    domain = json.loads(charts(at)[0].proto.spec)["encoding"]["color"]["scale"]["domain"]
    assert any(d.startswith("αₜ") for d in domain)                       # alpha_t curve for VP
    assert not any("_" in d for d in domain), domain                     # x₀, αₜ: no raw underscores
    for bmin, bmax in [(0.0, 0.1), (0.0, 50.0), (20.0, 50.0), (0.1, 20.0)]:
        at.number_input(key=K + "beta_max").set_value(bmax)
        at.number_input(key=K + "beta_min").set_value(bmin).run()
        ok(at)
        assert not at.error
        alpha1 = float(dc.VPSDE(bmin, bmax).mean_scale(1.0))
        assert float(at.metric[1].value) == pytest.approx(alpha1, rel=1e-2, abs=1e-3)
        assert (len(at.main.warning) == 1) == (alpha1 > 0.05)            # prior not reached


def test_vp_bad_betas_show_error_and_page_still_renders(at):
    at.radio(key=K + "kind").set_value("VP").run()
    at.number_input(key=K + "beta_min").set_value(20.0)
    at.number_input(key=K + "beta_max").set_value(5.0).run()
    ok(at)
    assert len(at.error) == 1 and "**β(1)** must be larger than **β(0)**" in at.error[0].value
    at.number_input(key=K + "beta_min").set_value(5.0)
    at.number_input(key=K + "beta_max").set_value(5.0).run()
    ok(at)
    assert len(at.error) == 1
    at.number_input(key=K + "beta_min").set_value(0.1)
    at.number_input(key=K + "beta_max").set_value(20.0).run()
    assert not at.error
    at.radio(key=K + "kind").set_value("VE").run()
    ok(at)


def test_beta_beyond_its_range_gets_a_message_next_to_it(at):
    """beta_max = 999 (beyond 50): an error naming the field and its rule, not an old message."""
    at.radio(key=K + "kind").set_value("VP").run()
    at.number_input(key=K + "beta_max").set_value(0.05).run()
    assert len(at.error) == 1 and "0.05" in at.error[0].value
    at.number_input(key=K + "beta_max").set_value(999.0).run()
    ok(at)
    assert len(at.error) == 1, [e.value for e in at.error]
    assert at.error[0].value.startswith("**β(1)** must be a number in 0..50; got 999")
    assert at.number_input(key=K + "beta_max").value == 999.0        # what was typed stays
    at.number_input(key=K + "beta_max").set_value(20.0).run()
    assert not at.error
    at.radio(key=K + "kind").set_value("VE").run()


def test_seed_changes_the_paths(at):
    before = [c.proto.spec for c in charts(at)]
    data_before = [bytes(d.data.data) for c in charts(at) for d in c.proto.datasets]
    at.session_state["w_seed"] = 7
    at.run()
    ok(at)
    data_after = [bytes(d.data.data) for c in charts(at) for d in c.proto.datasets]
    assert before and data_before != data_after


def _two_bumps_at_one(sde) -> bool:
    """An independent check: p_1 of the 1D data, as two equal Gaussians N(+-5 a_1, s^2), has two
    modes iff the gap 10 a_1 exceeds 2 s (the closed-form rule for equal two-Gaussian mixtures)."""
    a, sig = float(sde.mean_scale(1.0)), float(sde.sigma(1.0))
    return 10 * a > 2 * (a * a + sig * sig) ** 0.5


@pytest.mark.parametrize("kind,params", [("VE", 1.0), ("VE", 10.0), ("VE", 25.0), ("VE", 50.0),
                                         ("VP", (0.1, 20.0)), ("VP", (0.1, 5.0))])
def test_the_1d_text_says_what_p1_is(at, kind, params):
    """At the tutorial's lambda = 25, p_1 is one bump (sigma_1 = 9.85 against a gap of 10): the text
    must say the bumps merged, and say the opposite only where p_1 really has two modes."""
    sde = _set_process(at, kind, params)
    ok(at)
    text = next(m.value for m in at.markdown if "x₀ is drawn from N(−5, 1)" in m.value)
    two = _two_bumps_at_one(sde)
    assert ("Here they stay apart" in text) == two, text
    assert ("p₁ is a single bump" in text) == (not two), text
    a, sig = float(sde.mean_scale(1.0)), float(sde.sigma(1.0))
    guess = float(torch.special.ndtr(torch.tensor(5 * a / (a * a + sig * sig) ** 0.5)))
    assert f"right {_expected_accuracy(guess, 0.5)} of the time" in text, text
    assert "50% would be no clue" in text or "the 50% of no clue" in text, text
    assert "50 %" not in text and "right 100%" not in text, text
    gap, spread = 10 * a, (a * a + sig * sig) ** 0.5
    assert f"{gap:.3g} " in text and f"= {spread:.3g}" in text, text      # the page's own numbers
    assert f"The gap is {gap / spread:.2f}× the std" in text, text
    if kind == "VP":                           # VP merges the bumps by shrinking the gap with α₁
        assert f"2·5·α₁ = {gap:.3g} (α₁ = {a:.3g})" in text, text
        assert "only the noise can hide it" not in text, text
    else:                                      # VE keeps the gap of 10; σ₁ alone blurs it
        shown = re.search(r"with σ₁ = ([\d.]+)\.", text).group(1)       # σ₁ with the digits that tell it
        assert "stays 10" in text and float(shown) == pytest.approx(sig, rel=6e-3) and "α₁" not in text, text
    at.radio(key=K + "kind").set_value("VE").run()
    at.slider(key=K + "lam").set_value(25.0).run()


def test_the_2d_guess_is_exact_whatever_the_number_of_points(at):
    """The 2D sentence's Bayes accuracy comes from p_1, not from the drawn points: the same for 50
    and 1,000 points, and for the two clusters (means sqrt(32) apart, std 0.2) Phi(d / (2 s_1))."""
    at.radio(key=K + "kind").set_value("VE").run()
    at.slider(key=K + "lam").set_value(25.0)
    at.radio(key=K + "source").set_value("two clusters").run()
    sde = dc.VESDE(25.0)
    sig = float(sde.sigma(1.0))
    exact = float(torch.special.ndtr(torch.tensor(32 ** 0.5 / (2 * (0.04 + sig * sig) ** 0.5))))
    texts = []
    for n in [50, 1000]:
        at.slider(key=K + "n_points").set_value(n).run()
        ok(at)
        texts.append(next(m.value for m in at.markdown if "best guess of its starting mode" in m.value))
    assert texts[0] == texts[1]
    assert f"right {_expected_accuracy(exact, 0.5)} of the time" in texts[0], texts[0]
    assert forward.cloud_guess(dc.PRESETS["two clusters"], sde)["guess"] == pytest.approx(exact, abs=1e-4)
    at.slider(key=K + "n_points").set_value(200).run()


def test_the_2d_chance_level_keeps_its_decimal(at):
    """ring8 as the starting cloud: no clue is 1/8 = 12.5 %, printed "12.5%", not "12%"; a whole
    chance level stays whole ("50%")."""
    at.radio(key=K + "kind").set_value("VE").run()
    at.slider(key=K + "lam").set_value(25.0)
    at.radio(key=K + "source").set_value("sidebar").run()
    choose_mixture(at, "ring8")
    ok(at)
    text = next(m.value for m in at.markdown if "best guess of its starting mode" in m.value)
    assert "(12.5% would be no clue)" in text, text
    assert [forward.percent(p) for p in (0.125, 0.5, 1 / 3, 1.0)] == ["12.5%", "50%", "33.3%", "100%"]
    at.radio(key=K + "source").set_value("two clusters").run()
    text = next(m.value for m in at.markdown if "best guess of its starting mode" in m.value)
    assert "(50% would be no clue)" in text, text
    choose_mixture(at, "tutorial")


def test_the_1d_axis_holds_every_bump_to_3_std_at_t1(at):
    """VE, λ = 1: each bump at ±5 has std √2 = 1.41 at t = 1, so ±3 std reaches ±9.24; the 1D
    chart's y axis is sized from that reach (its last tick reads 8, but the domain goes on)."""
    at.radio(key=K + "kind").set_value("VE").run()
    for lam in (1.0, 25.0):
        at.slider(key=K + "lam").set_value(lam).run()
        ok(at)
        sde = dc.VESDE(lam)
        spread = (1.0 + float(sde.sigma(torch.tensor(1.0, dtype=torch.float64))) ** 2) ** 0.5
        spec = next(t for t in map(spec_text, charts(at)) if '"title": "xₜ"' in t)
        y = re.search(r'"y": \{[^{}]*"scale": \{[^{}]*"domain": \[([-\d.e]+), ([-\d.e]+)\]', spec)
        assert y, spec[:2000]
        assert float(y.group(2)) >= 5 + 3 * spread - 1e-9 and float(y.group(1)) <= -5 - 3 * spread + 1e-9
    at.slider(key=K + "lam").set_value(25.0).run()


@pytest.mark.parametrize("sde, n", [(dc.VESDE(25.0), 500), (dc.VESDE(50.0), 500), (dc.VESDE(0.1), 500),
                                    (dc.VESDE(1.0), 20), (dc.VPSDE(), 500), (dc.VPSDE(0.1, 5.0), 500)],
                         ids=["VE25", "VE50", "VE0.1", "VE1-20", "VP", "VP5"])
def test_the_1d_axis_holds_every_path_drawn(sde, n):
    """At λ = 25 paths ran past the ±3-std reach of the 1D chart and were cut by its frame: the
    y domain is ±lim, and every path drawn lies inside it with the clouds' margin."""
    d = forward.paths_1d(sde, n, 2021)
    assert np.abs(d["paths"]).max() <= (1 - forward.CLOUD_MARGIN) * d["lim"] + 1e-12
    assert d["lim"] >= fwd_core.cloud_limit(forward.BIMODAL, sde)
    from dashboard.figures.common import chart_spec
    spec = chart_spec(forward.paths_1d_chart(sde, n, 2021, False))
    assert spec["layer"][-1]["encoding"]["y"]["scale"]["domain"] == [-d["lim"], d["lim"]]


def test_the_lessons_lambdas_are_one_click_away():
    """λ = 1 was hard to reach on the 0.1–50 slider (arrow keys move by 0.1): the values the
    lesson asks for (1, 2, 10, 25, and 0.5, 50) are buttons under the slider, inside the settings
    schema's range, and a click sets the slider."""
    from dashboard import settings as sio
    field = sio.SCHEMA[K + "lam"]
    picks = forward.lambda_picks(field.lo, field.hi)
    assert {1.0, 2.0, 10.0, 25.0} <= set(picks) and all(field.lo <= v <= field.hi for v in picks)
    assert forward.lambda_picks(0.8, 20.0) == (1.0, 2.0, 10.0)          # only what the range holds
    at = open_page(PAGE, 120)
    for v in (1.0, 25.0, 2.0):
        at.button(key=f"forward_pick_{v:g}").click().run()
        assert not at.exception
        assert at.slider(key=K + "lam").value == v
        assert at.button(key=f"forward_pick_{v:g}").proto.type == "primary"
    at.slider(key=K + "lam").set_value(1.0).run()
    assert r"\sigma_t^2 = t" in at.latex[0].value                       # λ = 1's own formula


def test_lambda_buttons_have_no_tooltip_over_the_slider():
    """A λ button's tooltip sat over the slider's value above it: the buttons carry no help (their
    label says the value), and the slider's own help names them."""
    at = open_page(PAGE, 120)
    picks = [b for b in at.button if str(b.key).startswith("forward_pick_")]
    assert len(picks) >= 4 and all(not b.proto.help for b in picks)
    assert "buttons below" in at.slider(key=K + "lam").help
    at.button(key="forward_pick_2").click().run()
    assert at.slider(key=K + "lam").value == 2.0 and not at.button(key="forward_pick_2").proto.help


def _far_mode_mixture():
    means = torch.tensor([[0.0, 0.0], [7.0, -5.0]], dtype=torch.float64)
    covs = torch.stack([torch.eye(2, dtype=torch.float64) * 0.5, torch.diag(torch.tensor([0.02, 0.3],
                                                                                       dtype=torch.float64))])
    return dc.GaussianMixture(means, covs, torch.tensor([0.7, 0.3], dtype=torch.float64))


@pytest.mark.parametrize("gmm, sde, n", [
    (dc.PRESETS["two clusters"], dc.VESDE(25.0), 200), (dc.PRESETS["two clusters"], dc.VESDE(25.0), 1000),
    (dc.PRESETS["ring8"], dc.VPSDE(), 1000), (dc.PRESETS["ring8"], dc.VESDE(0.1), 500),
    (_far_mode_mixture(), dc.VESDE(50.0), 1000)], ids=["VE25-200", "VE25-1000", "ring8-VP", "ring8-0.1", "custom"])
def test_cloud_axes_leave_a_margin_beyond_every_point(gmm, sde, n):
    """The 2D cloud's fixed axes hold every point of every frame with a margin (at t = 1 a point
    of the tutorial's cloud sat on the ±30 frame): the chart's domain is ±lim and no point comes
    closer than CLOUD_MARGIN · lim to the frame."""
    c = forward.cloud_2d(gmm, sde, n, 2021)
    lim = c["lim"]
    assert np.abs(c["paths"]).max() <= (1 - forward.CLOUD_MARGIN) * lim + 1e-12
    assert lim >= fwd_core.cloud_limit(gmm, sde)
    from dashboard.figures.common import chart_spec
    spec = chart_spec(forward.cloud_chart(gmm, sde, n, 2021))
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [-lim, lim]
    assert spec["layer"][0]["encoding"]["y"]["scale"]["domain"] == [-lim, lim]


@pytest.mark.parametrize("gmm, sde, n", [
    (dc.PRESETS["two clusters"], dc.VESDE(25.0), 200), (dc.PRESETS["two clusters"], dc.VPSDE(), 1000),
    (dc.PRESETS["ring8"], dc.VESDE(0.1), 500), (dc.PRESETS["ring8"], dc.VESDE(50.0), 1000),
    (_far_mode_mixture(), dc.VESDE(50.0), 1000)], ids=["VE25-200", "VP", "ring8-0.1", "ring8-50", "custom"])
def test_cloud_axes_follow_the_cloud_and_the_text_gives_them(gmm, sde, n):
    """The 2D cloud at t = 0 was a speck on the ±30 axes of t = 1: axes that follow the cloud hold
    every frame's points with the same margin as the fixed axes, are never wider than those, change
    in steps (VE: only widening), and the chart and the text give the same limits."""
    from dashboard.figures.common import chart_spec
    c = forward.cloud_2d(gmm, sde, n, 2021)
    lims, lim, times = c["lims"], c["lim"], c["times"]
    assert len(lims) == len(times)
    reach = np.abs(c["paths"]).reshape(len(times), -1).max(axis=1)
    assert np.all(reach <= (1 - forward.CLOUD_MARGIN) * lims + 1e-12) and np.all(lims <= lim + 1e-12)
    if isinstance(sde, dc.VESDE):
        assert np.all(np.diff(lims) >= 0)                           # σₜ only grows: the axes only widen
    spec = chart_spec(forward.cloud_chart(gmm, sde, n, 2021, True))
    for ax in ("x", "y"):
        scale = spec["layer"][0]["encoding"][ax]["scale"]
        listed = [float(v) for v in scale["domainMax"]["expr"].split("]")[0].strip("[").split(",")]
        assert listed == pytest.approx(lims, rel=1e-5) and scale["domainMin"]["expr"].startswith("-[")
    text = forward.axes_text(gmm, sde, n, 2021, True)
    changes = int(np.sum(lims[1:] != lims[:-1]))
    if changes:
        first = times[1:][lims[1:] != lims[:-1]][0]
        assert (f"{forward.axis(lims[0])} at t = 0 and {forward.axis(lims[-1])} at t = 1, changing {changes} "
                f"time{'' if changes == 1 else 's'} (first at t = {first:.2f}") in text, text
    else:
        assert f"stay at {forward.axis(lims[0])} at every t" in text, text
    assert f"stay fixed at {forward.axis(lim)}" in forward.axes_text(gmm, sde, n, 2021, False)


def test_cloud_at_t0_is_drawn_on_its_own_axes_on_the_page():
    """At the page's defaults (the tutorial's two clusters, λ = 25) the cloud's axes follow it: at
    t = 0 they are a tenth of the ±lim of t = 1 or less, the chart's corner gives them, and the
    fixed axes are one click away."""
    from dashboard.figures.common import chart_spec
    at = open_page(PAGE, 120)
    assert at.radio(key=K + "axes").value == "follow"
    spec = json.loads(charts(at)[2].proto.spec)
    c = forward.cloud_2d(dc.PRESETS["two clusters"], dc.VESDE(25.0), 200, 2021)
    assert c["lims"][0] <= c["lim"] / 10
    assert f'[{c["lims"][0]:g},' in spec["layer"][0]["encoding"]["x"]["scale"]["domainMax"]["expr"]
    assert "axes ±" in spec_text(charts(at)[2])
    assert "The axes follow the cloud" in " ".join(m.value for m in at.caption)
    at.radio(key=K + "axes").set_value("fixed").run()
    spec = json.loads(charts(at)[2].proto.spec)
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [-c["lim"], c["lim"]]
    assert f"stay fixed at {forward.axis(c['lim'])}" in " ".join(m.value for m in at.caption)


def _expected_accuracy(p: float, chance: float) -> str:
    """How the page must print an accuracy p: never "100%" for an imperfect guess, a decimal within
    a point of chance, else a whole percent."""
    if p < 1 and round(100 * p) == 100:
        digits = next(d for d in range(1, 9) if round(100 * p, d) < 100)
        return f"{100 * p:.{digits}f}%"
    return f"{100 * p:.1f}%" if abs(p - chance) < forward.NEAR_CHANCE else f"{p:.0%}"


def test_an_imperfect_guess_is_never_printed_as_certain_nor_chance_as_a_gain(at):
    """λ = 1: the 1D guess is Φ(5/√2) = 99.98 % right, printed "99.98%", not "100%" (nor "over 99.9%"
    for a 99.77 % one, as λ = 2 gives); ring8 under VP: the
    2D guess is 12.6 % against 12.5 % for no clue, printed with its decimal and called barely
    better than no clue, not "13%"."""
    at.radio(key=K + "kind").set_value("VE").run()
    at.slider(key=K + "lam").set_value(1.0).run()
    text = next(m.value for m in at.markdown if "x₀ is drawn from N(−5, 1)" in m.value)
    exact = float(torch.special.ndtr(torch.tensor(5 / 2 ** 0.5, dtype=torch.float64)))
    assert f"right {100 * exact:.2f}% of the time" in text and "right 100%" not in text, text
    at.slider(key=K + "lam").set_value(2.0).run()
    text = next(m.value for m in at.markdown if "x₀ is drawn from N(−5, 1)" in m.value)
    sig = float(dc.VESDE(2.0).sigma(1.0))
    exact = float(torch.special.ndtr(torch.tensor(5 / (1 + sig * sig) ** 0.5, dtype=torch.float64)))
    assert round(100 * exact) == 100 and f"right {100 * exact:.1f}% of the time" in text, text
    from dashboard import settings as sio
    at.radio(key=K + "kind").set_value("VP").run()
    bmin, bmax = (float(sio.SCHEMA[K + b].default) for b in ("beta_min", "beta_max"))     # the defaults
    at.number_input(key=K + "beta_min").set_value(bmin)
    at.number_input(key=K + "beta_max").set_value(bmax)
    at.radio(key=K + "source").set_value("sidebar").run()
    choose_mixture(at, "ring8")
    ok(at)
    guess = forward.cloud_guess(dc.PRESETS["ring8"], dc.VPSDE(bmin, bmax))
    assert 0 < guess["guess"] - 0.125 < 0.01, guess
    text = next(m.value for m in at.markdown if "best guess of its starting mode" in m.value)
    assert f"right {100 * guess['guess']:.1f}% of the time, barely better than the 12.5% of no clue" in text, text
    choose_mixture(at, "tutorial")
    at.radio(key=K + "source").set_value("two clusters").run()
    # VP, two clusters: the 1D bumps (51.2%) and the 2D cloud (50.7%) are both barely better than no clue,
    # and both paragraphs say so alike (the 1D one said "51% (50% would be no clue)")
    texts = [m.value for m in at.markdown if "best guess of" in m.value]
    assert len(texts) == 2 and all("barely better than the 50% of no clue" in t for t in texts), texts
    assert all(re.search(r"right \d+\.\d%", t) for t in texts), texts
    at.radio(key=K + "source").set_value("two clusters").run()
    at.radio(key=K + "kind").set_value("VE").run()
    at.slider(key=K + "lam").set_value(25.0).run()


def test_the_vp_schedule_formula_uses_the_inputs_names(at):
    """The VP inputs are labelled β(0) and β(1): the schedule's formula beside them uses the same
    names, not β_min and β_max."""
    at.radio(key=K + "kind").set_value("VP").run()
    ok(at)
    assert any(r"\beta(t) = \beta(0) + t\,(\beta(1)-\beta(0))" in l.value for l in at.latex), \
        [l.value for l in at.latex]
    assert not any(r"\beta_{\min}" in l.value or r"\beta_{\max}" in l.value for l in at.latex)
    at.radio(key=K + "kind").set_value("VE").run()


@pytest.mark.parametrize("kind,params", [("VE", 25.0), ("VE", 0.5), ("VE", 2.0), ("VP", (0.1, 20.0)),
                                         ("VP", (0.1, 5.0))])
def test_the_intro_says_whether_p1_is_one_gaussian(at, kind, params):
    """The opening says pₜ blurs into a single Gaussian at t = 1 outright only where it does (the 1D
    bumps have merged: λ = 25); at λ = 0.5 p₁ still has two bumps, and the opening says so, by the
    same computation as the 1D caption (forward.mixing_1d)."""
    sde = _set_process(at, kind, params)
    ok(at)
    intro = next(m.value for m in at.markdown if "The forward process adds Gaussian noise" in m.value)
    two = _two_bumps_at_one(sde)
    if kind == "VE":
        assert two == (params != 25.0)
    mix = forward.mixing_1d(sde, 200, 2021)
    clue = forward.gives_clue(mix)
    assert ("into a single Gaussian at t = 1 (std " in intro) == (not two and not clue), intro
    assert "broad" not in intro, intro         # VP's p₁ is N(0, 1), narrower than the data
    one = torch.ones(1, dtype=torch.float64)   # p₁ of the 1D bumps N(±5, 1): var 25 α₁² + α₁² + σ₁²
    std1 = float(np.sqrt(25 * sde.mean_scale(one) ** 2 + sde.mean_scale(one) ** 2 + sde.sigma(one) ** 2))
    if not two and not clue:
        std = float(intro.split("(std ")[1].split(" here)")[0])
        assert std == pytest.approx(std1, rel=0.01)
    if not two and clue:        # λ = 25: one bump, but x₁ still tells the bumps apart: not yet the prior
        assert (f"is a single bump (std {std1:.3g}) but not yet the prior's Gaussian (std "
                f"{sde.prior_std():.3g}; see below)") in intro, intro
    heading = next(h.value for h in at.subheader if h.value.startswith("1D"))
    assert heading == ("1D: two bumps blur, still two at t = 1" if two else "1D: two bumps blur into one"), heading
    assert ("Here it is not: p₁ of the two bumps below still has 2 bumps" in intro) == two, intro
    at.radio(key=K + "kind").set_value("VE").run()
    at.slider(key=K + "lam").set_value(25.0).run()


def _set_process(at, kind: str, params):
    """Put the page on VE at λ = params or VP at (β(0), β(1)) = params; the SDE it then shows."""
    at.radio(key=K + "kind").set_value(kind).run()
    if kind == "VE":
        at.slider(key=K + "lam").set_value(params).run()
        return dc.VESDE(params)
    at.number_input(key=K + "beta_min").set_value(params[0])
    at.number_input(key=K + "beta_max").set_value(params[1]).run()
    return dc.VPSDE(*params)


@pytest.mark.parametrize("lam", [0.5, 25.0, 50.0])
def test_bump_std_and_sigma1_never_print_alike(lam):
    """At λ = 50 the caption read "√(1 + σ₁²) = 17.9 with σ₁ = 17.9": the two print with the digits
    that tell them apart (17.9 against 17.87)."""
    text = forward.mixing_sentence(forward.mixing_1d(dc.VESDE(lam), 2000, 0), "VE")
    std, sigma = re.search(r"σ₁²\) = ([\d.]+) with σ₁ = ([\d.]+)\.", text).groups()
    assert std != sigma, text


def test_the_warm_up_computes_the_default_view(monkeypatch):
    """Forward diffusion is the lesson's first page after Home: the server's warm-up computes its
    default view with the page's own arguments, so the first visit simulates no path and builds
    no chart (it only reads the cache)."""
    from dashboard.figures import forward as ffig
    steps = []
    forward.warm_defaults(before_each=lambda: steps.append(1))
    assert len(steps) == 6
    calls = []
    for name in ("forward_paths", "marginal_log_density", "schedule"):
        real = getattr(fwd_core, name)
        monkeypatch.setattr(fwd_core, name, lambda *a, _r=real, _n=name, **k: calls.append(_n) or _r(*a, **k))
    for name in ("paths_1d_chart", "cloud_chart", "schedule_chart"):
        real = getattr(ffig, name)
        monkeypatch.setattr(ffig, name, lambda *a, _r=real, _n=name, **k: calls.append(_n) or _r(*a, **k))
    at = open_page(PAGE, 120)
    assert not at.exception and not at.error
    assert not calls, calls


@pytest.mark.parametrize("kind, lam, says", [
    ("VE", 25.0, "Here they have merged: p₁ is a single bump, but not yet the Gaussian generation starts from: its std "
                 "is 11.1 against the prior's 9.85"),
    ("VE", 50.0, "but not yet the Gaussian generation starts from: its std is 18.6 against the prior's 17.9"),
    ("VP", None, "Here they have merged: p₁ is a single bump, so generation can start from one Gaussian."),
    ("VE", 10.0, "Here they stay apart: p₁ still has 2 bumps at t = 1"),
])
def test_one_bump_at_t1_is_the_prior_only_where_x1_gives_no_clue(kind, lam, says):
    """The tutorial's λ = 25: "p₁ is a single bump, so generation can start from one Gaussian" beside
    "the best guess of the starting bump is right 69 % of the time". One bump is not yet the prior:
    where x₁ still tells the bumps apart beyond NEAR_CHANCE, the sentence says so, with p₁'s std
    (√(m² + 1 + σ₁²) under VE) against the prior's; within it, generation can start from one Gaussian."""
    import diffusion_core as dc
    from dashboard import forward
    sde = dc.VESDE(lam) if kind == "VE" else dc.VPSDE()
    mix = forward.mixing_1d(sde, 200, 2021)
    text = forward.mixing_sentence(mix, kind)
    assert says in text, text
    clue = mix["guess"] - 0.5 >= forward.NEAR_CHANCE
    assert ("can start from one Gaussian" in text) == (mix["modes"] == 1 and not clue), (mix["guess"], text)
