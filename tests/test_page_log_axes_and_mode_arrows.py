"""Log axes label every tick in one format (Train & sample's error-by-t chart, the Sampler lab's
measure chart, log and symmetric log); the Score field's per-mode arrows, heads included, stay
inside the plot's frame, and the page's note counts those shortened there; with many modes the
per-mode views' legends name every colour drawn."""

import re

import numpy as np
from matplotlib.colors import to_rgb
import pandas as pd
import pytest

import diffusion_core as dc
from dashboard import drawing, score_field as sf, yourdata
from dashboard.figures import common, lab as lfig, score_field as sfig, training as tfig
from conftest import heavy_corner_mixture

SEED = 2021
POWER = re.compile(r"^−?(\d(\.\d+)?×)?10[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+$")
PLAIN = re.compile(r"^(0|−?\d{1,3}(,\d{3})*(\.\d+)?)$")


def _labels(axis: dict) -> list[str]:
    """The labels an axis spec's labelExpr gives its tick values (the expression read back)."""
    pairs = dict(re.findall(r"abs\(datum\.value / (\S+) - 1\) < 1e-6 \? '([^']*)'", axis["labelExpr"]))
    if "datum.value == 0 ? '0'" in axis["labelExpr"]:
        pairs["0"] = "0"
    return [pairs["0" if v == 0 else repr(float(v))] for v in axis["values"]]


def _one_format(labels: list[str]) -> bool:
    """Every label plain (0.001, 1,000) or every nonzero label a power of ten (10⁻⁷, 2×10⁻⁷)."""
    nonzero = [s for s in labels if s != "0"]
    return all(PLAIN.match(s) for s in labels) or all(POWER.match(s) for s in nonzero)


def _axes(spec: dict, channel: str) -> list[dict]:
    """Every axis of a channel in a (layered) chart spec that has tick values."""
    layers = spec.get("layer", [spec])
    return [l["encoding"][channel]["axis"] for l in layers
            if channel in l.get("encoding", {}) and "values" in l["encoding"][channel].get("axis", {})]


@pytest.mark.parametrize("lo,hi", [(1e-8, 0.1), (1e-3, 2.0), (0.02, 500.0)])
def test_error_by_t_axes_label_every_tick_in_one_format(lo, hi):
    """Squared errors down to 10⁻⁸ were labelled 0.000001 beside 1e-7 (d3's ~g); the t axis had
    Vega's own log ticks, crowded at both ends. Now both axes are labelled at log_ticks, one format."""
    df = pd.DataFrame({"t": np.geomspace(1e-3, 1.0, 12), "mse": np.geomspace(lo, hi, 12), "series": "learned"})
    spec = tfig.error_by_t_chart(df, eps=1e-3).to_dict()
    for channel in ("x", "y"):
        axes = _axes(spec, channel)
        assert axes, channel
        for axis in axes:
            labels = _labels(axis)
            assert _one_format(labels), labels
            assert "format" not in axis
    y = _axes(spec, "y")[0]
    assert all(POWER.match(s) for s in _labels(y)) == (min(y["values"]) < common.PLAIN_LOG_LABELS[0])


@pytest.mark.parametrize("values,band", [([-2e-7, 5e-4, 3.0], (1e-7, -3e-7, 4e-7)),
                                         ([-0.4, 0.05, 30.0], (0.01, -0.2, 0.3)),
                                         ([1e-6, 2e-3, 0.5], None)])
def test_sampler_lab_measure_axes_label_every_tick_in_one_format(values, band):
    """The log-likelihood gap's symmetric log axis mixed 1e-7 with 0.000001 and 0.0001; now every
    tick of its y axis (log or symmetric log) and its NFE axis shares one format."""
    method = list(lfig.METHOD_SHORT)[0]
    df = pd.DataFrame({"method": method, "nfe": [3, 10, 100], "steps": [3, 10, 100],
                       "seconds": 1.0, "gap": values})
    spec = lfig.nfe_chart(df, "gap", floor=band, log_y=band is None).to_dict()
    for channel in ("x", "y"):
        for axis in _axes(spec, channel):
            labels = _labels(axis)
            assert len(labels) == len(axis["values"]) and _one_format(labels), labels


def test_log_tick_labels_never_mix_formats():
    """log_tick_labels: plain within PLAIN_LOG_LABELS, else every label a power of ten."""
    assert common.log_tick_labels([0.001, 0.5, 1, 1000]) == ["0.001", "0.5", "1", "1,000"]
    assert common.log_tick_labels([1e-7, 2e-7, 1e-6, 1.0]) == ["10⁻⁷", "2×10⁻⁷", "10⁻⁶", "10⁰"]
    assert common.log_tick_labels([-1e-5, 0.0, 1e-5]) == ["−10⁻⁵", "0", "10⁻⁵"]


