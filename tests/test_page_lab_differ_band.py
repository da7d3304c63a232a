"""Sampler lab: up to which budget the broad-mode note says the samplers differ, read with the page's one
rule for the noise band (a run just above it, by less than its width, is not a difference), and the
loss chart's symmetric-log axis and note layout."""
import pandas as pd
import pytest

from dashboard import samplers

W1_BAND = (0.0372, 0.0213, 0.0559)      # tutorial, exact, λ 25, uniform in t, ε 1e-2, W₁ of log p₀, 2000 samples


def runs(rows, metric="logp_w1") -> pd.DataFrame:
    """Made-up runs (method, budget, value of the measure) as the runs table the page reads."""
    return pd.DataFrame(rows, columns=["method", "budget", metric])


def test_run_just_above_the_band_is_not_a_difference():
    """Tutorial, λ 25, W₁ of log p₀: the reverse SDE at 0.0765 (30) and 0.0595 (50) lies above the band's
    top 0.0559 by less than its width 0.0346; only at 20 (0.151) is it beyond: they differ up to 20."""
    df = runs([("sde", 5, 2.57), ("ode", 5, 0.0261), ("sde", 20, 0.151), ("ode", 20, 0.03),
               ("sde", 30, 0.0765), ("ode", 30, 0.0343), ("sde", 50, 0.0595), ("ode", 50, 0.0355),
               ("sde", 100, 0.0492), ("ode", 100, 0.0323)])
    text = samplers.broad_note(df, W1_BAND, "logp_w1", "tutorial", 0.89, str)
    assert "differ up to 50" not in text and "differ up to 30" not in text, text
    assert ("the samplers differ up to 20 evaluations (sde above the noise band (range 0.0213–0.0559) by more than "
            "its width (0.0346) there); from 30 on, sde (0.0765 at 30 and 0.0595 at 50) lies just above the noise "
            "band (range 0.0213–0.0559), by less than its width (0.0346)") in text, text
    assert text.count("not evidence that sde misses the truth") == 1
    assert "; and every one is inside it from 100 on." in text, text


def test_only_runs_just_above_the_band_say_no_difference():
    """Two samplers just above the band at different budgets and nothing beyond its width: no budget at which
    the samplers differ, both named with their values, and inside from the budget after the last."""
    df = runs([("sde", 10, 0.07), ("dpm2m", 10, 0.03), ("sde", 20, 0.04), ("dpm2m", 20, 0.08),
               ("sde", 50, 0.04), ("dpm2m", 50, 0.03)])
    text = samplers.broad_note(df, W1_BAND, "logp_w1", "tutorial", 0.89, str)
    assert (": at no budget do the samplers differ by more than the noise; sde (0.0700 at 10) and dpm2m (0.0800 at 20) "
            "lie just above the noise band") in text, text
    assert "not evidence that sde and dpm2m miss the truth" in text and "differ up to" not in text, text
    assert text.endswith("every budget.") and "; and every one is inside it from 50 on." in text, text


def test_signed_gap_below_the_band_still_differs_and_other_measure_is_named():
    """λ 2, log-likelihood gap: a run below the band at 20 is a difference there; a run just above it at 50
    that sliced W₂ puts beyond its own band's width is said with that value, and the inside clause names the
    measure in use again."""
    band = (0.0, -0.1, 0.1)
    df = pd.DataFrame({"method": ["ode", "sde"] * 3, "budget": [20, 20, 50, 50, 100, 100],
                       "loglik_gap": [-0.5, 0.0, 0.15, 0.0, 0.05, 0.0],
                       "sliced_w2": [0.2, 0.2, 0.5, 0.2, 0.2, 0.2]})
    bands = {"loglik_gap": band, "sliced_w2": (0.19, 0.160, 0.228), "logp_w1": (0.1, 0.05, 0.15)}
    text = samplers.broad_note(df, band, "loglik_gap", "tutorial", 0.5, str, bands)
    assert ("the samplers differ up to 20 evaluations (ode below the noise band (range -0.100–0.100) there); "
            "from 50 on, ode (0.150 at 50) lies just above") in text, text
    assert "but in the same runs sliced W₂ distance puts ode (0.500) above" in text, text
    assert "; and by log-likelihood gap, every one is inside the noise band (range -0.100–0.100) from 100 on." in text, text


