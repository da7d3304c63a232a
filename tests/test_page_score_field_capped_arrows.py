"""Score field, weighted and per-mode views: no arrow runs past the mode mean it points at (each
mode's own arrow ends at its mean at most; the weighted view's arrows at a point are shortened by
one factor where the black total would pass the nearest mean, so they still add up), the notes
count the capped arrows as drawn, and the legend names what the black arrow sums."""

import re

import numpy as np
import pytest

import diffusion_core as dc
from dashboard import drawing, score_field as sf, yourdata
from dashboard.figures import score_field as sfig
from conftest import heavy_corner_mixture

SEED = 2021


def _word_mixture(word: str = "HI", n: int = 100):
    """Your data: a word's points at the smallest smoothing width (many narrow modes)."""
    pts = yourdata.check(drawing.word_points(word, n))
    return yourdata.mixture(yourdata.entry(pts, yourdata.width_of(pts, 0.1), "Word"))


MIXTURES = {"word HI": _word_mixture, "heavy corner": heavy_corner_mixture,
            "ring8": lambda: dc.PRESETS["ring8"]}
STATES = [("word HI", 25.0, 0.0), ("word HI", 25.0, 0.3), ("heavy corner", 25.0, 0.0),
          ("heavy corner", 5.0, 0.05), ("ring8", 10.0, 0.0)]


def _figure(gmm, lam, t, view):
    return sf.score_figure(gmm, dc.VESDE(lam), t, "samples", 200, SEED, view, "proportional", "fixed")


@pytest.mark.parametrize("name,lam,t", STATES)
def test_arrows_end_at_the_mean_they_point_at(name, lam, t):
    """Narrow modes at t = 0 drew starbursts: samples ≈ 0.03 from a mean, arrows on the key's
    scale ~15× longer, passing through it. Now each drawn mode's own arrow is no longer than the
    way to its mean, the weighted view's black total no longer than the way to the nearest mean,
    and its coloured arrows are shortened with it (all modes drawn: they still add up)."""
    gmm, sde = MIXTURES[name](), dc.VESDE(lam)
    f = sf.score_field(gmm, sde, t, "samples", 200, SEED)
    dist = sf.mean_distances(gmm, sde, t, f["pts"])
    modes = sf.drawn_arrows(gmm, sde, t, "samples", 200, SEED, "modes", "proportional", "fixed")["uv"]
    shown = sfig.drawn_modes(gmm.n_components, f["resp"])
    assert (np.linalg.norm(modes, axis=-1) <= dist[shown] * (1 + 1e-9)).all()
    uv = sf.drawn_arrows(gmm, sde, t, "samples", 200, SEED, "weighted", "proportional", "fixed")["uv"]
    assert (np.linalg.norm(uv[-1], axis=-1) <= dist.min(0) * (1 + 1e-9)).all()
    if len(shown) == gmm.n_components:
        np.testing.assert_allclose(uv[:-1].sum(0), uv[-1], atol=1e-9 * float(np.abs(uv).max()))


@pytest.mark.parametrize("name,lam,t", STATES)
def test_notes_count_the_capped_arrows_drawn(name, lam, t):
    """The weighted view's note and key caption say how many points' arrows are capped at the
    nearest mean exactly when most are (the figure's own count), and the per-mode note likewise;
    the frame-cut note counts the drawn (capped) tips."""
    gmm, sde = MIXTURES[name](), dc.VESDE(lam)
    for view, unit in (("weighted", "points"), ("modes", "arrows")):
        a = sf.drawn_arrows(gmm, sde, t, "samples", 200, SEED, view, "proportional", "fixed")
        drawn = a["seen"].shape[0] * a["seen"].shape[1]
        note = _figure(gmm, lam, t, view).texts[0].get_text().replace("\n", " ")
        caption = sf.key_caption(gmm, sde, t, "samples", 200, SEED, "fixed", view)
        said = f"(here {a['reached']:,} of {drawn:,} {unit} are capped)"
        assert (said in note) == (a["reached"] > drawn / 2), note
        assert (said in caption) == (a["reached"] > drawn / 2), caption
    assert "cut off" not in sf.cut_note(gmm, sde, t, "samples", 200, SEED, "weighted", "proportional", "fixed")


def test_word_at_t0_weighted_arrows_are_capped():
    """The finding's state (Your data "HI", 100 narrow modes, λ 25, t = 0): every point's arrows
    were drawn past their mode's mean; now the note says they are capped at the nearest mean."""
    note = _figure(_word_mixture(), 25.0, 0.0, "weighted").texts[0].get_text().replace("\n", " ")
    assert re.search(r"capped at the distance to the nearest mode mean \(here \d+ of \d+ points", note), note


def _black_label(fig) -> str:
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    return next(t for t in texts if t.startswith("total score"))


@pytest.mark.parametrize("name,lam,t,label", [
    ("word HI", 25.0, 0.0, "total score\n(of all 100\nmodes)"),
    ("word HI", 25.0, 0.3, "total score\n(of all 100\nmodes)"),
    ("heavy corner", 25.0, 0.0, "total score\n(their sum)"),
    ("ring8", 10.0, 0.5, "total score\n(their sum)")])
def test_legend_names_what_the_black_arrow_sums(name, lam, t, label):
    """Where only some modes are drawn, "their sum" read as the sum of the coloured arrows drawn:
    the legend says the black arrow sums every mode; where all are drawn, it is their sum."""
    gmm = MIXTURES[name]()
    if "100" in label:
        assert gmm.n_components == 100 > sfig.MAX_DRAWN_MODES
    assert _black_label(_figure(gmm, lam, t, "weighted")) == label
