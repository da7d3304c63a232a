"""The Flow matching page reads each number it offers with that measure's own noise: sliced W₂ backs the
rectified flow's lead only where it differs beyond the spread of true sets' scores; the VE's samples "miss" at
the most steps drawn where the chart's rule reads a miss there; the end points' clouds, read at fewer points
than the chart, say why their verdict may differ from the chart's; and a range with equal ends is one number."""

import pandas as pd
import pytest

from dashboard import flow as flowpage
from test_page_flow_trade_and_edge import NETS_RING8_L2, _nets

RING8 = {"sw2": 0.467, "sw2_low": 0.245, "spread": 0.222, "off": 6, "n": 1000}       # truth noise, ring8
TUTORIAL = {"sw2": 0.175, "sw2_low": 0.105, "spread": 0.0695, "off": 7, "n": 1000}   # truth noise, tutorial


def _ve_rows(method: str, cells: list[tuple[int, float, int]]) -> pd.DataFrame:
    """The VE PF-ODE's quality-chart rows of one integrator from (steps, sw2, off) tuples."""
    return pd.DataFrame([{"field": "VE PF-ODE", "method": method, "steps": s,
                          "nfe": 2 * s if method == "heun" else s, "sw2": w, "off": o} for s, w, o in cells])


def test_sliced_w2_backs_the_lead_only_beyond_its_noise():
    """ring8, λ 2, rectify once: "at 2 Heun steps … the rectified flow puts 229 of 1000 off every mode against
    the learned flow's 364 (…), sliced W₂ 0.256 against 0.301", a gap under the spread of true sets' scores
    (0.222): it now says sliced W₂ cannot tell them apart. With the tutorial's smaller spread (0.0695) the
    2-Euler pair (0.300 against 0.420) is lower beyond it; a rectified score higher beyond it is named as such."""
    df = _nets(NETS_RING8_L2)
    text = flowpage.ahead_words(df, RING8, "rectified flow", "learned flow")
    assert ("while sliced W₂ cannot tell them apart (0.256 against 0.301, within the spread of true sets' "
            "scores (0.222))") in text, text
    assert "lower beyond" not in text and "sliced W₂ 0.256 against 0.301" not in text, text
    text = flowpage.ahead_words(df, TUTORIAL, "rectified flow", "learned flow")
    assert "cannot tell them apart (0.256 against 0.301, within the spread of true sets' scores (0.070))" in text
    assert "sliced W₂ 0.300 against 0.420, lower beyond the spread of true sets' scores (0.070)" in text, text
    worse = [(m, s, lw, lo, 0.6 if (m, s) == ("heun", 2) else rw, ro) for m, s, lw, lo, rw, ro in NETS_RING8_L2]
    text = flowpage.ahead_words(_nets(worse), RING8, "rectified flow", "learned flow")
    assert "though sliced W₂ scores it worse, 0.600 against 0.301, beyond the spread" in text, text


@pytest.mark.parametrize("last, method, says", [
    ((32, 0.336, 29), "heun", "miss true ones at the most steps drawn, 32 Heun steps (64 evaluations), by the count "
                              "off every mode (29 of 1000, against up to 6 for a set of true samples)"),
    ((32, 0.900, 5), "euler", "miss true ones at the most steps drawn, 32 Euler steps (32 evaluations), by sliced W₂"),
    ((32, 0.690, 5), "heun", "do not clearly match true ones at the most steps drawn, 32 Heun steps (64 evaluations)"),
    ((32, 0.336, 29), "none", "match true ones at no step count drawn")])
