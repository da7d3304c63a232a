"""Figures of the Guidance and Flow matching pages: readable axes on every preset (log-scale
spread, clipped log-likelihood with a note), every mode well inside the panels, legends outside
the data, the integrator legend drawn as dashed and solid lines, path panels two to a row."""
import json

import numpy as np
import pandas as pd
import pytest

import diffusion_core as dc
from dashboard import guidance as guidance_page
from dashboard.figures import flow as ffig
from dashboard.figures import guidance as gfig
from dashboard.figures import common
from dashboard.figures.common import chart_spec


def layers_of(spec):
    for part in ("hconcat", "concat", "vconcat", "layer"):
        for child in spec.get(part, []):
            yield from layers_of(child)
    if "mark" in spec:
        yield spec


def rows_of(spec, layer):
    """The data rows of a layer: inline values, or a named data set of the spec."""
    data = layer.get("data", {})
    return data.get("values") or spec.get("datasets", {}).get(data.get("name"), [])


def ring8_like_table():
    """A sweep as ring8 gives it: at w = 0 the samples spread over every class (spread 19x, log
    p(x | y) far below the truth's), from w = 1 on they match the class."""
    ws = list(guidance_page.GUIDANCE_WS)
    return pd.DataFrame({"w": ws, "spread_ratio": [19.0] + [0.98] * (len(ws) - 1),
                         "leak": [0.88] + [0.0] * (len(ws) - 1),
                         "logp_class": [-736.0] + [0.95] * (len(ws) - 1)})


TRUTH = {"spread_ratio": (1.0, 0.016), "leak": (0.0, 0.0), "logp_class": (0.96, 0.03)}


def test_sweep_chart_axes_stay_readable_over_the_whole_w_range():
    spec = chart_spec(gfig.sweep_chart(ring8_like_table(), TRUTH, 1.0, False))
    charts = spec["hconcat"]
    assert len(charts) == len(gfig.METRICS)
    by_title = {c["title"]["text"][0]: c for c in charts}
    spread = [l for l in layers_of(by_title["diversity: spread"]) if l["encoding"].get("y", {}).get("field") == "shown"]
    assert spread and all(l["encoding"]["y"]["scale"]["type"] == "log" for l in spread)
    # a log scale has no zero: naming one at all is a Vega-Lite warning in the browser's console
    log_scales = [l["encoding"][ch]["scale"] for c in charts for l in layers_of(c) for ch in ("y", "y2")
                  if l["encoding"].get(ch, {}).get("scale", {}).get("type") == "log"]
    assert log_scales and not any("zero" in sc for sc in log_scales)
    logp = by_title["fidelity: log-likelihood"]
    floor = gfig.clip_floor(*TRUTH["logp_class"])
    assert any("drawn at the edge" in line for line in logp["title"]["text"])
    domains = [l["encoding"]["y"]["scale"]["domain"] for l in layers_of(logp) if "y" in l["encoding"]]
    assert all(lo >= floor - 1 and lo > -20 for lo, hi in domains)       # not down to -736
    values = [v for l in layers_of(logp) for v in rows_of(spec, l)]
    shown = [v["shown"] for v in values if "shown" in v]
    assert min(shown) == pytest.approx(floor) and any(v.get("clipped") for v in values)
    # the truth band is drawn in every chart
    assert all(any(l["mark"]["type"] == "rect" for l in layers_of(c)) for c in charts)


def test_mode_regions_sit_well_inside_the_guidance_panels():
    """Every mode's 3σ region lies inside the samples and field panels with a margin of about a
    standard deviation more (ring8's modes sat on the panel edge)."""
    for gmm in (dc.PRESETS["ring8"], dc.PRESETS["tutorial"]):
        f = guidance_page.guidance_fields(gmm, 25.0, 0, 3.0, 0.3)
        std = gmm.covs.diagonal(dim1=1, dim2=2).sqrt().numpy()
        means = gmm.means.numpy()
        for lo, hi, axis in [(f["xx"].min(), f["xx"].max(), 0), (f["yy"].min(), f["yy"].max(), 1)]:
            assert (means[:, axis] - 3.9 * std[:, axis] >= lo).all()
            assert (means[:, axis] + 3.9 * std[:, axis] <= hi).all()
        _, out = guidance_page.guidance_samples_png(gmm, 25.0, 0, 1.0, 300, 30, 0)
        assert out[gfig.TRUTH] == 0 and out["exact CFG"] == 0


