"""AppTest of the Guidance page: default render with the learned CFG network (a short recipe),
guidance-scale, time and class extremes, ring8, learned CFG off, and a mixture with too many
modes for classes (a clear message, no crash). No NaN in any caption."""

import re

import numpy as np
import pytest

import conftest
from conftest import ok, shorten_lessons_recipe
from dashboard import yourdata

PAGE = "views/10_guidance.py"
K = "w_guidance_"


@pytest.fixture(autouse=True)
def short_recipe(monkeypatch):
    shorten_lessons_recipe(monkeypatch)


def open_page(**state):
    at = ok(conftest.open_page(PAGE, **state))
    return at


def text(at):
    return " ".join(c.value for c in at.caption) + " ".join(m.value for m in at.markdown)


def test_default_render():
    at = open_page()
    assert at.title[0].value.startswith("Guidance")
    assert len(at.get("vega_lite_chart")) == 3 and not at.get("image")     # samples, sweep, field
    assert not at.error
    assert "nan" not in text(at).lower()
    assert "Learned:" in at.caption[0].value and "sliced W₂" in at.caption[0].value
    at.slider(key=K + "w").set_value(10.0).run()
    assert not at.exception and "w = 10" in at.caption[0].value


@pytest.mark.parametrize("state", [
    {K + "w": 0.0, K + "t": 0.0},
    {K + "w": 10.0, K + "t": 1.0, K + "class": 1, K + "lam": 2.0},
    {"w_mixture": "ring8", K + "class": 7, K + "w": 8.0, K + "lam": 50.0},
    {K + "learned": False, K + "w": 1.0},
])
def test_extremes(state):
    at = open_page(**state)
    assert not at.error and "nan" not in text(at).lower()
    assert len(at.get("vega_lite_chart")) == 3 and not at.get("image")
    if state.get(K + "learned") is False:
        assert "Learned:" not in at.caption[0].value


def test_class_out_of_range_falls_back():
    at = open_page(**{K + "class": 9})        # the tutorial mixture has 2 classes
    assert at.selectbox(key=K + "class").value == 0


def test_too_many_modes_says_so():
    entry = yourdata.entry(yourdata.check([[i, i % 3] for i in range(40)]), 0.2, "test")
    at = open_page(**{yourdata.KEY: entry, "w_mixture": yourdata.NAME})
    assert at.info and "2 to 12 classes" in at.info[0].value
    assert not at.get("image")


def test_logp_peak_named_only_outside_the_noise():
    """A maximum of mean log p₀(x | y) is named only when the others are below it by more than the
    truth's noise level."""
    import pandas as pd
    from dashboard import guidance
    flat = pd.Series([-9.0, -2.02, -2.0, -2.01], index=[0.0, 1.0, 2.0, 4.0])
    text = guidance.logp_peak(flat, (-2.0, 0.05))
    assert text == ("Mean log p₀(x | y) is highest at w = 2, but every w from 1 to 4 lies within the "
                    "truth's noise level (±0.10) of that top value: the chart cannot tell them apart.")
    assert "no single w" not in text and "largest w drawn" not in text
    assert guidance.logp_peak(flat, (-2.0, 0.001)) == "Mean log p₀(x | y) is highest at w = 2."