def _word_mixture(word: str = "HI", n: int = 100):
    """Your data: a word's points at the smallest smoothing width (100 narrow modes, 10 drawn)."""
    pts = yourdata.check(drawing.word_points(word, n))
    return yourdata.mixture(yourdata.entry(pts, yourdata.width_of(pts, 0.1), "Word"))


MIXTURES = {"custom": heavy_corner_mixture, "tutorial": lambda: dc.PRESETS["tutorial"],
            "ring8": lambda: dc.PRESETS["ring8"]}


def _quivers(fig):
    return [c for c in fig.axes[0].collections if type(c).__name__ == "Quiver"]


@pytest.mark.parametrize("name,lam,t,lengths", [("custom", 25.0, 0.0, "proportional"),
                                                ("custom", 5.0, 0.05, "equal"),
                                                ("tutorial", 25.0, 0.0, "proportional"),
                                                ("ring8", 10.0, 0.3, "proportional")])
def test_per_mode_arrows_and_heads_stay_inside_the_frame(name, lam, t, lengths):
    """The custom mixture's mode-2 arrows at (3, 3) ran their heads past the top of the frame.
    Now every per-mode arrow's tip lies half a head's width inside the axes' limits, and the note
    under the figure counts the arrows shortened there (view_arrows' framed, the figure's own)."""
    gmm, sde = MIXTURES[name](), dc.VESDE(lam)
    fig = sf.score_figure(gmm, sde, t, "samples", 200, SEED, "modes", lengths, "fixed")
    ax = fig.axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    room = sfig.ARROW_WIDTH * sfig.HEAD_WIDTH / 2 * (x1 - x0)
    qs = _quivers(fig)
    tx, ty = np.concatenate([q.X + q.U for q in qs]), np.concatenate([q.Y + q.V for q in qs])
    assert ((tx >= x0 + room * (1 - 1e-6)) & (tx <= x1 - room * (1 - 1e-6))
            & (ty >= y0 + room * (1 - 1e-6)) & (ty <= y1 - room * (1 - 1e-6))).all()
    framed = sf.drawn_arrows(gmm, sde, t, "samples", 200, SEED, "modes", lengths, "fixed")["framed"]
    note = sf.cut_note(gmm, sde, t, "samples", 200, SEED, "modes", lengths, "fixed")
    assert note == "" if not framed else note.startswith(f"{framed:,} of the {tx.size:,} arrows drawn would run")
    if (name, t, lengths) == ("custom", 0.0, "proportional"):
        assert framed == 1 and note.endswith("it is shortened to end at it, shorter than the key's scale gives.")


def test_within_frame_shortens_only_what_leaves_it():
    """within_frame keeps directions, ends a leaving arrow on the frame, leaves the others be."""
    pts = np.array([[0.0, 0.0], [0.5, 0.5]])
    uv = np.array([[[2.0, 1.0], [0.1, 0.1]]])
    out, n = sfig.within_frame(pts, uv, ((-1.0, 1.0), (-1.0, 1.0)))
    assert n == 1 and np.allclose(out[0, 0], [1.0, 0.5]) and np.allclose(out[0, 1], [0.1, 0.1])


@pytest.mark.parametrize("name,view", [("word HI", "modes"), ("word HI", "weighted"), ("word OK", "modes"),
                                       ("tutorial", "modes"), ("ring8", "weighted")])
def test_legend_names_every_colour_drawn(name, view):
    """With 100 modes the per-mode views draw 10 and the legend named 4 of their colours. Now
    every colour drawn has an entry (and every mixture with all modes drawn names them all)."""
    gmm = _word_mixture(name.split()[1]) if name.startswith("word") else MIXTURES[name]()
    fig = sf.score_figure(gmm, dc.VESDE(25.0), 0.0, "samples", 200, SEED, view, "proportional", "fixed")
    drawn = {tuple(np.round(q.get_facecolor()[0][:3], 3)) for q in _quivers(fig)} - {(0.0, 0.0, 0.0)}
    legend = fig.legends[0]
    named = {tuple(np.round(np.array(to_rgb(h.get_color())), 3))
             for h, text in zip(legend.legend_handles, legend.get_texts()) if text.get_text().startswith("mode ")}
    assert drawn and drawn <= named, (drawn - named)
    if name.startswith("word"):
        head = legend.get_title().get_text()
        assert f"{len(drawn)} of {gmm.n_components:,} modes\ndrawn" in head, head