def test_fields_legend_is_outside_the_axes():
    f = guidance_page.guidance_fields(dc.PRESETS["ring8"], 25.0, 0, 3.0, 0.3)
    fig = gfig.fields_figure(f, 3.0, 0.3, "class 1")
    assert fig.legends and all(ax.get_legend() is None for ax in fig.axes)


def test_integrator_legend_shows_the_dash():
    """The strokeDash (integrator) legend comes from the line layer alone, drawn as strokes: the
    point layer carries no dash (its circles used to stand in for the line swatches)."""
    df = pd.DataFrame([{"field": f, "method": m, "steps": s, "nfe": s * (1 + (m == "heun")), "sw2": 1.0 / s}
                       for f in ("exact flow", "VE PF-ODE") for m in ("euler", "heun") for s in (2, 4)])
    layers = list(layers_of(chart_spec(ffig.quality_chart(df))))
    line = [l for l in layers if l["mark"]["type"] == "line"]
    point = [l for l in layers if l["mark"]["type"] == "point"]
    assert line and point
    dash = line[0]["encoding"]["strokeDash"]
    assert dash["legend"]["symbolType"] == "stroke" and dash["scale"]["range"] == [[1, 0], [6, 4]]
    assert all("strokeDash" not in l["encoding"] for l in point)


def test_path_panels_two_to_a_row_with_the_pairs_panel_and_one_outside_legend():
    rng = np.random.default_rng(0)
    traj = rng.normal(size=(11, 20, 2))
    panels = [(name, traj, c) for name, c in ffig.FIELD_COLORS.items()]         # 4 fields
    xx, yy = np.meshgrid(np.linspace(-3, 3, 20), np.linspace(-3, 3, 20))
    fig = ffig.paths_figure(panels, xx, yy, -(xx ** 2 + yy ** 2), (-3, 3), (-3, 3), 20,
                            ("pairs", rng.normal(size=(10, 2)), rng.normal(size=(10, 2))))
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == 5
    fig.draw_without_rendering()
    assert all(ax.get_position().width > 0.35 for ax in shown)       # two to a row, not five
    assert fig.legends and all(ax.get_legend() is None for ax in shown)


def test_paths_chart_panels_are_equal_aspect_with_the_pairs_first_and_one_legend_below():
    """The paths chart (the page's figure, paths_figure's panels in Vega-Lite): pairs panel first,
    then one panel per field with its two-line title and colour, pixels per unit equal on x and y,
    the paths read from the named dataset (filtered by panel), one legend, below the panels."""
    rng = np.random.default_rng(0)
    keys = list(ffig.FIELD_COLORS)
    panels = [(k, f"{k}\nstraightness 0.900", ffig.FIELD_COLORS[k]) for k in keys]
    xlim, ylim = (-3.0, 5.0), (-4.0, 4.0)
    spec = chart_spec(ffig.paths_chart(panels, xlim, ylim, "data:image/png;base64,", 10,
                                       ("pairs\n3 crossings", rng.normal(size=(10, 2)), rng.normal(size=(10, 2)))))
    assert spec["columns"] == 2 and len(spec["concat"]) == 5
    assert [p["title"]["text"] for p in spec["concat"]] == [["pairs", "3 crossings"]] + [
        [k, "straightness 0.900"] for k in keys]
    for p in spec["concat"]:
        assert p["width"] / (xlim[1] - xlim[0]) == pytest.approx(p["height"] / (ylim[1] - ylim[0]), rel=0.01)
        assert p["layer"][0]["mark"]["type"] == "image"                       # the density under the paths
    text = json.dumps(spec)
    for k in keys:
        assert ffig.FIELD_COLORS[k] in text and f'"equal": "{k}"' in text
    legends = [e["legend"] for p in spec["concat"] for layer in p["layer"]
               for e in layer.get("encoding", {}).values() if isinstance(e, dict) and e.get("legend")]
    assert len(legends) == 1 and legends[0]["orient"] == "bottom"
    frame = ffig.path_frame([(k, rng.normal(size=(11, 20, 2))) for k in keys])
    assert len(frame[frame["i"] < 7]) == 7 * 11 * len(keys)


def test_at_w_moves_only_the_rule():
    table = ring8_like_table()
    spec = chart_spec(gfig.sweep_chart(table, TRUTH, 0.0, False))
    moved = gfig.at_w(spec, 4.0)

    def rules(node):
        if isinstance(node, dict):
            return [v for x in node.values() for v in rules(x)]
        if isinstance(node, list):
            if len(node) == 1 and isinstance(node[0], dict) and set(node[0]) == {gfig.RULE_FIELD}:
                return [node[0][gfig.RULE_FIELD]]
            return [v for x in node for v in rules(x)]
        return []
    assert rules(moved) and set(rules(moved)) == {4.0} and set(rules(spec)) == {0.0}
    assert gfig.at_w(moved, 0.0) == spec              # nothing else changed; the cached spec untouched