def test_logp_peak_names_whose_curve_it_reads():
    """Tutorial, class 1, learned CFG on: exact CFG's mean log p₀(x | y) peaks at w = 2 while
    learned CFG's keeps rising to w = 10 (−2.62 at w = 4, −2.44 at w = 10): each sentence names
    its curve, and with both drawn both are told."""
    import pandas as pd
    from dashboard import guidance
    ws = [0.0, 0.5, 1.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    at = pd.DataFrame({"w": ws, "logp_class": [-9.0, -3.0, -2.3, -2.1, -2.2, -2.3, -2.4, -2.5],
                       "learned_logp_class": [-9.0, -3.2, -2.9, -2.8, -2.62, -2.55, -2.5, -2.44]}).set_index("w")
    truth = {"logp_class": (-2.3, 0.02)}
    assert guidance.logp_peaks(at, truth) == (
        "Exact CFG's mean log p₀(x | y) is highest at w = 2. "
        "Learned CFG's mean log p₀(x | y) is highest at w = 10, the largest w drawn.")
    # the tutorial's learned curve as drawn: w = 8 and 10 within the truth's noise of the top
    flat = at.assign(learned_logp_class=[-9.0, -3.2, -2.9, -2.8, -2.62, -2.5, -2.45, -2.44])
    # the sentence agrees with the curve a class sees rising to w = 10 (it once read "at w = 8, 10
    # (the largest w drawn among them) lies within ...: no single w is best on it")
    assert guidance.logp_peaks(flat, truth).endswith(
        "Learned CFG's mean log p₀(x | y) is highest at w = 10, but w = 8 lies within the truth's noise "
        "level (±0.04) of it: the chart cannot tell the two apart.")
    # ring8's exact curve, level within the noise from w = 1 on
    ring = at.assign(logp_class=[-700.0, -5.0, 1.0, 1.01, 1.02, 1.03, 1.03, 1.04])
    assert guidance.logp_peaks(ring, {"logp_class": (1.0, 0.05)}).startswith(
        "Exact CFG's mean log p₀(x | y) is highest at w = 10, but every w from 1 to 10 lies within the "
        "truth's noise level (±0.10) of that top value: the chart cannot tell them apart.")
    assert guidance.logp_peaks(at.drop(columns="learned_logp_class"), truth) == (
        "Exact CFG's mean log p₀(x | y) is highest at w = 2.")


def test_clipped_log_likelihoods_name_their_curve():
    """Ring8, w = 3, learned CFG on: the values drawn at the log-likelihood chart's bottom edge
    are each named by their curve; where both are clipped at one w, the caption says one triangle
    hides the other."""
    import pandas as pd
    from dashboard import guidance
    at = pd.DataFrame({"w": [0.0, 1.0, 4.0], "logp_class": [-736.0, 1.0, 1.1],
                       "learned_logp_class": [-740.0, 1.0, -30.0]}).set_index("w")
    truth = {"logp_class": (1.0, 0.05)}
    text = guidance.clipped_text(at, truth)
    assert text == (" Drawn as triangles at the log-likelihood chart's bottom edge: exact CFG at w = 0 (-736), "
                    "learned CFG at w = 0 (-740), learned CFG at w = 4 (-30). At w = 0 the exact and learned "
                    "triangles lie on the same spot, one hiding the other.")
    assert guidance.clipped_text(at.drop(columns="learned_logp_class"), truth) == (
        " Drawn as triangles at the log-likelihood chart's bottom edge: exact CFG at w = 0 (-736).")
    assert guidance.clipped_text(at.iloc[1:2], truth) == ""


def test_sweep_truth_line_is_drawn_over_the_curves():
    """Ring8: exact CFG matches the truth at every w ≥ 1, and its red line hid the green truth
    line and band. The truth's mean is drawn dashed after the curves, and the caption says on
    which measures the red line runs along it."""
    import pandas as pd
    from dashboard import guidance
    from dashboard.figures import guidance as gfig
    from dashboard.figures.common import chart_spec
    ws = [0.0, 1.0, 4.0]
    table = pd.DataFrame({"w": ws, "spread_ratio": [10.0, 1.0, 0.99], "leak": [0.8, 0.0, 0.0],
                          "logp_class": [-700.0, 1.0, 1.2]})
    truth = {"spread_ratio": (1.0, 0.02), "leak": (0.0, 0.0), "logp_class": (1.0, 0.05)}
    spec = chart_spec(gfig.sweep_chart(table, truth, 0.0, False))
    for panel in spec["hconcat"]:
        marks = [(lay["mark"]["type"], lay["mark"].get("strokeDash")) for lay in panel["layer"]]
        line = marks.index(("line", None))
        dashed = marks.index(("rule", gfig.TRUTH_DASH))
        assert marks[0][0] == "rect" and line < dashed, marks
    at = table.set_index("w")
    assert guidance.truth_under_curve(at, truth) == (
        " Exact CFG stays inside the band at every w from 1 to 4 on spread, leak: there its red line "
        "runs along the green one.")
    assert guidance.sweep_summary(at, truth).startswith(
        "Green band: the truth ± its noise level, its mean the green dashed line, drawn over the curves. "
        "Exact CFG stays inside")


def test_small_class_zooms_the_sample_panels():
    """On ring8 one class is a small part of the mixture: the sample panels zoom to it; on the
    tutorial's two modes they do not."""
    import diffusion_core as dc
    from dashboard import guidance
    ring = dc.PRESETS["ring8"]
    assert guidance.class_zoomed(ring, 0) and not guidance.class_zoomed(dc.PRESETS["tutorial"], 0)
    (a, b), _ = guidance.samples_limits(ring, 0)
    (c, d), _ = guidance.panel_limits(ring)
    assert b - a < 0.5 * (d - c)
    at = open_page(**{"w_mixture": "ring8", K + "w": 4.0})
    assert "zoomed in" in at.caption[0].value
    for who in ("Exact CFG's", "Learned CFG's"):      # each curve's sentence says one or the other
        said = [x for x in text(at).split(". ") if x.startswith(f"{who} mean log p₀(x | y)")]
        assert len(said) <= 1 and not any("highest at" in x and "no single w" in x for x in said), said


def _table(e1, e4, l1, l4, far=0.0):
    """A guidance_table indexed by w with the exact and learned spreads at w = 1 and 4."""
    import pandas as pd
    rows = [{"w": w, "spread_ratio": e, "learned_spread_ratio": l, "far": far}
            for w, e, l in [(1.0, e1, l1), (4.0, e4, l4), (10.0, e4, l4)]]
    return pd.DataFrame(rows).set_index("w")


TRUTH = {"spread_ratio": (1.0, 0.02)}      # band 0.96–1.04


@pytest.mark.parametrize("e1, e4, l1, l4, says, never", [
    # ring8 as re-taught: the network is off at w = 1 and exact CFG keeps the spread
    (0.98, 0.97, 0.72, 0.19, ["already off at w = 1: its spread is 0.72×, outside the truth's band (0.96–1.04×)",
                              "the loss is the network's error amplified by w, not a cost of guidance itself"],
     ["guidance's own cost", "pays in diversity"]),
    # unbalanced class 2: learned starts near exact, then narrows alone
    (1.02, 1.00, 1.05, 0.78, ["within the truth's noise level of exact CFG's 1.02×",
                              "stays within the truth's band (1.02× → 1.00×): the loss is the network's error"],
     ["already off", "guidance's own cost"]),
    # tutorial: exact CFG narrows too, learned further
    (1.03, 0.90, 1.04, 0.83, ["inside the truth's spread band", "exact CFG narrows too (1.03× → 0.90×), which is "
                              "guidance's own cost; learned CFG narrows further"], ["not a cost of guidance"]),
    (1.03, 0.90, 1.02, 0.89, ["exact CFG narrows too"], ["narrows further", "not a cost of guidance"]),
    # both off at w = 1 together: the sampler's error; no change beyond noise
    (0.91, 0.91, 0.92, 0.91, ["as exact CFG is (0.91×): the sampler's error, not the network's",
                              "no change beyond the truth's noise level"], ["already off", "cost"]),
    (1.0, 1.0, 1.0, 1.01, ["no loss of diversity"], ["already off", "cost"]),
    (1.0, 1.0, 1.0, 1.3, ["wider, not narrower"], ["cost"]),
])
def test_learned_spread_story_compares_with_exact_cfg_and_the_band(e1, e4, l1, l4, says, never):
    """Learned CFG's narrowing is blamed on guidance only when exact CFG narrows too; a learned
    spread already outside the band at w = 1 (and not shared by exact CFG) is the network's error
    (a lesson: ring8 0.72× → 0.19× and unbalanced 1.05× → 0.78× were "the class pays")."""
    from dashboard import guidance
    text = guidance.learned_spread_story(_table(e1, e4, l1, l4), TRUTH)
    for s in says:
        assert s in text, text
    for s in never:
        assert s not in text, text
    assert f"From w = 1 to w = 4 its spread goes {l1:.2f}× → {l4:.2f}×" in text
    assert "left out" not in text
    assert "(3.0% of its samples land outside" in guidance.learned_spread_story(
        _table(e1, e4, l1, l4, far=0.03), TRUTH)


@pytest.mark.parametrize("e1, e4, l1, l4, says, never", [
    # custom mixture, λ = 2, class 1: the learned spread comes down to exact CFG's (0.28 → 0.04 apart)
    (0.87, 0.87, 1.15, 0.91, ["while exact CFG from the same noise does not narrow (0.87× → 0.87×): the learned "
                              "spread moves towards exact CFG's (0.28 → 0.04 apart): guidance here narrows the "
                              "network's excess spread, which exact CFG does not have."], ["amplified"]),
    # ring8-like: learned already below exact CFG's and falling away from it (0.26 → 0.78 apart)
    (0.98, 0.97, 0.72, 0.19, ["the loss is the network's error amplified by w, not a cost of guidance itself"],
     ["moves towards"]),
    # exact CFG narrows too, learned further below it, yet nearer it than at w = 1 (0.30 → 0.10 apart)
    (1.0, 0.80, 1.30, 0.70, ["exact CFG narrows too (1.00× → 0.80×), which is guidance's own cost; learned CFG "
                             "narrows further, yet the learned spread moves towards exact CFG's (0.30 → 0.10 apart, now on its "
                             "other side)"],
     ["amplified"]),
    # a learned spread far above the band comes down past exact CFG's (2.42 → 0.17 apart, now below it)
    (0.98, 0.97, 3.40, 0.80, ["the learned spread moves towards exact CFG's (2.42 → 0.17 apart, now on its other "
                              "side): guidance here narrows the network's excess spread, which exact CFG does not "
                              "have, past exact CFG's."], ["amplified"]),
])
def test_learned_spread_amplified_only_where_its_gap_to_exact_cfg_grows(e1, e4, l1, l4, says, never):
    """Custom mixture, λ = 2, class 1: "the loss is the network's error amplified by w" where the
    learned spread went 1.15× → 0.91× towards exact CFG's 0.87× (0.28 → 0.04 apart). Amplified only
    where the gap between learned and exact CFG's spreads grows from w = 1 to w = 4."""
    from dashboard import guidance
    text = guidance.learned_spread_story(_table(e1, e4, l1, l4), {"spread_ratio": (0.995, 0.0325)})
    for s in says:
        assert s in text, text
    for s in never:
        assert s not in text, text


@pytest.mark.parametrize("mixture, y, long_axis", [("custom", 1, "On this mode (std 0.01 across, 0.3 along) the "
                                                    "across axis carries 0.11% of the squared spread (std² across ÷ "
                                                    "the sum of both): the spread is an RMS distance dominated by the "
                                                    "long axis, and it hardly shows"),
                                                   ("custom", 0, None), ("tutorial", 0, None), ("tutorial", 1, None),
                                                   ("cross", 0, "On this mode (std 0.2 across, 2 along) the across axis carries 0.99% of the squared spread"),
                                                   ("ring8", 0, None)])
def test_a_learned_spread_on_a_long_mode_says_what_it_measures_and_spilling_samples_are_told(mixture, y, long_axis):
    """Custom mixture, λ = 50, class 2 (stds 0.3 along, 0.01 across), learned CFG: "its spread is
    0.86×, outside the truth's band ... so the network misses the class's spread" beside the intro's
    "below 1 the samples crowd together", while the learned cloud lay many times thicker across the
    needle-thin mode (mean log p₀(x | y) −8.13 against the truth's 2.97). Where the across axis
    carries under 10% of the squared spread the spread is said to be dominated by the long axis,
    with that share (tutorial class 2, stds 0.89 and 1.5: 26%, said "hardly" before; now nothing),
    and samples whose log-likelihood lies far below the truth's band are said to spill off the mode,
    never to crowd together."""
    import diffusion_core as dc
    from dashboard import guidance
    gmm = conftest.heavy_corner_mixture() if mixture == "custom" else dc.PRESETS[mixture]
    stds = guidance.class_stds(gmm, y)
    truth = {"spread_ratio": (0.995, 0.0325), "logp_class": (2.97, 0.05)}
    spill = _table(1.0, 1.0, 0.86, 0.86).assign(learned_logp_class=-8.13)
    text = guidance.learned_spread_story(spill, truth, stds=stds)
    assert "Learned CFG is already off at w = 1: its spread is 0.86×" in text, text
    assert ("Its samples spill off the mode: their mean log p₀(x | y) at w = 1 is −8.13 against the truth's 2.97 "
            "(band 2.87 to 3.07), so a spread below 1 here does not mean they crowd together.") in text, text
    assert (long_axis in text) if long_axis else ("RMS distance" not in text), text
    near = guidance.learned_spread_story(spill.assign(learned_logp_class=2.9), truth, stds=stds)
    assert "spill" not in near and "crowd" not in near, near
    # custom mixture, λ = 2, class 1: 4.59 against the truth's 4.99 (band 4.92 to 5.06) is slightly wide, not spilled
    wide = guidance.learned_spread_story(_table(0.87, 0.87, 1.15, 0.91).assign(learned_logp_class=4.59),
                                         {"spread_ratio": (0.995, 0.0325), "logp_class": (4.99, 0.035)}, stds=stds)
    assert "spill" not in wide, wide


@pytest.mark.parametrize("mixture, y, lam", [("tutorial", 1, 2.0), ("custom", 1, 50.0), ("cross", 0, 2.0)])
def test_page_says_the_spread_hardly_shows_the_across_axis_only_where_its_share_is_small(mixture, y, lam):
    """On the page (learned CFG on, w = 3): the long-axis sentence is in the sweep caption exactly where
    the class's across axis carries under ACROSS_SMALL of the squared spread, with that share printed
    (tutorial class 2, stds 0.89 and 1.5, carries 26%: no sentence)."""
    from dashboard import guidance
    state = {K + "class": y, K + "w": 3.0, K + "learned": True, K + "lam": lam}
    state.update(custom_mixture=HW, w_mixture="custom") if mixture == "custom" else state.update(w_mixture=mixture)
    sweep = next(c.value for c in open_page(**state).caption if c.value.startswith("Green band"))
    stds = guidance.class_stds(_state_row(mixture, y, lam, 3.0)[0], y)
    small = guidance.across_share(stds) < guidance.ACROSS_SMALL
    assert ("hardly shows" in sweep) == small, sweep
    assert (guidance.long_axis_text(stds).strip() in sweep) if small else "RMS distance" not in sweep, sweep


@pytest.mark.parametrize("l10, says", [(0.92, True), (0.84, False), (0.70, False)])
def test_learned_spread_that_widens_again_at_the_largest_w_is_said(l10, says):
    """Tutorial, λ = 2, learned: the spread went 0.957× → 0.828× from w = 1 to 4 and back up to
    0.921× at w = 10, and the text only printed the last number. A learned spread wider again at
    the largest w than at w = 4, beyond the truth's noise level, is now said, beside exact CFG's."""
    import pandas as pd
    from dashboard import guidance
    table = pd.DataFrame([{"w": w, "spread_ratio": e, "learned_spread_ratio": ll, "far": 0.0}
                          for w, e, ll in [(1.0, 0.96, 0.957), (4.0, 0.86, 0.828), (10.0, 0.78, l10)]]).set_index("w")
    text = guidance.learned_spread_story(table, TRUTH)
    assert ("wider again than at w = 4" in text) == says, text
    if says:
        assert "(exact CFG: 0.78×)" in text          # its sentence's digits: both far from the band


def _printed_outside(text: str) -> None:
    """Every "outside the truth's (spread) band (V×; band LO–HI×)" in text prints V outside [LO, HI],
    and so does exact CFG's value quoted after "as exact CFG is"."""
    import re
    found = re.findall(r"outside the truth's spread band \((\d+\.\d+)×; band (\d+\.\d+)–(\d+\.\d+)×\)"
                       r"(?:, as exact CFG is \((\d+\.\d+)×\))?", text)
    found += [(v, lo, hi, "") for v, lo, hi in re.findall(
        r"its spread is (\d+\.\d+)×, outside the truth's band \((\d+\.\d+)–(\d+\.\d+)×\)", text)]
    assert found, text
    for v, lo, hi, e in found:
        for x in filter(None, (v, e)):
            assert float(x) < float(lo) or float(x) > float(hi), text


@pytest.mark.parametrize("e1, l1, mean, sd, says", [
    # tutorial, λ = 50: learned 1.034 and exact 1.032 outside a band 0.9600–1.0300 (2 digits: 1.03 = 1.03)
    (1.032, 1.034, 0.995, 0.0175, "(1.034×; band 0.960–1.030×), as exact CFG is (1.032×)"),
    # tutorial, λ = 2: learned 0.957 and exact 0.958 below a band from 0.9600
    (0.958, 0.957, 0.995, 0.0175, "(0.957×; band 0.960–1.030×), as exact CFG is (0.958×)"),
    # far from the band: two digits suffice
    (0.91, 0.92, 1.0, 0.02, "(0.92×; band 0.96–1.04×), as exact CFG is (0.91×)"),
])
def test_band_sentences_print_outside_values_visibly_outside(e1, l1, mean, sd, says):
    """At λ = 50 the page read "outside the truth's spread band (1.05×; band 0.96–1.03×), as exact
    CFG is (1.03×)" and at λ = 2 "(0.96×; band 0.96–1.03×), as exact CFG is (0.96×)": a value on
    the printed edge called outside. Ratios and band are printed with band_digits' decimals."""
    from dashboard import guidance
    truth = {"spread_ratio": (mean, sd)}
    text = guidance.learned_spread_story(_table(e1, e1, l1, l1), truth)
    assert says in text, text
    _printed_outside(text)
    assert guidance.band_digits([1.0], (mean, sd)) == 2          # inside: the usual two digits
    off = guidance.learned_spread_story(_table(1.0, 1.0, 1.0301, 1.0301), {"spread_ratio": (0.995, 0.0175)})
    _printed_outside(off)                                       # "already off" prints 1.0301 against 1.0300
    assert "(1.0301×; band 0.9600–1.0300×)" in off


@pytest.mark.parametrize("lam", [50.0, 2.0])
def test_band_sentences_on_the_page_print_outside_values_outside(lam):
    """The sweep caption with learned CFG (tutorial, λ = 50 and λ = 2): its band sentence is
    learned_spread_story's, and every value it calls outside prints outside the printed band."""
    import diffusion_core as dc
    from dashboard import guidance, lessons, state
    at = open_page(**{K + "lam": lam, K + "w": 4.0})
    sweep = next(c.value for c in at.caption if c.value.startswith("Green band"))
    gmm, seed = dc.PRESETS["tutorial"], state.DEFAULT_SEED
    truth = guidance.guidance_truth(gmm, 0, 600, seed)[1]
    table = guidance.guidance_table(gmm, lam, 0, 600, 60, seed, lessons.recipe(seed), "cpu").set_index("w")
    story = guidance.learned_spread_story(table, truth)
    assert story in sweep
    if "outside the truth's" in story:
        _printed_outside(story)


def test_sw2_verdict_against_the_truths_own_level():
    """A learned-vs-exact sliced W₂ far above what two sets of true samples differ by says the
    learned samples miss exact CFG's, and by more than the class's spread when it is (a lesson:
    ring8's 0.186 went unremarked)."""
    from dashboard import guidance
    row = {"sw2_learned_exact": 0.186, "learned_shift": 0.15}
    text = guidance.sw2_verdict(row, (0.0146, 0.0016), 0.15)
    assert text.startswith("0.186, 10.4× the most two sets of true samples differ by (their mean 0.015 + 2 sd = "
                           "0.018): the learned samples miss"), text
    assert ", by a sliced W₂ (0.186) above the class's own spread (0.150); their means are 0.15 apart" in text
    # ring8, w = 0: "(their mean is 0.03 away), by more than the class's own spread (0.15)" read as 0.03 > 0.15
    far = guidance.sw2_verdict({"sw2_learned_exact": 0.346, "learned_shift": 0.03}, (0.0146, 0.0016), 0.15)
    assert "by a sliced W₂ (0.346) above the class's own spread (0.150); their means are 0.03 apart" in far, far
    assert "class's own spread" not in guidance.sw2_verdict(row, (0.0146, 0.0016), 0.5)
    near = guidance.sw2_verdict({"sw2_learned_exact": 0.036, "learned_shift": 0.01}, (0.097, 0.01), 1.0)
    assert near.startswith("0.036, no more than two sets of true samples differ by (their mean 0.097 + 2 sd = "
                           "0.117)") and "miss" not in near, near


@pytest.mark.parametrize("d, level, says", [
    (0.177, (0.143, 0.02), "0.177, no more than two sets of true samples differ by (their mean 0.143 + 2 sd = 0.183): "
                           "the learned samples land where exact CFG's do"),
    (0.177, (0.143, 0.01), "0.177, 1.1× the most two sets of true samples differ by (their mean 0.143 + 2 sd = 0.163): "
                           "the learned samples miss exact CFG's"),
    (0.1832, (0.143, 0.02), "0.1832, only just above the most two sets of true samples differ by (their mean 0.1430 "
                            "+ 2 sd = 0.1830; 1.001×, beyond it by less than 20% of the 2 sd): at the edge"),
    (0.1829, (0.143, 0.02), "0.1829, no more than two sets of true samples differ by (their mean 0.1430 + 2 sd = "
                            "0.1830): the learned samples land")])
def test_sw2_verdict_prints_the_threshold_it_judges_by(d, level, says):
    """Cross, class 1, λ = 2, w = 3, learned CFG: "sliced W₂ between learned and exact samples 0.177,
    within what two sets of true samples differ by (0.143)": the verdict used mean + 2 sd while the
    text printed the mean alone, so a value above the printed number was called within. The verdict
    now prints the threshold it uses, with the fewest decimals at which it and the value differ."""
    from dashboard import guidance
    text = guidance.sw2_verdict({"sw2_learned_exact": d, "learned_shift": 0.05}, level, 1.0)
    assert text.startswith(says), text


def test_sw2_verdict_only_just_above_is_at_the_edge_and_prints_two_significant_digits():
    """Cross, class 1, λ = 2, w = 3: 0.209 against a threshold 0.203 (their mean 0.144 + 2 sd) was a flat
    "miss", 3 % over a threshold that is itself a noise estimate: beyond it by less than JUST_OUT of the
    2 sd it is at the edge. Custom mixture, λ = 50: "0.014, 5.4× … = 0.003" printed a threshold whose
    ratio could not be checked (0.014 / 0.003 = 4.7): it has two significant digits."""
    from dashboard import guidance
    edge = guidance.sw2_verdict({"sw2_learned_exact": 0.209, "learned_shift": 0.03}, (0.144, 0.0295), 1.0)
    assert edge.startswith("0.209, only just above the most two sets of true samples differ by (their mean 0.144 "
                           "+ 2 sd = 0.203; 1.03×, beyond it by less than 20% of the 2 sd): at the edge of what two "
                           "true sets differ by, so neither clearly where exact CFG's samples land nor clearly off "
                           "them; their means are 0.03 apart"), edge
    assert "miss" not in edge
    clear = guidance.sw2_verdict({"sw2_learned_exact": 0.23, "learned_shift": 0.03}, (0.144, 0.0295), 1.0)
    assert "the learned samples miss exact CFG's" in clear and "at the edge" not in clear, clear
    small = guidance.sw2_verdict({"sw2_learned_exact": 0.01404, "learned_shift": 0.01}, (0.00205, 0.00028), 1.0)
    assert small.startswith("0.0140, 5.4× the most two sets of true samples differ by (their mean 0.0021 + 2 sd = "
                            "0.0026)"), small


_SW2 = re.compile(r"sliced W₂ between learned and exact samples ([0-9.]+), (?:([0-9.]+)× the most|no more than|"
                  r"only just above the most) two sets of true samples differ by \(their mean ([0-9.]+) \+ 2 sd = "
                  r"([0-9.]+)(?:; ([0-9.]+)×[^)]*)?\): (?:the learned samples )?(land where|miss|at the edge)")


@pytest.mark.parametrize("mixture, y, lam", [("cross", 0, 2.0), ("cross", 1, 2.0), ("cross", 0, 50.0),
                                             ("cross", 1, 50.0), ("tutorial", 1, 2.0),
                                             ("ring8", 0, 50.0), ("custom", 0, 2.0), ("custom", 0, 50.0),
                                             ("custom", 2, 50.0)])
def test_sw2_verdict_on_the_page_agrees_with_the_numbers_it_prints(mixture, y, lam):
    """On the page (learned CFG on, w = 3): the learned-vs-exact sliced W₂ is called within exactly where
    it is at most the printed threshold, and the threshold is the truth's level mean + 2 sd the page
    computes (guidance_truth_sw2)."""
    from dashboard import guidance
    state = {K + "class": y, K + "w": 3.0, K + "learned": True, K + "lam": lam}
    state.update(custom_mixture=HW, w_mixture="custom") if mixture == "custom" else state.update(w_mixture=mixture)
    cap = open_page(**state).caption[0].value
    if "nothing is measured from learned CFG at this w" in cap:     # no learned samples kept: no sliced W₂
        assert "sliced W₂" not in cap, cap
        return
    m = _SW2.search(cap)
    assert m, cap
    d, ratio, mean, thr, edge_ratio, verdict = m.groups()
    ratio = ratio or edge_ratio
    assert (float(d) <= float(thr)) == (verdict == "land where") == (ratio is None), cap
    gmm = _state_row(mixture, y, lam, 3.0)[0]
    level = guidance.guidance_truth_sw2(gmm, y, 600, 2021)
    edge = float(d) > float(thr) and float(d) - guidance.sw2_threshold(level) < guidance.JUST_OUT * 2 * level[1]
    assert (verdict == "at the edge") == edge, cap
    # the threshold has two significant digits or more, so the printed ratio can be checked against it
    assert len(thr.lstrip("0.")) >= 2, thr
    if ratio:
        assert abs(float(d) / float(thr) - float(ratio)) <= 0.06 * float(ratio), (d, thr, ratio)
    assert thr == f"{guidance.sw2_threshold(level):.{len(thr.split('.')[1])}f}", (thr, level)
    assert mean == f"{level[0]:.{len(thr.split('.')[1])}f}", (mean, level)


def test_spread_axis_has_a_tick_at_one():
    """The spread chart's log axis always labels 1, the truth's spread (a lesson: ring8 at λ = 2 was
    labelled only 0.1 / 0.5 / 4), with at most 7 ticks, on wide and narrow ranges alike."""
    import pandas as pd
    from dashboard.figures import guidance as gfig
    from dashboard.figures.common import chart_spec
    for lo, hi in [(0.06, 22.0), (0.09, 21.7), (0.77, 1.76), (0.95, 1.05), (0.06, 3.5), (1e-3, 1e3)]:
        ticks = gfig.log_ticks(lo, hi)
        assert 1.0 in ticks and len(ticks) <= 7 and all(lo <= t <= hi for t in ticks), (lo, hi, ticks)
    ws = [0.0, 0.5, 1.0, 2.0, 4.0, 6.0, 8.0, 10.0]      # ring8 at λ = 2, learned CFG on
    df = pd.DataFrame({"w": ws, "spread_ratio": [18.7, 3.4, 1.02, 1.01, 1.01, 1.01, 1.01, 1.01],
                       "learned_spread_ratio": [18.3, 2.3, 0.75, 0.44, 0.25, 0.17, 0.13, 0.105],
                       "leak": [0.84, 0.15] + [0.0] * 6, "learned_leak": [0.85, 0.01] + [0.0] * 6,
                       "logp_class": [-680, -11] + [0.9] * 6, "learned_logp_class": [-650, -4] + [1.4] * 6})
    truth = {"spread_ratio": (1.0, 0.018), "leak": (0.0, 0.0), "logp_class": (0.96, 0.035)}
    spec = chart_spec(gfig.sweep_chart(df, truth, 4.0, True))
    found = [values for values, _ in _axis_values_and_domains(spec)]
    assert found and all(1.0 in v for v in found), found


@pytest.mark.parametrize("name, y, w", [("ring8", 0, 4.0), ("ring8", 5, 10.0), ("tutorial", 1, 10.0),
                                        ("tutorial", 0, 0.0)])
def test_field_panel_keeps_the_class_inside_and_arrows_apart(name, y, w):
    """The guided-field panel keeps every mode of the class a quarter of the panel's width from its
    edges (a lesson: ring8's class at (4, 0) sat at the right edge), and the longer field's
    90th-percentile arrow is one grid spacing, so red arrows at large w do not run into each other."""
    import numpy as np
    import diffusion_core as dc
    from dashboard import guidance
    from dashboard.figures import guidance as gfig
    gmm = dc.PRESETS[name]
    (x0, x1), (y0, y1) = guidance.field_limits(gmm, y)
    room = guidance.FIELD_ROOM * (guidance.panel_limits(gmm)[0][1] - guidance.panel_limits(gmm)[0][0])
    for mx, my in dc.guidance.class_mixture(gmm, None, y).means.tolist():
        assert x0 <= mx - room + 1e-9 and mx + room <= x1 + 1e-9 and y0 <= my - room + 1e-9 and my + room <= y1 + 1e-9
    f = guidance.guidance_fields(gmm, 25.0, y, w, 0.3)
    assert f["xx"].min() == x0 and f["xx"].max() == x1
    fig = gfig.fields_figure(f, w, 0.3, "class")
    spacing = (x1 - x0) / f["xx"].shape[0]
    lengths = [np.hypot(q.U, q.V) for q in fig.axes[0].collections if hasattr(q, "U")]
    assert len(lengths) == 2
    assert max(np.percentile(v, 90) for v in lengths) == pytest.approx(spacing, rel=1e-6)


def _axis_values_and_domains(spec) -> list:
    out = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("axis"), dict) and "values" in node["axis"]:
                out.append((node["axis"]["values"], node["scale"]["domain"]))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(spec)
    return out