def gap_chart(n_samplers: int) -> dict:
    """The sampler chart's spec for made-up log-likelihood gaps of n_samplers samplers over four decades
    (ring8, λ 2: 20 at the fewest evaluations to 0.002 at the most), with a band of ±0.08."""
    from dashboard.figures import lab as lfig
    methods = list(lfig.METHOD_SHORT)[:n_samplers]
    rows = [{"method": m, "nfe": b, "steps": b, "seconds": 1.0, "gap": (20.0 / (i + 1)) * 10.0 ** -j * (-1) ** (i + j)}
            for i, m in enumerate(methods) for j, b in enumerate([4, 10, 30, 100, 500])]
    return lfig.nfe_chart(pd.DataFrame(rows), "gap", floor=(0.0, -0.08, 0.08), log_y=False,
                          metric_label="log-likelihood gap").to_dict()


def layers(node):
    """Every layer of a layered spec, nested ones too."""
    for layer in node.get("layer", []):
        yield layer
        yield from layers(layer)


def test_symlog_axis_labels_every_gridline():
    """ring8, λ 2, log-likelihood gap: the symmetric-log axis labelled only 20, 0.2, 0 and −0.2, its gridlines
    at ±2 and ±0.02 (the note's "linear within ±0.02") unlabelled: Vega dropped overlapping labels."""
    from dashboard.figures.common import log_tick_labels
    y = next(l["encoding"]["y"] for l in layers(gap_chart(8)) if "scale" in l.get("encoding", {}).get("y", {}))
    axis = y["axis"]
    assert y["scale"]["type"] == "symlog" and axis["labelOverlap"] is False, axis
    assert {0.02, -0.02, 2.0, -2.0} <= set(axis["values"]), axis
    for tick, label in zip(axis["values"], log_tick_labels(axis["values"])):
        assert f"'{label}'" in axis["labelExpr"], (tick, label, axis["labelExpr"])


@pytest.mark.parametrize("n, height", [(2, 300), (5, 340), (8, 400), (10, 400)])
def test_chart_grows_with_its_curves(n, height):
    """Eight samplers' curves over four decades crowded a 300 px chart: it grows with the curves, up to 400 px."""
    assert gap_chart(n)["height"] == height


def test_note_sits_wholly_above_the_plot():
    """unbalanced, λ 2, log-likelihood gap: the note's second line ("y: symmetric log scale, linear within
    ±0.02") sat on the plot's top gridline. Drawn at the top edge with its baseline at the bottom, it is
    lifted by a line's height per further line; a one-line note (a distance's band) keeps its small lift."""
    from dashboard.figures import lab as lfig
    for spec, lines in ((gap_chart(8), 2), (lfig.nfe_chart(pd.DataFrame(
            {"method": ["sde"], "nfe": [10], "steps": [10], "seconds": [1.0], "logp_w1": [0.5]}),
            "logp_w1", floor=(0.03, 0.02, 0.04)).to_dict(), 1)):
        text = [l for l in layers(spec) if isinstance(l.get("mark"), dict) and l["mark"].get("type") == "text"]
        mark = text[0]["mark"]
        assert text[0]["encoding"]["y"] == {"value": 0} and mark["baseline"] == "bottom", mark
        assert mark["dy"] == -6 - mark["lineHeight"] * (lines - 1) and mark["lineHeight"] >= mark["fontSize"], mark
        assert ("symmetric log scale" in str(spec)) == (lines == 2)


@pytest.mark.parametrize("grid, said", [("recommended", True), ("uniform", False), ("karras", False)])
def test_greyed_out_eps_says_it_is_not_used(grid, said):
    """Best per sampler: the greyed-out ε slider showed "stop at t = ε 1e-03" beside runs that stop at
    t = ε = 0.0001 to 0.03, each on its own best grid; beside it the page says the slider is not used.
    On the uniform and Karras grids it sets the runs' ε and is not said unused."""
    from conftest import ok, open_page
    at = ok(open_page("views/6_sampler_lab.py", w_samplers_grid=grid, w_samplers_n=200, w_samplers_nfe=[4, 10]))
    slider = at.select_slider(key="w_samplers_t_eps")
    captions = " ".join(c.value for c in at.caption)
    assert slider.disabled == said and ("not used with **best per sampler**" in captions) == said, captions
    assert ("each sampler's best grid sets its own ε" in slider.help) and "not used" in slider.help.lower(), slider.help