def test_ve_steps_say_a_miss_where_the_chart_reads_one(last, method, says):
    """ring8, λ 2: "here, with Heun, its samples do not clearly match true ones at the most steps drawn, 32 Heun
    steps (64 evaluations)" while 29 of 1000 land off every mode against up to 6 for true samples: a miss by the
    chart's own rule, now said with the measure that sees it; a miss by sliced W₂ alone (Euler) too; at the edge
    of sliced W₂'s noise (0.690 against the line 0.689) it still does not clearly match; where no row matches,
    it says so."""
    first = (2, 0.400, 5) if method != "none" else (2, 0.900, 5)      # "none": no Heun row matches
    method = "heun" if method == "none" else method
    df = _ve_rows(method, [first, (8, 0.331 if first[1] < 0.5 else 0.900, 5), last])
    _, text = flowpage.ve_method_steps(df, RING8, method)
    assert f"its samples {says}" in text, text
    assert ("do not clearly match" in text) == says.startswith("do not"), text


STORY = {"n": 200, "ends_sw2": 0.253, "ends_noise": 0.322}      # tutorial, λ 10: the paths' end-point clouds


@pytest.mark.parametrize("story, chart_apart, clause", [(STORY, True, True), (STORY, False, False),
                                                        ({**STORY, "ends_sw2": 0.4}, True, False)])
def test_end_point_clouds_say_why_they_differ_from_the_chart(story, chart_apart, clause):
    """Tutorial, λ 10: sliced W₂ scores the VE samples worse than the exact flow's beyond its noise on the chart
    (1000 samples), then "the 200 VE end points and the exact flow's 200 lie 0.253 apart …: by this measure the
    two clouds cannot be told apart". The second sentence now says it is read at 200 points, where the noise is
    larger than the chart's, so the chart's verdict stands; not where the chart agrees, nor where the clouds differ."""
    text = flowpage.ends_sentence(story, TUTORIAL, chart_apart)
    said = ("by this measure the two clouds cannot be told apart at their 200 points, where that noise is larger "
            "(0.322 against the chart's 0.070 at 1000 samples), so the quality chart's verdict at 1000 samples "
            "stands.")
    assert (said in text) == clause, text
    if story is STORY and not chart_apart:
        assert text.endswith("by this measure the two clouds cannot be told apart."), text


def test_ve_landing_passes_the_charts_verdict_to_the_clouds():
    """ve_landing with the tutorial λ 10 numbers (VE 0.275 against the exact flow's 0.098 at 32 Heun steps):
    the clouds' sentence names the sample sizes; with the VE at 0.150 (within 0.0695) it does not."""
    story = {"ve_spread_ratio": 0.95, "ve_shift": 0.05, "sigma1": 4.64, "p1_spread": 4.88, "spread": 1.5,
             "data_mean": [1.0, 0.0], **STORY}
    for ve, clause in ((0.275, True), (0.150, False)):
        df = pd.DataFrame([{"field": f, "method": "heun", "steps": 32, "nfe": 64, "sw2": v, "off": 0}
                           for f, v in (("exact flow", 0.098), ("VE PF-ODE", ve))])
        _, text = flowpage.ve_landing(story, df, TUTORIAL)
        assert ("so the quality chart's verdict at 1000 samples stands" in text) == clause, text


@pytest.mark.parametrize("offs, words", [((0, 0), "and 0 of 1000 off every mode"),
                                         ((27, 29), "and 27 to 29 of 1000 off every mode")])
def test_flat_tail_prints_one_count_where_its_ends_are_equal(offs, words):
    """Tutorial, λ 5: "and 0 to 0 of 1000 off every mode, within two counts' noise": equal ends now read as one
    number; ring8, λ 2's 27 to 29 stays a range."""
    tail = list(_ve_rows("heun", [(16, 0.334, offs[0]), (32, 0.336, offs[1])]).itertuples(index=False))
    tail = [pd.Series(r._asdict()) for r in tail]
    text = flowpage.ve_flat_words(tail, TUTORIAL)
    assert f"{words}, within two counts' noise" in text and "0 to 0" not in text, text
    assert flowpage.count_range(3, 3) == "3" and flowpage.count_range(3, 7) == "3 to 7"