@pytest.mark.parametrize("name, y", [("unbalanced", 1), ("ring8", 0)])
def test_spread_axis_ticks_span_every_drawn_value(name, y):
    """A teacher's finding: on unbalanced, class 2, the spread axis was labelled only 1 and 2 while
    the w = 0 points (3.20×) sat at its top edge. The domain holds every value with a margin and
    a tick lies within a factor 1.5 of the highest and lowest values drawn."""
    import diffusion_core as dc
    from dashboard import guidance, state
    from dashboard.figures import guidance as gfig
    from dashboard.figures.common import chart_spec
    gmm = dc.PRESETS[name]
    table = guidance.guidance_table(gmm, 25.0, y, 600, 60, state.DEFAULT_SEED)
    truth = guidance.guidance_truth(gmm, y, 600, state.DEFAULT_SEED)[1]
    values = table["spread_ratio"].to_numpy()
    for ticks, (lo, hi) in _axis_values_and_domains(chart_spec(gfig.sweep_chart(table, truth, 1.0, False))):
        assert lo * 1.2 <= values.min() and values.max() * 1.2 <= hi, (lo, hi, values)
        assert max(ticks) >= values.max() / 1.5 and min(ticks) <= values.min() * 1.5, (ticks, values)
    assert gfig.log_ticks(0.84, 3.68) == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("at1, at4, says", [
    (1.02, 1.00, "no loss of diversity"),
    (0.91, 0.91, "no change beyond the truth's noise level"),    # λ = 2: off the band from w = 1 on
    (1.03, 0.80, "the class pays in diversity"),
    (0.80, 0.95, "wider, not narrower")])
def test_spread_change_names_a_cost_only_when_the_spread_falls(at1, at4, says):
    """From w = 1 to w = 4 a spread that does not move beyond the truth's noise is not a cost of
    guidance (a lesson read "0.91× → 0.91× (the class pays in diversity)" at λ = 2)."""
    from dashboard import guidance
    text = guidance.spread_change(at1, at4, (1.0, 0.01))
    assert says in text, text
    if says != "the class pays in diversity":
        assert "pays" not in text


@pytest.mark.parametrize("name, y, w, t", [("ring8", 0, 10.0, 0.0), ("tutorial", 0, 3.0, 0.0),
                                           ("tutorial", 1, 4.0, 0.5), ("ring8", 3, 0.0, 0.0),
                                           ("tutorial", 0, 10.0, 0.3)])
def test_field_arrows_that_coincide_are_both_visible_and_said_so(name, y, w, t):
    """ring8, w = 10, t = 0: the text said "the red arrows are 1.00× the blue" where the red
    covered the blue entirely. The blue arrows are now drawn wider underneath (a blue rim stays
    around the red), and near the class the text says the red covers the blue, by how much
    guidance changes them there, and whether the shared scale draws them as dots, all from the
    field drawn."""
    import numpy as np
    import diffusion_core as dc
    from dashboard import guidance
    from dashboard.figures import guidance as gfig
    f = guidance.guidance_fields(dc.PRESETS[name], 25.0, y, w, t)
    fig = gfig.fields_figure(f, w, t, "class")
    blue, red = [q for q in fig.axes[0].collections if hasattr(q, "U")]
    assert blue.get_facecolor()[0][2] > 0.5 and red.get_facecolor()[0][0] > 0.5      # blue first, red on top
    assert blue.width >= 2 * red.width
    text = guidance.field_text(f, w, t)
    post, c, g = np.asarray(f["post"]), f["cond"], f["guided"]
    near = post >= guidance.NEAR_CLASS
    nc = np.hypot(c[..., 0], c[..., 1])
    rel = np.median(np.hypot(*(g - c).transpose(2, 0, 1))[near] / nc[near])
    part = text.split("near the class (pₜ(y | x) ≥ 0.9)")[1].split("; where")[0]
    drawn = np.median(np.maximum(nc, np.hypot(g[..., 0], g[..., 1]))[near]) / gfig.arrow_scale(f)
    if rel < guidance.COINCIDE:
        every = (np.hypot(*(g - c).transpose(2, 0, 1))[near] < guidance.COINCIDE * nc[near]).all()
        covers = "cover the blue ones" if every else "cover most blue ones"
        assert (covers in part) == (drawn >= guidance.SHORT_ARROW) and "× the blue" not in part
        assert (f"a median of {rel:.0%}" in part) if rel >= 0.005 else ("a median of under 1%" in part)
        assert "the red arrows are" in text.split("; where")[1]           # the next ratio names them
    else:
        assert "cover" not in part and f"{np.median(np.hypot(*g.transpose(2, 0, 1))[near] / nc[near]):.2f}× the blue" in part
    assert ("show as dots" in part) == (drawn < guidance.SHORT_ARROW)
    if drawn < guidance.SHORT_ARROW:
        assert f"drawn {drawn:.2f} of a grid spacing" in part
    if (name, w, t) == ("ring8", 10.0, 0.0):
        assert "show as dots" in part and "cover" not in part and "rim" not in part


@pytest.mark.parametrize("name, y, w, t", [("tutorial", 1, 3.0, 0.3), ("ring8", 0, 10.0, 0.0),
                                           ("tutorial", 0, 4.0, 0.1)])
def test_near_class_sentences_agree_on_how_many_arrows_guidance_changes(name, y, w, t):
    """Tutorial, class 1, w = 3, t = 0.3: the text said the two fields agree "at 71 of the 81 arrows
    near the class" and then that near the class the red arrows cover the blue ones, guidance
    changing them "by under 1% of their length", which read as every arrow. The second sentence
    is a median and says so, and says "most" where the first counts arrows that differ more."""
    import re

    import diffusion_core as dc
    from dashboard import guidance
    f = guidance.guidance_fields(dc.PRESETS[name], 25.0, y, w, t)
    text = guidance.field_text(f, w, t)
    m = re.search(r"at (all )?(\d+) of the (\d+) arrows near the class|at all (\d+) arrows near the class", text)
    assert m is not None and "changes them there by a median of" in text, text   # both sentences
    k, n = (int(m.group(2)), int(m.group(3))) if m.group(2) else (int(m.group(4)), int(m.group(4)))
    if "show as dots (" in text:                 # arrows too short to cover one another
        assert "cover" not in text
    elif k < n:
        assert "cover most blue ones" in text and "cover the blue ones" not in text
    else:
        assert "cover the blue ones" in text
    assert "changes them there by a median of" in text


def _three_classes():
    import torch
    import diffusion_core as dc
    means = torch.tensor([[0.0, 0.0], [3.0, 0.5], [-1.0, 3.0]], dtype=torch.float64)
    covs = torch.stack([torch.eye(2, dtype=torch.float64) * v for v in (1.0, 0.5, 0.8)])
    return dc.GaussianMixture(means, covs, torch.tensor([0.5, 0.2, 0.3], dtype=torch.float64))


@pytest.mark.parametrize("name, y", [("tutorial", 0), ("tutorial", 1), ("ring8", 0), ("three", 2)])
def test_samples_panels_draw_where_another_class_is_more_likely(name, y):
    """The question says true samples "land where another class is more likely", which the
    samples panels did not draw. They hatch that region (the leak's own rule: the most
    responsible component of p₀ is another class's), behind a dashed boundary, and the caption
    says so from the grid drawn, or that no point of the panels is such a place."""
    import numpy as np
    import torch
    import diffusion_core as dc
    from dashboard import guidance
    from dashboard.figures import guidance as gfig
    gmm = _three_classes() if name == "three" else dc.PRESETS[name]
    xx, yy, logp, other = guidance.samples_grid(gmm, y)
    pts = torch.from_numpy(np.stack([xx.ravel(), yy.ravel()], 1))
    post = dc.guidance.class_posterior(gmm, dc.VESDE(25.0), None, pts, 0.0).numpy()
    mine, best_other = post[:, y], np.delete(post, y, axis=1).max(1)
    clear = np.abs(mine - best_other) > 1e-6
    assert (other.ravel()[clear] == (best_other > mine)[clear]).all()
    # the leak of samples is the share of them in the region (the same rule)
    x = guidance.guidance_truth(gmm, y, 600, 2021)[0]
    top = gmm.responsibilities(torch.from_numpy(x)).argmax(1).numpy()
    assert dc.guidance.guidance_metrics(x, gmm, None, y)["leak"] == pytest.approx(float((top != y).mean()))
    fig = gfig.samples_figure([("a", x, "k")], xx, yy, logp, *guidance.samples_limits(gmm, y), other)
    hatched = [c for c in fig.axes[0].collections if any(getattr(c, "hatches", None) or [None])]
    assert bool(hatched) == bool(other.any())
    text = guidance.leak_region_text(gmm, y)
    if other.any():
        assert "Hatched" in text and f"{other.mean():.0%} of each panel" in text
    else:
        assert text.startswith("No point of these panels")
    if name == "tutorial":
        assert other.any() and 0.05 < other.mean() < 0.95


def test_samples_caption_names_the_hatched_region():
    import diffusion_core as dc
    from dashboard import guidance
    at = open_page(**{K + "learned": False, K + "class": 1})
    assert guidance.leak_region_text(dc.PRESETS["tutorial"], 1) in at.caption[0].value
    assert "Hatched" in at.caption[0].value


def test_class_names_never_print_minus_zero():
    """ring8's class 7 read "the mode at (-0.0, -4.0)": the labels use vocabulary.point."""
    import diffusion_core as dc
    from dashboard import guidance
    from dashboard.vocabulary import point
    names = guidance.class_names(dc.PRESETS["ring8"])
    assert names[6] == "class 7: the mode at (0, −4)"
    assert not any("-0" in n or "−0)" in n or "(−0" in n for n in names), names
    tutorial = guidance.class_names(dc.PRESETS["tutorial"])
    assert tutorial == [f"class {k + 1}: the mode at {point(m)}" for k, m in enumerate(dc.PRESETS["tutorial"].means.tolist())]


@pytest.mark.parametrize("name, t", [("tutorial", 1.0), ("tutorial", 0.0), ("ring8", 1.0), ("ring8", 0.0)])
def test_field_text_says_where_the_red_arrows_point_at_this_t(name, t):
    """Tutorial, w = 10, t = 1: the text said the red arrows "point more sharply into the class"
    while in the panel's top-left corner they point away from the class's mode. The sentence
    gives the share of red arrows drawn that point towards the class's mean, from the arrows."""
    import numpy as np
    import diffusion_core as dc
    from dashboard import guidance
    gmm = dc.PRESETS[name]
    f = guidance.guidance_fields(gmm, 25.0, 0, 10.0, t)
    text = guidance.field_text(f, 10.0, t)
    assert "more sharply into the class" not in text
    m = np.asarray(f["class_mean"])
    to = np.stack([m[0] - f["xx"], m[1] - f["yy"]], -1)
    share = float(np.mean((f["guided"] * to).sum(-1) > 0))
    assert f"Of all red arrows drawn, {share:.0%} point towards the class's mean" in text
    assert ("the rest do not point towards it" in text) == (share < 0.95)
    if t == 1.0:
        assert share < 0.95 and "the rest do not point towards it" in text
    else:
        assert share == 1.0
    # the top-left corner at t = 1 on the tutorial: the red arrow there points away from the mean
    if (name, t) == ("tutorial", 1.0):
        assert (f["guided"][-1, 0] * to[-1, 0]).sum() < 0


@pytest.mark.parametrize("name, t", [("tutorial", 0.3), ("tutorial", 1.0)])
def test_field_marks_where_another_class_is_more_likely(name, t):
    """At w = 0 the text says the guided score points into another class near it: the field panel
    draws the dashed line pₜ(y | x) = 0.5 where the panel holds both sides of it, its legend names
    it, and the text points to it only then (at t = 1 the classes are blurred: pₜ(y | x) stays
    near 1/2 on one side, no line)."""
    import numpy as np
    import diffusion_core as dc
    from dashboard import guidance
    from dashboard.figures import guidance as gfig
    gmm = dc.PRESETS[name]
    f = guidance.guidance_fields(gmm, 25.0, 1, 0.0, t)
    post = np.asarray(f["post"])
    both = post.min() < guidance.OTHER_LIKELY < post.max()
    fig = gfig.fields_figure(f, 0.0, t, "class", guidance.OTHER_LIKELY)
    names = [h.get_label() for h in fig.legends[0].legend_handles]
    assert any("another class is more likely" in n for n in names) == both, names
    assert ("beyond the dashed line" in guidance.field_text(f, 0.0, t)) == both
    if t == 0.3:
        assert both


