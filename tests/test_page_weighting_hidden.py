"""Loss weighting lab: the error chart says where one weighting's line hides another's."""
import numpy as np
import pandas as pd
import pytest

import diffusion_core as dc
from dashboard import weighting
from dashboard.figures.weighting import WEIGHTING_LABELS as L
from conftest import open_page

WEIGHT = "views/9_weighting_lab.py"


def test_hidden_text_counts_the_times_two_curves_lie_within_the_factor():
    """Two curves within 10 % at 4 of 6 times are said to hide each other, with that count; a
    third curve 3× away is not named; no pair close at half the times: no sentence."""
    t = np.geomspace(1e-4, 1, 6)
    a = pd.DataFrame({"t": t, "scaled": np.ones(6)})
    b = pd.DataFrame({"t": t, "scaled": [1.05, 0.95, 1.08, 1.0, 2.0, 3.0]})
    c = pd.DataFrame({"t": t, "scaled": 3 * np.ones(6)})
    text = weighting.hidden_text({"sigma2": c, "uniform": a, "g2": b}, L, "scaled")
    assert text == (f"{L['uniform']} and {L['g2']} lie within 10% of each other at 4 of the 6 times drawn: there "
                    "one line hides the other on this log scale; each keeps its own dash and markers."), text
    assert weighting.hidden_text({"uniform": a, "sigma2": c}, L, "scaled") == ""


@pytest.mark.parametrize("mixture, net, view", [("ring8", "preconditioned", "scaled"),
                                                ("tutorial", "tutorial", "raw"),
                                                ("tutorial", "preconditioned", "scaled")])
def test_hidden_note_on_the_page_reads_the_charts_numbers(mixture, net, view):
    """ring8, Preconditioned, σₜ² × score error: the γₜ = 1 and γₜ = g(t)² lines lie on top of each
    other over most of t with no word; the caption under the chart now names every pair within 10 %
    at half the times or more, counted from the chart's own data, and nothing else."""
    from dashboard import settings as sio, state
    at = open_page(WEIGHT, 600, w_mixture=mixture, w_weight_net=net, w_weight_view=view)
    assert not at.exception
    eps, steps, strat = (sio.SCHEMA[f"w_weight_{k}"].default for k in ("eps", "steps", "stratified"))
    column = "mse" if view == "raw" else "scaled"
    by = {L[w]: np.asarray(weighting.error_by_t(weighting.lab_config(net, w, eps, strat, steps, state.DEFAULT_SEED),
                                                dc.PRESETS[mixture], weighting.LAM, "cpu",
                                                state.DEFAULT_SEED)[column], float)
          for w in dc.WEIGHTINGS}          # the numbers the chart draws
    named = list(by)
    expected = []
    for i, a in enumerate(named):
        for b in named[i + 1:]:
            va, vb = by[a], by[b]
            close = int(np.sum(np.maximum(va / vb, vb / va) <= weighting.HIDES))
            if 2 * close >= len(va):
                expected.append(f"{a} and {b} lie within 10% of each other at {close} of the {len(va)} times drawn")
    captions = " ".join(c.value for c in at.caption)
    for e in expected:
        assert e in captions, (e, captions)
    assert captions.count("lie within 10% of each other") == len(expected), captions
    if (mixture, net, view) == ("ring8", "preconditioned", "scaled"):     # the state where two lines coincide
        assert expected, by