def test_exact_flow_curves_are_drawn_on_top_and_thinner():
    """The learned flow's curves lie on the exact flow's: the exact flow's line and points are
    drawn last, the line thinner and the points hollow diamonds, so both stay visible."""
    df = pd.DataFrame([{"field": f, "method": m, "steps": s, "nfe": s * (1 + (m == "heun")), "sw2": 1.0 / s}
                       for f in ("exact flow", "learned flow", "VE PF-ODE") for m in ("euler", "heun")
                       for s in (2, 4)])
    spec = chart_spec(ffig.quality_chart(df))
    layers = list(layers_of(spec))
    fields = [{r["field"] for r in rows_of(spec, l)} for l in layers]
    assert fields[-2:] == [{"exact flow"}, {"exact flow"}]
    assert all("exact flow" not in f for f in fields[:-2])
    line, point = layers[-2]["mark"], layers[-1]["mark"]
    assert line["type"] == "line" and line["strokeWidth"] < layers[0]["mark"]["strokeWidth"]
    assert point["type"] == "point" and point["shape"] == "diamond" and point["filled"] is False
    assert "strokeDash" in layers[-2]["encoding"]
    # the legend shows the diamond too: the points' shape shares the colour legend's field and title
    shape = layers[-1]["encoding"]["shape"]
    assert shape["field"] == "field" and shape["title"] == layers[-1]["encoding"]["color"]["title"]
    dom, rng = shape["scale"]["domain"], shape["scale"]["range"]
    assert rng[dom.index("exact flow")] == "diamond" and set(rng) - {"diamond"} == {"circle"}


def test_quality_chart_draws_the_measures_noise_inside_its_domain():
    """The flow quality chart's grey rule: true samples against true samples, inside the y axis
    even when it lies above every curve."""
    df = pd.DataFrame([{"field": f, "method": m, "steps": s, "nfe": s * (1 + (m == "heun")), "sw2": 0.1 / s}
                       for f in ("exact flow", "VE PF-ODE") for m in ("euler", "heun") for s in (2, 4)])
    layers = list(layers_of(chart_spec(ffig.quality_chart(df, noise=0.5))))
    rule = layers[0]
    assert rule["mark"]["type"] == "rule"
    lo, hi = rule["encoding"]["y"]["scale"]["domain"]
    assert lo < 0.5 < hi
    assert len(list(layers_of(chart_spec(ffig.quality_chart(df))))) == len(layers) - 1


def test_network_flow_lines_show_around_the_exact_flows_line():
    """The learned flow's line lay hidden under the exact flow's: the networks' lines are now a
    band clearly wider than the exact flow's thin line, drawn before it, so both stay visible."""
    df = pd.DataFrame([{"field": f, "method": m, "steps": s, "nfe": s * (1 + (m == "heun")), "sw2": 1.0 / s}
                       for f in ("exact flow", "learned flow", "rectified flow", "VE PF-ODE")
                       for m in ("euler", "heun") for s in (2, 4)])
    spec = chart_spec(ffig.quality_chart(df))
    layers = list(layers_of(spec))
    lines = [(l["mark"], {r["field"] for r in rows_of(spec, l)}) for l in layers if l["mark"]["type"] == "line"]
    exact = next(m for m, f in lines if f == {"exact flow"})
    nets = next(m for m, f in lines if f == {"learned flow", "rectified flow"})
    assert nets["strokeWidth"] >= exact["strokeWidth"] + 3          # 1.5 px or more on each side
    order = [f for _, f in lines]
    assert order.index({"learned flow", "rectified flow"}) < order.index({"exact flow"})


@pytest.mark.parametrize("count, total, shown", [(398, 400, "99.5"), (2, 400, "0.5"), (399, 400, "99.75"),
                                                 (1, 400, "0.25"), (200, 400, "50"), (0, 400, "0"),
                                                 (400, 400, "100"), (397, 400, "99")])
def test_pct_never_rounds_a_share_of_the_rest_to_0_or_100(count, total, shown):
    """398 of 400 paths is 99.5 %, not "100 %" beside the 2 that are not; 2 of 400 is not "0 %"."""
    assert common.pct(100 * count / total) == shown