@pytest.mark.parametrize("name, lam, y, w, t", [("tutorial", 50.0, 0, 10.0, 1.0), ("ring8", 50.0, 3, 10.0, 1.0),
                                                ("tutorial", 25.0, 0, 10.0, 0.0), ("ring8", 25.0, 0, 4.0, 0.3),
                                                ("three classes", 25.0, 1, 0.5, 0.2)])
def test_field_text_says_where_the_arrows_agree_from_the_arrows_drawn(name, lam, y, w, t):
    """Tutorial, λ = 50, t = 1, w = 10: the text said "The two agree near the class" where no grid
    point is near the class (pₜ(y | x) is 0.48 to 0.52 over the panel) and no red arrow matches its
    blue one. It now counts the arrows drawn whose red and blue differ by less than COINCIDE of
    the blue's length, near the class and elsewhere, and names "near the class" only where some
    arrow is near it."""
    import numpy as np
    import diffusion_core as dc
    from dashboard import guidance
    gmm = _three_classes() if name == "three classes" else dc.PRESETS[name]
    f = guidance.guidance_fields(gmm, lam, y, w, t)
    text = guidance.field_text(f, w, t)
    assert "agree near the class" not in text, text
    post, c, g = np.asarray(f["post"]), f["cond"], f["guided"]
    nc = np.hypot(c[..., 0], c[..., 1])
    ok = nc > 1e-12
    agree = ok & (np.hypot(*(g - c).transpose(2, 0, 1)) < guidance.COINCIDE * np.where(ok, nc, 1))
    near = ok & (post >= guidance.NEAR_CLASS)
    first = text.split(";")[0]
    if not near.any():
        assert "near the class" not in text, text
        k, n = int(agree[ok].sum()), int(ok.sum())
        assert ("differ by at least 10% of the blue arrow's length at every arrow drawn" in first if k == 0
                else f"{k} of the {n} arrows drawn" in first), first
    else:
        k, n = int(agree[near].sum()), int(near.sum())
        said = f"all {n} arrows" if k == n else f"{k} of the {n} arrows"
        assert f"at {said} near the class (where pₜ(y | x) ≥ 0.9)" in first, first
        rest = ok & ~near
        k, n = int(agree[rest].sum()), int(rest.sum())
        said = f"all {n} others" if k == n else f"none of the {n} others" if k == 0 else f"{k} of the {n} others"
        assert said in first, first
    if (name, lam, t) == ("tutorial", 50.0, 1.0):
        assert post.max() < guidance.NEAR_CLASS and not agree.any()


@pytest.mark.parametrize("e1, l1, mean, sd, says, never", [
    # tutorial, λ = 50, learned: exact CFG 0.001 beyond the band's edge, learned CFG 0.021
    (1.034, 1.054, 0.9975, 0.01775,
     ["as exact CFG is (1.034×), but only 0.001 beyond the band's edge against learned CFG's 0.021: "
      "most of learned CFG's distance from the band is the network's error"], ["the sampler's error, not"]),
    # about half each
    (1.032, 1.034, 0.995, 0.0175, ["as exact CFG is (1.032×), but only 0.002 beyond the band's edge against "
                                   "learned CFG's 0.004: the sampler accounts for 50%"], ["the sampler's error, not"]),
    # exact CFG as far out as learned CFG: the sampler's
    (0.91, 0.92, 1.0, 0.02, ["as exact CFG is (0.91×): the sampler's error, not the network's; exact CFG lies "
                             "as far or farther beyond the band's edge (0.050 against learned CFG's 0.040)"],
     ["network's error, not", "accounts for"]),
    (0.954, 0.952, 1.0, 0.02, ["the sampler's error, not the network's; exact CFG lies about as far beyond the "
                               "band's edge (0.006 against learned CFG's 0.008)"], ["accounts for"]),
])
def test_learned_spread_outside_the_band_is_blamed_by_how_far_each_lies_outside(e1, l1, mean, sd, says, never):
    """Tutorial, λ = 50, learned CFG: "outside the band (1.054×), as exact CFG is (1.034×): the
    sampler's error, not the network's", where exact CFG lies 0.001 beyond the band's edge and
    learned CFG 0.021. The sampler is blamed only when exact CFG lies about as far beyond the edge
    (ABOUT_AS_FAR of learned CFG's distance or more); else the share it accounts for, or that most
    is the network's."""
    from dashboard import guidance
    text = guidance.learned_spread_story(_table(e1, e1, l1, l1), {"spread_ratio": (mean, sd)})
    for s in says:
        assert s in text, text
    for s in never:
        assert s not in text, text
    _printed_outside(text)


def _sweep_table(e1, e4, e0=1.5):
    import pandas as pd
    return pd.DataFrame([{"w": w, "spread_ratio": e, "leak": 0.05, "logp_class": -3.0}
                         for w, e in [(0.0, e0), (1.0, e1), (4.0, e4), (10.0, e4)]]).set_index("w")


def test_sweep_summary_prints_spreads_with_the_bands_digits():
    """Tutorial, λ = 50: the sweep caption said exact CFG at w = 1 is outside the band in spread
    and printed its spread as 1.03× beside the band 0.96–1.03×. Every spread in the caption is
    printed with band_digits over the spreads its sentence prints."""
    from dashboard import guidance
    truth = {"spread_ratio": (0.9975, 0.01775), "leak": (0.05, 0.01), "logp_class": (-3.0, 0.05)}
    at = _sweep_table(1.034, 0.902)
    assert guidance.band_digits([1.034, 0.902, 1.5], truth["spread_ratio"]) == 3
    text = guidance.sweep_summary(at, truth)
    assert "only just outside the band in spread" in text and "its spread 1.034× → 0.902×" in text, text
    assert "the spread 1.500× (samples of every class)" in text and "1.03×" not in text, text
    inside = _sweep_table(1.01, 0.90)                       # no value near an edge: two digits
    assert "its spread 1.01× → 0.90×" in guidance.sweep_summary(inside, truth)
    learned = inside.assign(learned_spread_ratio=[1.5, 1.034, 0.8, 0.7], far=0.0)   # 1.034 decides its own sentences
    assert "its spread 1.01× → 0.90×" in guidance.sweep_summary(learned, truth)
    story = guidance.learned_spread_story(learned, truth)
    assert "(1.034×; band 0.962–1.033×)" in story and "its spread goes 1.034× → 0.800×" in story, story
    assert guidance.measures_text({"spread_ratio": 1.034, "leak": 0.0, "logp_class": -2.5}, digits=3).startswith(
        "spread 1.034×, leak 0.0%")


@pytest.mark.parametrize("mixture, lam", [("tutorial", 50.0), ("tutorial", 2.0), ("ring8", 25.0)])
def test_learned_attribution_on_the_page_reads_how_far_each_lies_beyond_the_band(mixture, lam):
    """With learned CFG on: the sweep caption blames the sampler for learned CFG's spread outside
    the band only when exact CFG lies about as far beyond the band's edge, and every spread the
    caption prints, exact CFG's summary included, uses its sentence's band digits."""
    import diffusion_core as dc
    from dashboard import guidance, lessons, state
    at = open_page(**{"w_mixture": mixture, K + "lam": lam, K + "w": 10.0})
    sweep = next(c.value for c in at.caption if c.value.startswith("Green band"))
    gmm, seed = dc.PRESETS[mixture], state.DEFAULT_SEED
    truth = guidance.guidance_truth(gmm, 0, 600, seed)[1]
    table = guidance.guidance_table(gmm, lam, 0, 600, 60, seed, lessons.recipe(seed), "cpu").set_index("w")
    assert guidance.sweep_summary(table, truth, guidance.start_far(gmm, lam)) in sweep
    w1, w4 = table.loc[1.0], table.loc[4.0]
    d = guidance.band_digits([w1["spread_ratio"], w4["spread_ratio"], table["spread_ratio"].iloc[0]],
                             truth["spread_ratio"])
    assert f"its spread {w1['spread_ratio']:.{d}f}× → {w4['spread_ratio']:.{d}f}×" in sweep
    (mean, sd), k = truth["spread_ratio"], 2.0
    l1, e1 = w1["learned_spread_ratio"], w1["spread_ratio"]
    lo, hi = mean - k * sd, mean + k * sd
    beyond_l = l1 - hi if l1 > hi else lo - l1
    beyond_e = e1 - hi if l1 > hi else lo - e1
    blamed = "the sampler's error, not the network's" in sweep
    assert blamed == (beyond_l > 0 and beyond_e >= guidance.ABOUT_AS_FAR * beyond_l), sweep
    if "outside the truth's" in sweep:
        _printed_outside(sweep)


def test_a_w_move_redraws_no_png(monkeypatch):
    """The samples figure and the guided field are Vega-Lite charts over background PNGs cached
    per mixture and class (and λ and t for the field), none of which depends on w: a move of w
    renders no matplotlib figure, and the charts then hold every panel's samples at the new w,
    titled by it, and the guided arrows at the new w, named by it in the legend."""
    import json

    import pyarrow as pa
    from matplotlib.figure import Figure

    from dashboard.figures import guidance as gfig
    at = open_page()
    calls = []
    real = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda *a, **k: calls.append(1) or real(*a, **k))
    at.slider(key=K + "w").set_value(1.5).run()
    assert not at.exception
    assert not calls, calls
    chart = at.get("vega_lite_chart")[0]
    spec = json.loads(chart.proto.spec)
    titles = [p["title"]["text"] for p in spec["hconcat"]]
    assert titles == [gfig.TRUTH, "exact CFG, w = 1.5", "learned CFG, w = 1.5"]
    data = next(d for d in chart.proto.datasets if d.name == gfig.SAMPLES_DATA)
    frame = pa.ipc.open_stream(data.data.data).read_pandas()
    assert sorted(frame["panel"].unique()) == sorted([gfig.TRUTH, "exact CFG", "learned CFG"])
    figures = [b for b in at.get("download_button") if b.label == "Figure (PNG)"]
    assert len(figures) == 2, "the samples and field figures' PNG downloads"
    field = at.get("vega_lite_chart")[2]
    spec = json.loads(field.proto.spec)
    assert "guided score, w = 1.5" in json.dumps(spec, ensure_ascii=False)
    data = next(d for d in field.proto.datasets if d.name == gfig.FIELDS_DATA)
    arrows = pa.ipc.open_stream(data.data.data).read_pandas()
    assert set(arrows["field"]) == {"conditional score s(x, t | y)", "guided score, w = 1.5"}


def test_arrow_frame_draws_fields_figures_arrows():
    """The field chart's arrows are fields_figure's: from every grid point, the score times one grid
    spacing over arrow_scale, guided and conditional, with heads pointing along them."""
    import numpy as np

    import diffusion_core as dc
    from dashboard import guidance
    from dashboard.figures import guidance as gfig
    f = guidance.guidance_fields(dc.PRESETS["tutorial"], 25.0, 0, 3.0, 0.3)
    frame = gfig.arrow_frame(f, 3.0)
    k = float(f["xx"].max() - f["xx"].min()) / f["xx"].shape[0] / gfig.arrow_scale(f)
    guided = frame[frame["field"] == "guided score, w = 3"]
    assert len(guided) == f["xx"].size and len(frame) == 2 * f["xx"].size
    np.testing.assert_allclose(guided["x2"] - guided["x"], f["guided"][..., 0].ravel() * k, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(guided["y2"] - guided["y"], f["guided"][..., 1].ravel() * k, rtol=1e-6, atol=1e-9)
    right = guided[(guided["x2"] - guided["x"] > 0) & ((guided["y2"] - guided["y"]).abs() < 1e-9)]
    assert (right["angle"].round(6) % 360 == 90).all()                 # pointing right: 90° clockwise from up


def test_sweep_summary_says_when_the_start_and_not_the_steps_is_the_likely_cause():
    """Tutorial, λ = 2: exact CFG at w = 1 was "outside the band in spread (the sampler's error)"
    at 0.956× beside a band 0.962–1.033×: 0.006 out, with σ₁ = 1.47 below the data's spread, so the
    prior N(0, σ₁² I) the sampler starts from does not match p₁. The caption says how far out a
    value only just outside is, and names the start where σ₁ < 1.5 × the data's widest std (the
    Exact-score reversal's rule, models.start_far)."""
    import numpy as np
    import pandas as pd
    from dashboard import guidance, models
    truth = {"spread_ratio": (1.0, 0.02), "leak": (0.1, 0.01), "logp_class": (-2.0, 0.05)}
    at = pd.DataFrame({"w": [0.0, 1.0, 4.0], "spread_ratio": [1.3, 0.955, 0.8], "leak": [0.4, 0.1, 0.0],
                       "logp_class": [-4.0, -2.0, -2.0]}).set_index("w")
    import diffusion_core as dc
    x = dc.GaussianMixture([[0.0, 0.0]], [[[1.0, 0.0], [0.0, 0.09]]], [1.0])     # widest std 1, exactly
    near = models.start_far(1.2, x)
    assert near == "σ₁ = 1.20 is not much larger than the data's std along its widest direction, 1.00"
    assert "spread" not in near          # "the data's spread" names the root-mean-square spread s elsewhere
    assert models.start_far(0.8, x).startswith("σ₁ = 0.80 is smaller than") and models.start_far(1.6, x) == ""
    # the exact std of a mixture, not a sample estimate: two modes at (±3, 0) of std 0.5 have √(9 + 0.25)
    two = dc.GaussianMixture([[-3.0, 0.0], [3.0, 0.0]], [[[0.25, 0.0], [0.0, 0.25]]] * 2, [0.5, 0.5])
    assert models.widest_std(two) == pytest.approx(np.sqrt(9.25), rel=1e-12)
    text = guidance.sweep_summary(at, truth, near)
    assert ("Exact CFG at w = 1 is only just outside the band in spread (0.005 beyond the band's edge, under 20% "
            "of the band's half-width, 0.040): the sampler's error. " + near + ", so the sampler's start "
            "N(0, σ₁² I) is far from p₁: a possible cause beside its steps (a larger λ, which widens the start, "
            "tells the two apart). From w = 1") in text, text
    # w = 0 names the far start too: after w = 1 named it, and alone where w = 1 lies inside the band
    assert "the spread 1.30× (samples of every class, from the same start far from p₁)." in text, text
    inside = guidance.sweep_summary(at.assign(spread_ratio=[1.3, 1.0, 0.8]), truth, near)
    assert "inside the band in every measure" in inside and (
        f"the spread 1.30× (samples of every class; {near}, so the sampler's start N(0, σ₁² I) is far from p₁ at "
        "every w).") in inside, inside
    # σ₁ wide enough: the steps alone; well outside: no "only just"
    far_out = at.assign(spread_ratio=[1.3, 0.9, 0.8])
    text = guidance.sweep_summary(far_out, truth, "")
    assert "outside the band in spread (the sampler's error). From w = 1" in text and "only just" not in text
    assert "(samples of every class)." in text
    # two measures out, one only just: "only just" is said of that one alone (tutorial, class 2, λ = 2 read
    # "outside the band in spread; leak; mean log p₀(x | y), only just (…)", as if all three were only just out)
    both = at.assign(leak=[0.4, 0.15, 0.0])
    assert ("outside the band in leak, and only just outside it in spread (0.005 beyond the band's edge, under 20% of the "
            "band's half-width, 0.040) (the sampler's error)") in guidance.sweep_summary(both, truth)
    three = at.assign(leak=[0.4, 0.15, 0.0], spread_ratio=[1.3, 0.9, 0.8], logp_class=[-4.0, -2.105, -2.0])
    said = guidance.sweep_summary(three, truth)
    assert "outside the band in spread and leak, and only just outside it in mean log p₀(x | y) (0.005 nats beyond" in said, said


def test_sweep_chart_names_its_w_line_apart_from_the_truth_line():
    """The sweep charts drew a black dashed line at the chosen w, in no legend or caption, next to
    the green dashed truth line: it is dotted and grey, and the caption names it with the w; the
    page's words name the truth as the screen shows it (the left panel, green), not a "row"."""
    import pandas as pd
    from dashboard.figures import guidance as gfig
    from dashboard.figures.common import chart_spec
    table = pd.DataFrame({"w": [0.0, 1.0, 4.0], "spread_ratio": [1.5, 1.0, 0.9], "leak": [0.5, 0.1, 0.0],
                          "logp_class": [-5.0, -2.0, -2.1]})
    truth = {"spread_ratio": (1.0, 0.02), "leak": (0.1, 0.01), "logp_class": (-2.0, 0.05)}
    spec = chart_spec(gfig.sweep_chart(table, truth, 4.0, False))
    for panel in spec["hconcat"]:
        rules = [lay["mark"] for lay in panel["layer"] if lay["mark"]["type"] == "rule"]
        w_rule = [m for m in rules if m.get("strokeDash") != gfig.TRUTH_DASH]
        assert len(w_rule) == 1 and w_rule[0]["strokeDash"] == gfig.W_DASH != gfig.TRUTH_DASH
        assert w_rule[0]["color"] != "black"
    at = open_page(**{K + "w": 3.0, K + "learned": False})
    sweep = next(c.value for c in at.caption if c.value.startswith("Green band"))
    assert sweep.endswith(f"{gfig.W_WORDS} (now w = 3).")
    assert "truth row" not in text(at) and "The **truth** (the left panel, and green in the charts below)" in text(at)
    assert "its band is ± 2 standard deviations over 20 independent sets" in text(at)


def test_question_asks_about_a_leak_only_where_true_samples_leak():
    """On ring8 no true sample of a class lands where another class is more likely, yet the
    question asked "what does w = 4 do to that leak": it now asks what w = 4 costs there, and
    quotes the truth's own leak where there is one (7.5 % of 600 on the tutorial's class 1)."""
    from dashboard import guidance
    some = guidance.question_text(0.075, 600)
    assert "yet 7.5% of true samples" in some and "that leak" in some
    none = guidance.question_text(0.0, 600)
    assert "none of 600 true samples" in none and "no leak to remove" in none and "that leak" not in none
    assert "that leak" not in guidance.question_text(0.001, 600)          # under one sample of 600


def test_warm_up_trains_the_conditional_network_on_both_lesson_mixtures(monkeypatch):
    """The lesson's Guidance row says "tutorial (or ring8)": ring8's first visit waited 15 s for its
    network. The warm-up trains the conditional network on the tutorial mixture, then on ring8."""
    import diffusion_core as dc
    from dashboard import guidance as guidance_page, lessons, models
    seen = []
    monkeypatch.setattr(lessons, "is_trained", lambda *a, **k: False)
    monkeypatch.setattr(guidance_page, "cond_net", lambda cfg, gmm, lam, device: seen.append(gmm))
    guidance_page.train_defaults()
    assert seen == [dc.PRESETS[models.DEFAULT_MIXTURE], dc.PRESETS[models.LESSON_MIXTURE]]


@pytest.mark.parametrize("name, y", [("moons", 0), ("ring8", 0), ("tutorial", 1)])
def test_log_likelihood_axis_ticks_read_as_plain_numbers(name, y):
    """Moons: a tick of the log-likelihood axis read "−1e+1": its format "~g" took one significant
    digit from a tick step of 10. The axis is in fixed point, whose decimals Vega-Lite takes from
    the step (−10, −800, −2.85): never an exponent, whatever the range (ring8 reaches −800)."""
    import json
    import re
    import diffusion_core as dc
    from dashboard import guidance, state
    from dashboard.figures import guidance as gfig
    from dashboard.figures.common import chart_spec
    gmm = dc.PRESETS[name]
    table = guidance.guidance_table(gmm, 25.0, y, 600, 60, state.DEFAULT_SEED)
    truth = guidance.guidance_truth(gmm, y, 600, state.DEFAULT_SEED)[1]
    spec = chart_spec(gfig.sweep_chart(table, truth, 1.0, False))
    panel = next(p for p in spec["hconcat"] if "fidelity: log-likelihood" in json.dumps(p, ensure_ascii=False))
    fmt = next(lay["encoding"]["y"]["axis"]["format"] for lay in panel["layer"]
               if lay["encoding"].get("y", {}).get("field") == "shown")
    assert re.fullmatch(r",?~?f", fmt), fmt                  # fixed point, decimals from the step
    assert "e" not in fmt and "g" not in fmt and "s" not in fmt


@pytest.mark.parametrize("mixture, y, lam", [("tutorial", 1, 50.0), ("tutorial", 0, 25.0), ("ring8", 0, 25.0),
                                              ("tutorial", 1, 25.0), ("cross", 0, 2.0)])
def test_sweep_summary_says_where_the_class_pays_in_likelihood(mixture, y, lam):
    """Tutorial, class 2, λ = 50: the caption said the spread stays inside the truth's band ("no
    loss of diversity on this class") while exact CFG's mean log p₀(x | y) fell below the truth's
    band from w = 4 to −3.67 at w = 10 (the truth −3.11), the guided cloud pushed off its mode. The
    summary says from which w the curve stays below the band, with its values there, from the
    chart's own numbers; where the curve ends inside the band it says nothing of the kind. Cross,
    class 1, λ = 2: "-1.99 at w = 4" was printed below a band "-1.99 to -1.85" (-1.9894 against the
    edge -1.9886); every value said below now reads below the printed edge."""
    import diffusion_core as dc
    from dashboard import guidance, state
    gmm, seed = dc.PRESETS[mixture], state.DEFAULT_SEED
    truth = guidance.guidance_truth(gmm, y, 600, seed)[1]
    table = guidance.guidance_table(gmm, lam, y, 600, 60, seed).set_index("w")
    text = guidance.sweep_summary(table, truth, guidance.start_far(gmm, lam))
    mean, sd = truth["logp_class"]
    lo = mean - 2.0 * sd
    ws = [float(w) for w in table.index if float(w) >= 1]
    low = [float(table.loc[w, "logp_class"]) < lo for w in ws]
    if not low[-1]:
        assert "pays in likelihood" not in text, text
        return
    first = ws[min(i for i in range(len(ws)) if all(low[i:]))]
    m = re.search(r"lies below the truth's band \((-?[\d.]+) to (-?[\d.]+)\) from w = (\S+) on \(([^)]*)\)", text)
    assert m and float(m[3]) == first, text
    printed_lo, d = m[1], len(m[1].split(".")[1])
    assert abs(float(printed_lo) - lo) <= 0.5 * 10 ** -d and d >= 2, (printed_lo, lo)
    said = [float(v) for v in re.findall(r"(-?[\d.]+) at w = ", m[4])]
    assert said[0] == round(float(table.loc[first, "logp_class"]), d), (said, text)
    assert all(v < float(printed_lo) for v in said), text       # visibly below the printed edge
    assert "pays in likelihood" in text
    if (mixture, y, lam) == ("tutorial", 1, 50.0):
        assert first <= 4.0 and f"{table.loc[10.0, 'logp_class']:.2f} at w = 10)" in text


HW = {"means": [[3.0, 3.0], [-3.0, 0.0], [0.0, -4.0]],
      "covs": [[[4e-4, 0.0], [0.0, 4e-4]], [[0.04505, 0.04495], [0.04495, 0.04505]], [[4e-4, 0.0], [0.0, 4e-4]]],
      "weights": [0.9, 0.08, 0.02]}


@pytest.mark.parametrize("mixture, y, thin", [("custom", 1, True), ("tutorial", 0, False), ("ring8", 3, None)])
def test_a_truth_band_too_thin_to_see_is_said_to_lie_under_the_dashed_line(mixture, y, thin):
    """A custom mixture of narrow modes, class 2 (std 0.3 × 0.01): the caption described a green band that,
    ± 0.07 on a log-likelihood axis spanning nats, drew under a pixel. Each panel's band height is computed
    as the chart draws it (the panel's own domain and height); a band under MIN_BAND_PX is named with its ±,
    and said to lie under the dashed line; where every band shows nothing is said."""
    import diffusion_core as dc
    from dashboard import guidance
    from dashboard.figures import guidance as gfig
    state = {K + "class": y, K + "w": 3.0, K + "learned": False}
    state.update(custom_mixture=HW, w_mixture="custom") if mixture == "custom" else state.update(w_mixture=mixture)
    at = open_page(**state)
    gmm = dc.GaussianMixture.from_dict(HW) if mixture == "custom" else dc.PRESETS[mixture]
    truth = guidance.guidance_truth(gmm, y, 600, 2021)[1]
    table = guidance.guidance_table(gmm, 25.0, y, 600, 60, 2021, None, "cpu")
    heights = gfig.band_heights(table, truth, False)
    said = next(c.value for c in at.caption if "Green band" in c.value)
    expected = guidance.thin_band_text(table, truth, False)
    assert bool(expected) == any(px < gfig.MIN_BAND_PX for px in heights.values()) and expected in said, said
    if thin is not None:
        assert bool(expected) == thin, heights
    for col, px in heights.items():
        kind = gfig.METRICS[col][1]
        assert (f"{kind} (" in expected) == (px < gfig.MIN_BAND_PX), (kind, px, expected)
        if px < gfig.MIN_BAND_PX:       # its ± as drawn, or no band at all where true samples do not vary
            half = gfig.NOISE_K * truth[col][1]
            assert (f"{kind} (± " if half > 0 else f"{kind} (no noise") in expected, expected
    if expected:
        assert "lies under the green dashed line" in expected
    # the band's height is what the chart draws: its share of the panel's own y domain
    spec = guidance.chart_spec(gfig.sweep_chart(table, truth, 0.0, False))
    for panel, (col, (_, _, scale)) in zip(spec["hconcat"], gfig.METRICS.items()):
        rect = panel["layer"][0]
        (a, b), (band,) = rect["encoding"]["y"]["scale"]["domain"], spec["datasets"][rect["data"]["name"]]
        f = np.log10 if scale == "log" else (lambda v: v)
        drawn = panel["height"] * (f(band["hi"]) - f(band["lo"])) / (f(b) - f(a))
        assert drawn == pytest.approx(heights[col]), (col, drawn, heights[col])


@pytest.fixture
def clear_rows():
    """The Guidance page's cached rows and sample panels cleared before and after a test that
    replaces the learned samples (_far_learned), so neither reads the other's."""
    from dashboard import guidance
    cached = (guidance.guidance_row, guidance.guidance_samples_png)
    for f in cached:
        f.clear()
    yield
    for f in cached:
        f.clear()


def _far_learned(monkeypatch, kept: int, at_w: float = 10.0):
    """learned_guided_samples replaced: at w = at_w all but `kept` samples lie far outside the data's
    box (at 1e3), elsewhere they are exact CFG's own samples."""
    from dashboard import guidance

    def fake(cfg, gmm, lam, device, y, w, n, steps, seed):
        x = guidance.guided_samples(gmm, lam, y, w, n, steps, seed).copy()
        if w == at_w:
            x[kept:] = 1e3
        return x
    monkeypatch.setattr(guidance, "learned_guided_samples", fake)


@pytest.mark.parametrize("mixture, y, kept", [("custom", 2, 0), ("tutorial", 1, 10), ("ring8", 0, 0),
                                              ("tutorial", 0, 80)])
def test_learned_numbers_are_never_measured_from_samples_all_left_out(monkeypatch, clear_rows, mixture, y, kept):
    """Custom mixture, class 3, λ = 25, w = 10: every learned sample landed far outside the data and
    was left out, yet the page printed a learned spread of 0.75×, a mean log p₀ of 5.02 (above the
    truth's), drew that point on the sweep chart and called w = 10 learned CFG's best. Fewer than
    MIN_KEPT kept samples now give no learned measure: nan in the row, no point on the chart, no
    w = 10 in the sweep sentences, which say instead that the samples there are left out."""
    import diffusion_core as dc
    from dashboard import guidance, lessons
    from dashboard.figures import guidance as gfig
    _far_learned(monkeypatch, kept)
    gmm = dc.GaussianMixture.from_dict(HW) if mixture == "custom" else dc.PRESETS[mixture]
    seed, cfg = 4242 + kept, lessons.recipe(4242)
    table = guidance.guidance_table(gmm, 25.0, y, 600, 20, seed, cfg, "cpu")
    at, truth = table.set_index("w"), guidance.guidance_truth(gmm, y, 600, seed)[1]
    row10 = at.loc[10.0]
    measured = kept >= guidance.MIN_KEPT
    assert guidance.learned_measured(row10) == measured
    assert np.isfinite(row10["learned_logp_class"]) == measured and int(row10["learned_kept"]) == kept
    spec = guidance.chart_spec(gfig.sweep_chart(table, truth, 10.0, True))
    learned_w = {r["w"] for rows in spec["datasets"].values() for r in rows
                 if isinstance(r, dict) and r.get("source") == "learned CFG"}
    assert (10.0 in learned_w) == measured, learned_w
    story = guidance.learned_spread_story(at, truth)
    peaks = guidance.logp_peaks(at, truth)
    if measured:
        assert "no point at" not in story and "At w = 10 its spread, measured on the samples kept, is" in story, story
        return
    assert "Learned CFG has no point at w = 10:" in story, story
    assert ("every one of its samples there lands" in story) == (kept == 0), story
    assert "At w = 10 its spread" not in story and "highest at w = 10" not in peaks.split("Learned")[-1], peaks
    every = at.assign(learned_kept=0)          # no learned sample kept at w = 6, 8 and 10
    every.loc[[0.0, 0.5, 1.0, 2.0, 4.0], "learned_kept"] = 600
    assert "Learned CFG has no point at any w from 6 to 10: every one" in guidance.unmeasured_text(every)
    assert guidance.left_out_text(row10).startswith("every one of its 600 samples lands" if kept == 0 else
                                                    f"{600 - kept} of its 600 samples (all but {kept}")


@pytest.mark.parametrize("mixture, y, kept", [("custom", 2, 0), ("tutorial", 0, 80)])
def test_page_prints_no_learned_numbers_where_every_learned_sample_is_left_out(monkeypatch, clear_rows, mixture, y, kept):
    """The samples caption and the warning at w = 10: with every learned sample left out they say
    so and print no learned measure; with enough kept they print the learned measures."""
    _far_learned(monkeypatch, kept)
    state = {K + "class": y, K + "w": 10.0, K + "learned": True}
    state.update(custom_mixture=HW, w_mixture="custom") if mixture == "custom" else state.update(w_mixture=mixture)
    at = open_page(**state)
    caption, warning = at.caption[0].value, " ".join(w.value for w in at.warning)
    if kept:
        assert (f"Learned (measured on the {kept} of 600 samples inside the data's box; the {600 - kept} outside it "
                "are left out, while exact CFG's numbers count all its samples): spread") in caption, caption
        assert "no learned numbers" not in warning
        return
    assert "Learned: every one of its 600 samples lands outside the data's box" in caption, caption
    assert "Learned: spread" not in caption and "sliced W₂ between learned" not in caption, caption
    assert "every one of its 600 samples lands far outside the data" in warning and "no learned numbers" in warning
    sweep = next(c.value for c in at.caption if c.value.startswith("Green band"))
    assert "Learned CFG has no point at w = 10" in sweep and "At w = 10 its spread" not in sweep, sweep


@pytest.mark.parametrize("e1, e4, l1, l4, says, never", [
    # custom mixture, class 3: learned 5.52× → 1.74×, exact 0.87× both times: an excess trimmed, not a loss
    (0.8734, 0.8734, 5.517, 1.7436, ["5.52× → 1.74×, narrower but still above the truth's band: guidance trims an "
                                     "excess spread towards the truth's, no diversity is lost"],
     ["the loss is", "already off", "network misses"]),
    (1.0, 1.0, 1.3, 1.1, ["narrower but still above the truth's band"], ["the loss is"]),
    # narrowing past the band, exact CFG keeping the spread: still the network's loss
    (0.98, 0.97, 1.3, 0.5, ["the loss is the network's error amplified by w"], ["trims an excess"]),
])
def test_a_learned_spread_narrowing_towards_the_band_is_not_a_loss(e1, e4, l1, l4, says, never):
    """Custom mixture, class 3, w = 4: the learned spread went 5.52× → 1.74× towards the truth's 1×
    and the text called it "the loss ... the network's error amplified by w". A spread narrowing
    from above the band and still above it loses nothing; one that falls below the band still does."""
    from dashboard import guidance
    text = guidance.learned_spread_story(_table(e1, e4, l1, l4), {"spread_ratio": (0.995, 0.0175)})
    for s in says:
        assert s in text, text
    for s in never:
        assert s not in text, text


@pytest.mark.parametrize("e1, l1, says, never", [
    # custom mixture, class 1, λ = 25: exact CFG 0.87× (below), learned 1.09× (above)
    (0.87, 1.09, ["exact CFG from the same noise lies below it (0.87×). The sampler's part, exact CFG against the "
                  "truth's 0.995×, is −0.125; the network's part, learned against exact CFG, is +0.220; learned CFG "
                  "lies nearer the truth than exact CFG does (0.095 against 0.125 away)"], ["network misses"]),
    # mirrored: exact above, learned below, learned farther out
    (1.10, 0.80, ["exact CFG from the same noise lies above it (1.10×)", "is +0.105", "is −0.300."],
     ["network misses", "nearer the truth"]),
    # exact CFG inside the band: the network's miss alone
    (1.0, 1.2, ["already off at w = 1", "so the network misses the class's spread"], ["sampler's part"]),
])
def test_learned_spread_at_one_splits_the_sampler_part_from_the_networks(e1, l1, says, never):
    """Custom mixture, class 1: "the network misses the class's spread" where exact CFG (0.87×, below
    the band) was farther from the truth than learned CFG (1.09×, above it). The network is blamed
    alone only where exact CFG lies inside the band; else exact CFG − truth (the sampler's part)
    and learned − exact CFG (the network's) are each said."""
    from dashboard import guidance
    text = guidance.learned_spread_story(_table(e1, e1, l1, l1), {"spread_ratio": (0.995, 0.0175)})
    for s in says:
        assert s in text, text
    for s in never:
        assert s not in text, text


@pytest.mark.parametrize("mixture, y, lam", [("cross", 0, 50.0), ("cross", 1, 50.0), ("cross", 0, 2.0), ("cross", 1, 2.0),
                                             ("tutorial", 0, 25.0), ("ring8", 0, 25.0)])
def test_page_says_under_its_title_where_the_class_shows_no_trade(mixture, y, lam):
    """Cross, class 1, λ = 50: under the title "trading diversity for fidelity" the page's own
    measures showed exact CFG's spread growing 1.02× → 1.53× and its mean log p₀(x | y) falling. A
    line under the title now says so, from the table's numbers, wherever both go that way. Cross,
    λ = 2: exact CFG at w = 1 lies off the truth's bands (spread 0.77×, log p −1.74) and w = 4 moves
    towards them; the line says guidance corrects the sampler's error there, not "no trade"."""
    import diffusion_core as dc
    from dashboard import guidance
    at = open_page(**{"w_mixture": mixture, K + "class": y, K + "lam": lam, K + "w": 4.0, K + "learned": False})
    gmm = dc.PRESETS[mixture]
    truth = guidance.guidance_truth(gmm, y, 600, 2021)[1]
    table = guidance.guidance_table(gmm, lam, y, 600, 60, 2021, None, "cpu").set_index("w")
    expected = guidance.trade_text(table, truth)
    infos = [i.value for i in at.info]
    assert (expected in infos) if expected else not any("no trade of" in i for i in infos), infos
    if mixture == "cross":
        w1, w4 = table.loc[1.0], table.loc[4.0]
        assert f"({w1['spread_ratio']:.2f}× → {w4['spread_ratio']:.2f}×" in expected
        if lam == 50.0:
            assert expected.startswith("On this class there is no trade of diversity for fidelity"), expected
        else:
            assert "no trade" not in expected, expected
            assert "move towards the truth's bands (0.93–1.05× and −1.9" in expected, expected
            assert "corrects the sampler's error at w = 1 rather than trading diversity for fidelity" in expected
            sr, lp = truth["spread_ratio"], truth["logp_class"]
            assert (f"At w = 4 the spread lies {guidance.band_place(w4['spread_ratio'], sr)}; the mean log p₀(x | y) "
                    f"lies {guidance.band_place(w4['logp_class'], lp)}.") in expected, expected
            if y == 1:      # class 2: log p at w = 4 back inside the band, the spread overshooting above it
                assert "(0.77× → 1.07×) and mean log p₀(x | y) (−1.74 → −1.98)" in expected, expected
                assert "spread lies outside its band, above it; the mean log p₀(x | y) lies inside its band." in expected
    if mixture == "tutorial":
        assert not expected


def test_trade_text_only_where_spread_grows_and_likelihood_falls():
    import pandas as pd
    from dashboard import guidance
    truth = {"spread_ratio": (1.0, 0.02), "leak": (0.1, 0.01), "logp_class": (-1.9, 0.05)}
    table = lambda s4, l4: pd.DataFrame([{"w": 1.0, "spread_ratio": 1.02, "leak": 0.1, "logp_class": -1.92},
                                         {"w": 4.0, "spread_ratio": s4, "leak": 0.02, "logp_class": l4}]).set_index("w")
    assert guidance.trade_text(table(1.53, -2.55), truth) == (
        "On this class there is no trade of diversity for fidelity: from w = 1 to w = 4 exact CFG's spread grows (1.02× → 1.53×) "
        "and its mean log p₀(x | y) falls (−1.92 → −2.55), beyond the truth's noise level in both; its leak "
        "goes 10.0% → 2.0%.")
    assert guidance.trade_text(table(0.8, -2.55), truth) == ""      # narrower: diversity paid
    assert guidance.trade_text(table(1.53, -1.90), truth) == ""     # likelihood kept


def test_trade_text_says_guidance_corrects_where_w1_lies_off_the_truth():
    """Cross, class 2, λ = 2: "no trade of diversity for fidelity" while exact CFG at w = 1 lay off
    the truth's bands (spread 0.77× below 0.93–1.05×, log p −1.74 above −1.99 to −1.85) and w = 4
    moved towards them. Where both measures move towards the bands from outside, the line says guidance
    corrects the sampler's error; where only one does, the no-trade line says so of that one; where
    w = 1 lies inside, the no-trade line is unchanged."""
    import pandas as pd
    from dashboard import guidance
    truth = {"spread_ratio": (0.9935, 0.0307), "leak": (0.0605, 0.00925), "logp_class": (-1.918, 0.0355)}
    table = lambda r1, r4: pd.DataFrame([{"w": 1.0, "spread_ratio": r1[0], "leak": r1[1], "logp_class": r1[2]},
                                         {"w": 4.0, "spread_ratio": r4[0], "leak": r4[1], "logp_class": r4[2]}]).set_index("w")
    assert guidance.trade_text(table((0.766, 0.085, -1.736), (1.072, 0.003, -1.984)), truth) == (
        "From w = 1 to w = 4 exact CFG's spread (0.77× → 1.07×) and mean log p₀(x | y) (−1.74 → −1.98) move "
        "towards the truth's bands (0.93–1.05× and −1.99 to −1.85) from outside them at w = 1: at this λ guidance "
        "here corrects the sampler's error at w = 1 rather than trading diversity for fidelity. At w = 4 the spread "
        "lies outside its band, above it; the mean log p₀(x | y) lies inside its band. The leak goes 8.5% → 0.3%.")
    inside = guidance.trade_text(table((1.02, 0.067, -1.92), (1.51, 0.0, -2.52)), truth)   # λ = 50: w = 1 inside
    assert inside.startswith("On this class there is no trade") and "towards" not in inside, inside
    one = guidance.trade_text(table((0.80, 0.07, -1.90), (1.00, 0.0, -2.50)), truth)       # spread only
    assert one.startswith("On this class there is no trade"), one
    assert "its spread moves towards the truth's band (0.93–1.05×) from outside it at w = 1" in one, one
    assert "mean log p₀(x | y) moves towards" not in one, one
    away = guidance.trade_text(table((1.10, 0.07, -1.80), (1.50, 0.0, -2.50)), truth)      # both move away
    assert away.startswith("On this class there is no trade") and "towards" not in away, away


@pytest.mark.parametrize("mixture, y, kept", [("custom", 2, 300), ("tutorial", 0, 450), ("ring8", 1, 600)])
def test_caption_tells_the_panels_outside_count_from_the_samples_left_out(monkeypatch, clear_rows, mixture, y, kept):
    """Custom mixture, class 3, w = 4: the warning said 19% of the learned samples land far outside
    the data and are left out, the caption "Outside the panels (not drawn): learned CFG 244" (41%),
    with nothing to say which is right. The caption now says that its count is of the panels' box
    and how many learned samples lie outside the data's box and are left out."""
    from dashboard import guidance
    _far_learned(monkeypatch, kept)
    state = {K + "class": y, K + "w": 10.0, K + "learned": True}
    state.update(custom_mixture=HW, w_mixture="custom") if mixture == "custom" else state.update(w_mixture=mixture)
    at = open_page(**state)
    caption = at.caption[0].value
    if kept == 600:      # none left out: the sentence only where the zoomed panels cut a learned sample
        cut = "learned CFG " in caption.split("Outside the panels (not drawn): ")[-1]
        assert ("That count is of the panels' box" in caption) == cut, caption
        assert not cut or "(the square holding every mode's mean ± 4 stds): 0 of 600 here; " in caption, caption
        return
    assert "learned CFG " in caption.split("Outside the panels (not drawn): ")[1], caption
    zoom = ("zoomed to the class, reaching past the data's box" if mixture == "custom" else
            "the data's box widened by a tenth on each side")
    assert (f"That count is of the panels' box ({zoom}); the learned samples left out of the learned numbers "
            f"are those outside the data's box ({guidance.BOX_WORDS}): {600 - kept} of 600 "
            "here; ") in caption, caption
    warning = " ".join(w.value for w in at.warning)
    assert f"{(600 - kept) / 600:.0%} of its samples land far outside the data" in warning, warning


def _kept_table(rows):
    """A guidance_table indexed by w from (w, exact spread, learned spread, learned samples kept of 600)."""
    import pandas as pd
    return pd.DataFrame([{"w": w, "spread_ratio": e, "learned_spread_ratio": ll, "far": (600 - k) / 600,
                          "learned_kept": k, "learned_n": 600} for w, e, ll, k in rows]).set_index("w")


NAN = float("nan")


@pytest.mark.parametrize("rows, says, never", [
    # custom mixture, class 3, λ = 25: 0 left out at w = 1, 111 at w = 4, 275 at w = 6, all at 8 and 10
    ([(1.0, 0.8734, 5.517, 600), (4.0, 0.8734, 1.7436, 489), (6.0, 0.87, 1.033, 325), (8.0, 0.87, NAN, 0),
      (10.0, 0.87, NAN, 0)],
     ["its spread, measured on the samples kept, goes 5.5", "0 of 600 at w = 1 and 111 of 600 at w = 4, 111 apart, "
      "beyond two counts' noise", "At w = 6 its spread, measured on the samples kept, is",
      "111 of 600 at w = 4 and 275 of 600 at w = 6"],
     ["no diversity is lost", "guidance trims", "wider"]),
    # custom mixture, class 3, λ = 50: 288 of 600 left out at w = 4
    ([(1.0, 0.87, 4.56, 590), (4.0, 0.87, 1.15, 312), (10.0, 0.87, NAN, 0)],
     ["measured on the samples kept, goes 4.56× → 1.15×", "10 of 600 at w = 1 and 288 of 600 at w = 4"],
     ["no diversity is lost", "guidance trims"]),
    # the page's custom mixture, class 3, λ = 25: 96 left out at w = 1, 111 at w = 4, alike: read among the kept
    ([(1.0, 0.8734, 5.517, 504), (4.0, 0.8734, 1.7436, 489), (10.0, 0.87, NAN, 0)],
     ["its spread, measured on the samples kept (samples outside the data's box, left out: 96 of 600 at w = 1 and "
      "111 of 600 at w = 4, 15 apart, within two counts' noise, 2√(96 + 111) = 28.8), goes 5.52× → 1.74×",
      "guidance trims an excess spread towards the truth's among the samples kept"],
     ["no diversity is lost"]),
    # counts alike (tutorial-like: 3 and 9 left out): read as a change, said to be of the samples kept
    ([(1.0, 1.0, 1.3, 597), (4.0, 1.0, 1.1, 591), (10.0, 1.0, 1.1, 591)],
     ["measured on the samples kept (samples outside the data's box, left out: 3 of 600 at w = 1 and 9 of 600",
      "goes 1.30× → 1.10×, narrower but still above the truth's band: guidance trims"],
     ["no diversity is lost"]),
    # none left out: no diversity is lost
    ([(1.0, 1.0, 1.3, 600), (4.0, 1.0, 1.1, 600), (10.0, 1.0, 1.1, 600)],
     ["its spread goes 1.30× → 1.10×, narrower but still above the truth's band: guidance trims an excess spread "
      "towards the truth's, no diversity is lost"], ["measured on the samples kept"]),
    # ring8-like, none left out: the network's loss, as before
    ([(1.0, 0.98, 0.72, 600), (4.0, 0.97, 0.19, 600), (10.0, 0.97, 0.19, 600)],
     ["the loss is the network's error amplified by w"], ["measured on the samples kept"]),
])
def test_learned_spread_is_read_only_where_the_samples_left_out_are_alike(rows, says, never):
    """Custom mixture, class 3, w = 4: "its spread goes 5.5170× → 1.7436×, narrower but still above the
    truth's band: guidance trims an excess spread ..., no diversity is lost" while 111 of 600 learned
    samples were left out at w = 4 and none at w = 1 (λ = 50: 288). A spread compared between two
    w's is read as a change of diversity only where the counts left out differ by no more than two
    counts' noise, 2√(a + b); else it is said to be measured on the samples kept, with both counts."""
    from dashboard import guidance
    text = guidance.learned_spread_story(_kept_table(rows), {"spread_ratio": (0.995, 0.0175)})
    for s in says:
        assert s in text, text
    for s in never:
        assert s not in text, text


@pytest.mark.parametrize("l1, l4, l10, says", [
    # cross, class 1, λ = 50: 1.01× → 1.48× → 1.84×, only widening
    (1.01, 1.48, 1.84, "wider than at w = 4"),
    # tutorial, λ = 2: 0.957× → 0.828× → 0.921×, narrowed first
    (0.957, 0.828, 0.921, "wider again than at w = 4"),
    # no narrowing beyond the noise from 1 to 4, then wider
    (1.0, 0.99, 1.3, "wider than at w = 4"),
])
def test_a_learned_spread_is_wider_again_only_after_it_narrowed(l1, l4, l10, says):
    """Cross, class 1, λ = 50: "At w = 10 its spread is 1.84×, wider again than at w = 4" where it
    only widened (1.01× at w = 1, 1.48× at w = 4). "Again" only where it narrowed from w = 1 to 4."""
    from dashboard import guidance
    table = _kept_table([(1.0, 1.0, l1, 600), (4.0, 1.0, l4, 600), (10.0, 1.0, l10, 600)])
    text = guidance.learned_spread_story(table, TRUTH)
    assert says in text, text
    if "again" not in says:
        assert "again" not in text, text


@pytest.mark.parametrize("logp, kept, says, never", [
    # custom mixture, class 3, λ = 25: every learned point far below the floor, 111 of 600 left out at w = 4
    ([-900.0, -800.0, -400.0, -300.0, -250.0, -600.0], [600, 600, 600, 600, 489, 325],
     ["lies below the log-likelihood chart's axis (−12.0) at every w from 0 to 6, drawn as ▼",
      "−250.0 at w = 4", "the highest of these values is at w = 2. That ranking is among every w from 0 to 2 only, "
      "whose samples kept are alike (600 of 600 kept at each); w = 4 and 6 are left out of it, measured on different "
      "samples kept (489 of 600 at w = 4, 325 of 600 at w = 6; the rest land outside the data's box): leaving out "
      "the worst samples raises a mean."],
     ["Learned CFG's mean log p₀(x | y) is highest", "not ranked", "samples kept there"]),
    # every point below the floor, the samples left out alike at every w: the top is named
    ([-900.0, -800.0, -400.0, -300.0, -250.0, -600.0], [600, 600, 599, 600, 598, 599],
     ["drawn as ▼", "the highest of these values is at w = 4.", "The value at w = 4 is of the 598 of 600"],
     ["not ranked"]),
    # drawn points, none left out (tutorial-like): logp_peak's words, nothing about kept samples
    ([-2.5, -2.2, -2.0, -2.1, -2.4, -2.6], [600] * 6, ["Learned CFG's mean log p₀(x | y) is highest at w = 1."],
     ["below the log-likelihood chart's axis", "samples kept"]),
    # drawn points, a few samples left out at the top (ring8-like, λ = 2), alike at every w
    ([-2.5, -2.2, -2.0, -2.1, -2.4, -2.6], [600, 600, 597, 600, 600, 600],
     ["is highest at w = 1.", "The value at w = 1 is of the 597 of 600 samples kept there"], ["below the", "not ranked"]),
    # custom mixture, λ = 50, class 3: 507 kept at w = 1, 469 at w = 2: ranked only among w = 0 and 0.5 (all kept)
    ([-9.0, -6.0, -3.0, -2.5, -2.8, -3.5], [600, 600, 507, 469, 470, 420],
     ["Learned CFG's mean log p₀(x | y) is highest at w = 0.5. That ranking is among w = 0 and 0.5 only, whose "
      "samples kept are alike (600 of 600 kept at each); every w from 1 to 6 is left out of it, measured on "
      "different samples kept (507 of 600 at w = 1, 469 of 600 at w = 2, 470 of 600 at w = 4, 420 of 600 at "
      "w = 6; the rest land outside the data's box): leaving out the worst samples raises a mean."],
     ["highest at w = 2", "not ranked", "samples kept there"]),
    # custom mixture, class 2, λ = 2: only w = 0 loses samples (6), the lowest by thousands: ranked without it
    ([-3000.0, -2.2, -2.0, -2.1, -2.4, -2.6], [594, 600, 600, 600, 600, 600],
     ["Learned CFG's mean log p₀(x | y) is highest at w = 1. That ranking is among every w from 0.5 to 6 only, "
      "whose samples kept are alike (600 of 600 kept at each); w = 0 is left out of it, measured on different "
      "samples kept (594 of 600 at w = 0; the rest land outside the data's box)"],
     ["not ranked", "samples kept there"]),
    # no two w's alike: not ranked, every count said
    ([-9.0, -6.0, -3.0, -2.5, -2.8, -3.5], [600, 540, 480, 420, 360, 300],
     ["Learned CFG's mean log p₀(x | y) is measured on different samples kept (of 600: 600 at w = 0, 540 at "
      "w = 0.5, 480 at w = 1, 420 at w = 2, 360 at w = 4, 300 at w = 6; the rest land outside the data's box "
      "and are left out): not ranked, since leaving out the worst samples raises a mean."],
     ["Learned CFG's mean log p₀(x | y) is highest", "That ranking"]),
])
def test_learned_log_likelihood_peak_reads_the_chart_it_ranks(logp, kept, says, never):
    """Custom mixture, class 3, λ = 25: "Learned CFG's mean log p₀(x | y) is highest at w = 4" where
    every learned point from w = 0 to 6 is drawn as ▼ below the chart's floor and 19% of the samples
    at w = 4 are left out. Points below the floor are said to lie below the axis, with their values,
    and a value from kept samples only is said to be of the kept ones. Custom mixture, λ = 50, class 3:
    "highest at w = 2" ranked a mean over 469 kept samples above one over 507 at w = 1. Custom mixture,
    class 2, λ = 2: only w = 0 lost 6 samples, yet no w was ranked. A top is named among the w's whose
    counts left out are alike (alike_group), the others named as left out of that ranking; where no two
    are alike the values are not ranked."""
    import pandas as pd
    from dashboard import guidance
    ws = [0.0, 0.5, 1.0, 2.0, 4.0, 6.0]
    at = pd.DataFrame([{"w": w, "logp_class": -2.0, "learned_logp_class": v, "learned_kept": k, "learned_n": 600}
                       for w, v, k in zip(ws, logp, kept)]).set_index("w")
    text = guidance.logp_peaks(at, {"logp_class": (-2.0, 0.01)})
    for s in says:
        assert s in text, text
    for s in never:
        assert s not in text, text


@pytest.mark.parametrize("mixture, y, lam", [("custom", 1, 2.0), ("custom", 2, 25.0), ("tutorial", 0, 25.0),
                                             ("ring8", 2, 2.0)])
def test_page_ranks_learned_log_likelihoods_among_the_ws_whose_samples_kept_are_alike(mixture, y, lam):
    """On the page (learned CFG on, w = 3): the sweep caption ranks learned CFG's mean log p₀(x | y)
    among the w's whose samples left out are alike (alike_group), names every other w as left out of
    that ranking, and says "not ranked" only where no two w's are alike."""
    from dashboard import guidance
    state = {K + "class": y, K + "w": 3.0, K + "learned": True, K + "lam": lam}
    state.update(custom_mixture=HW, w_mixture="custom") if mixture == "custom" else state.update(w_mixture=mixture)
    sweep = next(c.value for c in open_page(**state).caption if c.value.startswith("Green band"))
    gmm, lam, y, _, n, steps, seed, cfg, device = _state_row(mixture, y, lam, 3.0)
    table = guidance.guidance_table(gmm, lam, y, n, steps, seed, cfg, device).set_index("w")
    truth = guidance.guidance_truth(gmm, y, n, seed)[1]
    values = table["learned_logp_class"].dropna()
    rows = [table.loc[w] for w in values.index]
    group = guidance.alike_group(rows)
    assert guidance.learned_logp_peak(table, values, truth) in sweep, sweep
    assert all(guidance.kept_alike(a, b) for a in group for b in group)
    assert ("not ranked" in sweep) == (len(group) < 2 and len(rows) > 1), sweep
    assert ("That ranking is among" in sweep) == (2 <= len(group) < len(rows)), sweep
    for r in rows if "That ranking is among" in sweep else []:
        if all(r.name != g.name for g in group):
            assert f"{int(r['learned_kept'])} of {int(r['learned_n'])} at w = {float(r.name):g}" in sweep, sweep


@pytest.mark.parametrize("rows, mean, sd, says, never", [
    # custom mixture, class 3, λ = 25: a table with a spread near the band's edge gave every sentence 4 digits
    ([(0.0, 79.7246, 79.7246, 600), (1.0, 0.8734, 5.517, 600), (4.0, 0.8734, 1.7436, 489), (6.0, 1.0327, 1.033, 325)],
     0.99745, 0.017575, ["(5.52×; band 0.96–1.03×)", "goes 5.52× → 1.74×", "(exact CFG from the same noise: "
                         "0.87× → 0.87×)", "At w = 6 its spread, measured on the samples kept, is 1.0330×"],
     ["5.5170", "0.8734", "1.7436"]),
    # tutorial, λ = 50: values at the edge keep three digits in their own sentence
    ([(0.0, 1.5, 1.5, 600), (1.0, 1.032, 1.034, 600), (4.0, 0.90, 0.80, 600), (10.0, 0.90, 0.70, 600)],
     0.995, 0.0175, ["(1.034×; band 0.960–1.030×), as exact CFG is (1.032×)", "At w = 10 its spread is 0.70×"],
     ["0.700×"]),
    # ring8-like: every value far off, two digits throughout
    ([(0.0, 3.0, 3.0, 600), (1.0, 0.98, 0.72, 600), (4.0, 0.97, 0.19, 600), (10.0, 0.97, 0.19, 600)],
     1.0, 0.02, ["its spread is 0.72×", "goes 0.72× → 0.19×"], ["0.720"]),
])
def test_each_spread_sentence_prints_the_fewest_digits_that_keep_outside_values_outside(rows, mean, sd, says, never):
    """Custom mixture, class 3, λ = 25: "0.8734× → 0.8734×", "79.7246×", "(5.5170×; band 0.9623–1.0326×)":
    four decimals for every sentence because one spread in the table lay near the band's edge. Each
    sentence now prints band_digits over its own values: two where they lie far from the edges, more
    only where a value called outside would print equal to a printed edge."""
    from dashboard import guidance
    text = guidance.learned_spread_story(_kept_table(rows), {"spread_ratio": (mean, sd)})
    for s in says:
        assert s in text, text
    for s in never:
        assert s not in text, text
    summary = guidance.sweep_summary(_kept_table(rows).assign(leak=0.05, logp_class=-3.0),
                                     {"spread_ratio": (mean, sd), "leak": (0.05, 0.01), "logp_class": (-3.0, 0.05)})
    assert "79.7246" not in summary and "0.8734" not in summary, summary


def _sentences_with_long_ratios(text: str) -> list[str]:
    """The sentences of a caption that print a spread (a ratio, ×, after the word) with more than 2 decimals."""
    import re
    return [s for s in re.split(r"(?<=[.)])\s+(?=[A-Z])", text) if re.search(r"spread[^.]*\d\.\d{3,}×", s)]


@pytest.mark.parametrize("rows, mean, sd, says, never", [
    # custom mixture, class 3, λ = 25: 1.0330× at w = 6 against a band printed elsewhere as 0.96–1.03×
    ([(0.0, 79.7246, 79.7246, 600), (1.0, 0.8734, 5.517, 600), (4.0, 0.8734, 1.7436, 489), (6.0, 1.0327, 1.033, 325)],
     0.99745, 0.017575, ["is 1.0330×, just outside the truth's band 0.9623–1.0326× (samples outside"],
     ["against the truth's band 0.96"]),
    # tutorial, λ = 50: a w = 4 value at the edge gives the 1 → 4 sentence four decimals, and its band
    ([(0.0, 1.5, 1.5, 600), (1.0, 0.90, 1.20, 600), (4.0, 0.90, 0.9599, 600), (10.0, 0.90, 0.70, 600)],
     0.995, 0.0175, ["goes 1.2000× → 0.9599×, against the truth's band 0.9600–1.0300×", "At w = 10 its spread is 0.70×"],
     ["0.700×", "0.70×, "]),
    # ring8-like: every value far off, two decimals and no band repeated
    ([(0.0, 3.0, 3.0, 600), (1.0, 0.98, 0.72, 600), (4.0, 0.97, 0.19, 600), (10.0, 0.97, 0.19, 600)],
     1.0, 0.02, ["its spread is 0.19×."], ["against the truth's band", "the truth's band 0."]),
])
def test_a_spread_printed_with_more_than_two_decimals_is_printed_beside_the_band(rows, mean, sd, says, never):
    """Custom mixture, class 3, λ = 25, learned CFG on: "At w = 6 its spread, measured on the samples kept,
    is 1.0330×" while the band reads "0.96–1.03×" elsewhere: inside or outside could not be read. Every
    sentence of the sweep caption that prints a spread with more than 2 decimals now prints the band with
    as many in the same sentence; sentences with 2 decimals do not repeat it."""
    from dashboard import guidance
    table = _kept_table(rows).assign(leak=0.05, logp_class=-3.0)
    truth = {"spread_ratio": (mean, sd), "leak": (0.05, 0.01), "logp_class": (-3.0, 0.05)}
    story = guidance.learned_spread_story(table, truth)
    for s in says:
        assert s in story, story
    for s in never:
        assert s not in story, story
    for text in (story, guidance.sweep_summary(table, truth), guidance.trade_text(table, truth)):
        for sentence in _sentences_with_long_ratios(text):
            assert "band" in sentence, sentence


def test_spread_change_and_trade_text_print_the_band_with_their_decimals():
    """Exact CFG's spread from w = 1 to w = 4 (sweep_summary's spread_change, and trade_text where
    the spread grows) prints the band with the same decimals when it needs more than 2."""
    from dashboard import guidance
    ref = (0.995, 0.0175)                                       # band 0.960–1.030
    assert guidance.spread_change(1.2, 1.0301, ref, digits=3) == (
        "1.200× → 1.030×, against the truth's band 0.960–1.030× (the class pays in diversity)")
    assert "band" not in guidance.spread_change(1.2, 0.8, ref, digits=2)
    table = _kept_table([(1.0, 0.9, 1.0, 600), (4.0, 1.031, 1.0, 600)]).assign(
        leak=0.0, logp_class=[-3.0, -4.0])
    truth = {"spread_ratio": ref, "leak": (0.0, 0.01), "logp_class": (-3.0, 0.05)}
    assert "(0.900× → 1.031×, against the truth's band 0.960–1.030×)" in guidance.trade_text(table, truth)
    wide = table.assign(spread_ratio=[0.5, 1.5])                 # far from the edges: two decimals, no band
    assert "(0.50× → 1.50×) and" in guidance.trade_text(wide, truth)


@pytest.mark.parametrize("kept, hollow", [
    # custom mixture, class 3, λ = 25: 111 of 600 left out at w = 4, 275 at w = 6, all at w = 8
    ([600, 600, 600, 489, 325, 0], [4.0, 6.0]),
    # tutorial: none left out, no hollow point and no words about them
    ([600] * 6, []),
    # ring8, λ = 2: a few left out at w = 1 only
    ([600, 600, 540, 600, 600, 600], [1.0]),
])
def test_a_learned_point_measured_with_samples_left_out_is_drawn_hollow(kept, hollow):
    """Custom mixture, class 3, λ = 25, learned CFG on: the sweep chart drew learned CFG at w = 6 at the
    truth's spread with no mark that 275 of its 600 samples were left out before measuring; only the
    caption said so. Every learned point measured with samples left out is now drawn hollow, its count
    in its tooltip, and the caption names the hollow points with their counts, from the same rows."""
    import pandas as pd
    from dashboard import guidance
    from dashboard.figures import guidance as gfig
    from dashboard.figures.common import chart_spec
    ws = [0.0, 0.5, 1.0, 4.0, 6.0, 8.0]
    table = pd.DataFrame([{"w": w, "spread_ratio": 1.0, "leak": 0.01, "logp_class": -3.0,
                           "learned_spread_ratio": 1.03 if k >= guidance.MIN_KEPT else NAN,
                           "learned_leak": 0.01 if k >= guidance.MIN_KEPT else NAN,
                           "learned_logp_class": -3.1 if k >= guidance.MIN_KEPT else NAN,
                           "learned_kept": k, "learned_n": 600, "far": (600 - k) / 600} for w, k in zip(ws, kept)])
    truth = {"spread_ratio": (1.0, 0.02), "leak": (0.01, 0.005), "logp_class": (-3.0, 0.05)}
    spec = chart_spec(gfig.sweep_chart(table, truth, 6.0, True))
    for panel in spec["hconcat"]:
        points = [l for l in panel["layer"] if l["mark"]["type"] == "point"]
        layer_rows = {f: [r for l in points if l["mark"]["filled"] is f for r in spec["datasets"][l["data"]["name"]]]
                      for f in (True, False)}
        # a hollow layer only where it has points (an empty layer gave Vega an infinite extent)
        assert len([l for l in points if l["mark"]["filled"] is False]) == (1 if hollow else 0), points
        for l in points:
            assert any(t.get("field") == "left_out" for t in l["encoding"]["tooltip"])
        drawn_hollow = sorted(r["w"] for r in layer_rows[False] if r["source"] == "learned CFG")
        assert drawn_hollow == hollow, layer_rows[False]
        assert all(r["left_out"] > 0 for r in layer_rows[False]) and all(r["left_out"] == 0 for r in layer_rows[True])
        assert all(r["source"] == "learned CFG" for r in layer_rows[False])
    words = guidance.hollow_text(table, True)
    assert bool(words) == bool(hollow) and guidance.hollow_text(table, False) == ""
    for w, k in zip(ws, kept):
        assert (f"{600 - k} of 600 at w = {w:g}" in words) == (w in hollow), words
    if hollow:
        assert words.startswith(f" Hollow learned points: {gfig.HOLLOW_WORDS} (outside the data's box: ")


@pytest.mark.parametrize("mixture, y", [("custom", 2), ("tutorial", 0)])
def test_page_names_the_hollow_points_its_sweep_chart_draws(mixture, y):
    """On the page, learned CFG on: the sweep caption names exactly the learned points the chart draws
    hollow, with the counts the chart's rows carry, and no sentence of it prints a spread with more than
    2 decimals without the band beside it."""
    state = {K + "class": y, K + "w": 6.0, K + "learned": True, K + "lam": 25.0}
    state.update(custom_mixture=HW, w_mixture="custom") if mixture == "custom" else state.update(w_mixture=mixture)
    at = open_page(**state)
    sweep = next(c.value for c in at.caption if c.value.startswith("Green band"))
    import pyarrow as pa
    frames = [pa.ipc.open_stream(d.data.data).read_pandas() for d in at.get("vega_lite_chart")[1].proto.datasets]
    said = {(int(r["left_out"]), int(r["n"]), float(r["w"])) for f in frames if "left_out" in f
            for _, r in f.iterrows() if r["source"] == "learned CFG" and r["left_out"] > 0}
    for k, n, w in said:
        assert f"{k} of {n} at w = {w:g}" in sweep, sweep
    assert ("Hollow learned points:" in sweep) == bool(said), sweep
    for sentence in _sentences_with_long_ratios(sweep):
        assert "band" in sentence, sentence


def _state_row(mixture, y, lam, w):
    """guidance_row's arguments for the page at this mixture, class, λ and w (600 samples, 60 steps,
    seed 2021, the short lessons recipe)."""
    import diffusion_core as dc
    from dashboard import lessons
    gmm = dc.GaussianMixture.from_dict(HW) if mixture == "custom" else dc.PRESETS[mixture]
    return gmm, lam, y, w, 600, 60, 2021, lessons.recipe(2021), "cpu"


@pytest.mark.parametrize("mixture, y, lam, w", [("custom", 0, 2.0, 0.0), ("custom", 2, 50.0, 1.0),
                                                ("custom", 1, 2.0, 0.5), ("custom", 2, 2.0, 4.0),
                                                ("tutorial", 0, 25.0, 0.0), ("tutorial", 1, 25.0, 0.5),
                                                ("tutorial", 0, 25.0, 1.0), ("tutorial", 1, 25.0, 4.0)])
def test_far_warning_blames_amplified_guidance_only_above_w_one(monkeypatch, clear_rows, mixture, y, lam, w):
    """Custom mixture, class 1, λ = 2, w = 0 (and class 3, w = 1): the warning said "the learned
    network's guidance breaks down ... w multiplies the noise" where w = 0 gives the unconditional
    score s alone and w = 1 the conditional score s(· | y) alone, nothing amplified. The cause now
    follows w: the unconditional score's own samples at 0, a mix below 1, the conditional score's
    own samples at 1, and w multiplying the noisy difference only above 1. "The exact field has no
    such problem" is replaced by exact CFG's own share outside the data's box (6% at custom,
    class 2 (−3, 0), λ = 2, w = 0.5)."""
    from dashboard import guidance
    _far_learned(monkeypatch, 540, at_w=w)
    state = {K + "class": y, K + "w": w, K + "lam": lam, K + "learned": True}
    state.update(custom_mixture=HW, w_mixture="custom") if mixture == "custom" else state.update(w_mixture=mixture)
    warning = " ".join(m.value for m in open_page(**state).warning)
    row = guidance.guidance_row(*_state_row(mixture, y, lam, w))
    exact = float(row["exact_far"])
    assert f"At w = {w:g} the learned network's" in warning, warning
    assert row["far"] > 0.01 and f"{row['far']:.0%} of its samples land" in warning, warning
    assert (f"exact CFG from the same noise has {exact:.0%} of its samples outside the data's box too" if exact else
            "exact CFG from the same noise has none outside it") in warning, warning
    assert "exact field has no such problem" not in warning, warning
    assert ("guidance breaks down" in warning) == (w > 1), warning
    assert ("multiplies them" in warning) == (w > 1) and "multiplies the noise" not in warning, warning
    says = {0.0: "is the learned unconditional score s itself: w multiplies the difference by zero",
            0.5: "= 0.5·s + 0.5·s(· | y) is a weighted mean of the learned unconditional and conditional scores: "
                 "nothing is amplified",
            1.0: "is the learned conditional score s(· | y) itself: nothing is amplified",
            4.0: "(the difference s(· | y) − s of two learned scores carries both networks' errors, and w = 4 "
                 "multiplies them: a shift or a wider spread, as the caption's numbers show)"}[w]
    assert says in warning, warning
    assert ("far outside the data, 60 of 600, at a median of" in warning) == (w > 1), warning
    assert "beyond 8 of its stds and beyond the data's spread: far from the data" in warning, warning


@pytest.mark.parametrize("name, y, lam", [("cross", 0, 50.0), ("cross", 1, 25.0), ("tutorial", 0, 25.0), ("ring8", 2, 25.0)])
def test_blurred_classes_never_print_a_range_whose_ends_print_alike(name, y, lam):
    """On the cross at t = 1 the field sentence read "pₜ(y | x) lies between 0.50 and 0.50": where
    both ends print alike the sentence gives the one value, "is 0.50 (to two decimals) everywhere"."""
    import numpy as np
    import diffusion_core as dc
    from dashboard import guidance
    f = guidance.guidance_fields(dc.PRESETS[name], lam, y, 3.0, 1.0)
    lo, hi = (f"{v:.2f}" for v in (np.min(f["post"]), np.max(f["post"])))
    text = guidance.field_text(f, 3.0, 1.0)
    assert f"between {lo} and {lo}" not in text, text
    assert "blurred together" in text, text
    assert (f"is {lo} (to two decimals) everywhere" in text) == (lo == hi), text
    assert (f"lies between {lo} and {hi}" in text) == (lo != hi), text


def test_classes_whose_modes_share_a_centre_are_named_by_their_shape():
    """The cross's two classes were both "the mode at (0, 0)": where two centres print alike each
    label also gives its mode's long axis (or its std, for a round mode); other presets are unchanged."""
    import torch
    import diffusion_core as dc
    from dashboard import guidance
    assert guidance.class_names(dc.PRESETS["cross"]) == ["class 1: the mode at (0, 0), long along 45°",
                                                        "class 2: the mode at (0, 0), long along 135°"]
    assert all("long" not in n for n in guidance.class_names(dc.PRESETS["ring8"]))
    assert guidance.mode_shape(torch.tensor([[0.25, 0.0], [0.0, 0.25]])) == "round, std 0.5"
    assert guidance.mode_shape(torch.tensor([[1.0, 0.0], [0.0, 0.01]])) == "long along x"
    assert guidance.mode_shape(torch.tensor([[0.01, 0.0], [0.0, 1.0]])) == "long along y"


@pytest.mark.parametrize("d, spread, said", [(0.0201, 0.0199, ("0.0201", "0.0199")), (0.186, 0.15, ("0.186", "0.150")),
                                             (0.3462, 0.3459, ("0.3462", "0.3459"))])
def test_sliced_w2_above_the_class_spread_never_prints_two_equal_numbers(d, spread, said):
    """Custom mixture, λ = 2: "by a sliced W₂ (0.020) above the class's own spread (0.02)": both numbers
    are now printed with the fewest decimals (3 or more) at which they differ."""
    import pandas as pd
    from dashboard import guidance
    text = guidance.sw2_verdict(pd.Series({"sw2_learned_exact": d, "learned_shift": 0.1}), (0.001, 0.0001), spread)
    assert f"by a sliced W₂ ({said[0]}) above the class's own spread ({said[1]})" in text, text


def test_learned_measures_in_the_samples_caption_say_which_samples_they_count():
    """The samples caption put exact CFG's measures (all 600 samples) beside learned CFG's measured on the
    samples kept (some left out outside the data's box) without a word: it now says how many the learned
    numbers count where some are left out, and nothing more where none is."""
    import pandas as pd
    from dashboard import guidance
    base = {"learned_spread_ratio": 1.02, "learned_logp_class": -2.1, "learned_leak": 0.01, "learned_shift": 0.05,
            "sw2_learned_exact": 0.02, "learned_n": 600, "far": 0.0}
    for kept in (600, 489, 60):
        row = pd.Series({**base, "learned_kept": kept, "far": (600 - kept) / 600}, name=4.0)
        text = guidance.learned_caption(row, (0.015, 0.002), 0.5)
        if kept == 600:
            assert text.startswith(" Learned: ") and "left out" not in text, text
        else:
            assert text.startswith(f" Learned (measured on the {kept} of 600 samples inside the data's box; the "
                                   f"{600 - kept} outside it are left out"), text
    row = pd.Series({**base, "learned_kept": 0, "far": 1.0}, name=10.0)
    assert "nothing is measured from learned CFG at this w" in guidance.learned_caption(row, (0.015, 0.002), 0.5)


@pytest.mark.parametrize("mixture, lam", [("tutorial", 25.0), ("ring8", 2.0), ("cross", 50.0)])
def test_exact_points_tooltip_counts_the_samples_drawn(mixture, lam):
    """The sweep chart's exact CFG points read "samples left out: 0; of: 0" in their tooltip: exact CFG
    counts every one of the samples it draws, and "of" gives that count (the row's n), as learned CFG's
    gives learned_n."""
    import pandas as pd
    import diffusion_core as dc
    from dashboard import guidance
    from dashboard.figures import guidance as gfig
    from dashboard.figures.common import chart_spec
    gmm = dc.PRESETS[mixture]
    row = guidance.guidance_row(gmm, lam, 0, 1.0, 600, 60, 2021)
    assert row["n"] == 600
    table = pd.DataFrame([{**row, "w": w, "learned_spread_ratio": 1.0, "learned_leak": 0.0,
                           "learned_logp_class": row["logp_class"], "learned_kept": 597, "learned_n": 600}
                          for w in (0.0, 1.0, 4.0)])
    truth = {c: (float(row[c]), 0.05) for c in gfig.METRICS}
    spec = chart_spec(gfig.sweep_chart(table, truth, 1.0, True))
    rows = [r for d in spec["datasets"].values() for r in d if r.get("source") in ("exact CFG", "learned CFG")]
    assert rows and all(r["n"] == 600 for r in rows), rows
    assert all(r["left_out"] == (3 if r["source"] == "learned CFG" else 0) for r in rows), rows


@pytest.mark.parametrize("kept, said", [
    ([597, 600, 600, 600, 600], " That ranking includes w = 0, with samples outside the data's box left out (3 of 600 at "
                                "w = 0): the counts kept are alike within two counts' noise."),
    ([500, 600, 600, 597, 600], "w = 0 is left out of it"),
    ([600, 600, 600, 600, 600], None)])
def test_learned_logp_peak_names_every_w_with_samples_left_out(kept, said):
    """Custom mixture, class 1, λ = 50, learned CFG: "Learned CFG's mean log p₀(x | y) is highest at w = 2."
    said nothing of w = 0's 3 of 600 samples left out, while at λ = 2 a w with samples left out is named as
    left out of the ranking: every w with samples left out is named, in the ranking or out of it."""
    import pandas as pd
    from dashboard import guidance
    ws = [0.0, 0.5, 1.0, 2.0, 4.0]
    at = pd.DataFrame({"w": ws, "logp_class": [-9, -3, -2.3, -2.1, -2.2], "learned_logp_class": [-5, -3, -2.5, -2.0, -2.4],
                       "learned_kept": kept, "learned_n": [600] * 5}).set_index("w")
    text = guidance.logp_peaks(at, {"logp_class": (-2.3, 0.02)})
    for w, k in zip(ws, kept):      # left out of the ranking: its count kept; in it: its count left out
        named = f"{600 - k} of 600 at w = {w:g}" in text or f"{k} of 600 at w = {w:g}" in text
        assert named == (k < 600), text
    assert (said in text) if said else ("left out" not in text), text
