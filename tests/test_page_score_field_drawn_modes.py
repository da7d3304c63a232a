"""Score field with more modes than the per-mode views draw (a drawn word as p₀: ~100 narrow modes,
10 drawn): the weighted and per-mode views' sentences say how many modes are drawn, and the
weighted view's counts of where the coloured arrows add up to the black total are those of the
arrows the figure draws."""

import re

import numpy as np
import pytest

import diffusion_core as dc
from dashboard import drawing, score_field as sf, vocabulary, yourdata
from dashboard.figures import score_field as sfig
from conftest import ok, open_page

PAGE = "views/2_score_field.py"
OLD = "Coloured arrows add up to the black total (one common scale)."
SEED = 2021


def _word_entry(word: str = "HI", n: int = 100) -> dict:
    """Your data: a word's points at the smallest smoothing width (the page's narrowest modes)."""
    pts = yourdata.check(drawing.word_points(word, n))
    return yourdata.entry(pts, yourdata.width_of(pts, 0.1), "Word")


def _drawn_counts(gmm, lam: float, t: float, where: str, n: int) -> tuple[int, int, int]:
    """From the arrows the weighted figure draws (drawn_arrows: clipped, on one scale): at how many
    points the drawn modes' coloured arrows add up to the black one to within HIDDEN_SHARE of its
    length, at how many they make up less than HIDDEN_SHARE of it while missing it, and how many
    points there are."""
    sde = dc.VESDE(lam)
    f = sf.score_field(gmm, sde, t, where, n, SEED)
    uv = sf.drawn_arrows(gmm, sde, t, where, n, SEED, "weighted", "proportional", "fixed")["uv"]
    shown = sfig.drawn_modes(len(f["comp_scores"]), f["resp"])
    black, part = uv[-1], uv[shown].sum(0)
    size = np.linalg.norm(black, axis=1)
    fit = np.linalg.norm(black - part, axis=1) <= sf.HIDDEN_SHARE * size
    bare = ~fit & (np.linalg.norm(part, axis=1) < sf.HIDDEN_SHARE * size)
    return int(fit.sum()), int(bare.sum()), len(size)


@pytest.mark.parametrize("t,lam,where,n", [(0.0, 25.0, "samples", 200), (0.05, 25.0, "samples", 200),
                                           (0.3, 5.0, "samples", 300), (0.0, 25.0, "grid", 15)])
def test_weighted_sentence_counts_the_drawn_arrows(t, lam, where, n):
    """Many modes, 10 drawn: the sentence no longer says the coloured arrows add up to the black
    total everywhere; its counts (points where they add up, and where the black total has little
    or no coloured part) are read off the arrows the figure draws, at t = 0 and later, other λ,
    more samples and on a grid."""
    gmm = yourdata.mixture(_word_entry())
    f = sf.score_field(gmm, dc.VESDE(lam), t, where, n, SEED)
    text = sf.weighted_words(f)
    assert OLD not in text
    assert f"Only {sfig.MAX_DRAWN_MODES} of the {gmm.n_components} modes are drawn" in text
    assert "σ of each drawn mode" in text
    fit, bare, total = _drawn_counts(gmm, lam, t, where, n)
    assert fit < total                                # the finding: they do not add up everywhere
    said = re.search(r"to within 10% of its length, at (none|all|[\d,]+)(?: of the ([\d,]+))? points", text)
    assert said, text
    assert said.group(1) == ("none" if fit == 0 else f"{fit:,}")
    assert "their sum misses it by more" in text
    if bare:
        m = re.search(r"and at (all|[\d,]+) of (?:these|them) they make up less than 10%", text)
        assert m and m.group(1) == ("all" if bare == total - fit else f"{bare:,}"), text
    else:
        assert "little or no coloured part" not in text
    hidden = 1 - f["resp"][:, sfig.drawn_modes(gmm.n_components, f["resp"])].sum(1)
    held = int((hidden > sf.HIDDEN_SHARE).sum())
    assert f"responsibility at {vocabulary.k_of_n(held, total, 'points')}" in text


def test_finding_state_black_totals_without_colour():
    """The drawn word at t = 0, λ = 25, 200 samples: at most points the owning mode is not drawn,
    so the black total stands with (nearly) no coloured arrow; the sentence says at how many."""
    gmm = yourdata.mixture(_word_entry())
    fit, bare, total = _drawn_counts(gmm, 25.0, 0.0, "samples", 200)
    assert bare > total / 2
    text = sf.weighted_words(sf.score_field(gmm, dc.VESDE(25.0), 0.0, "samples", 200, SEED))
    assert "the black total has little or no coloured part there" in text


@pytest.mark.parametrize("name", ["tutorial", "ring8"])
@pytest.mark.parametrize("t", [0.0, 0.5])
def test_every_mode_drawn_keeps_the_sentence(name, t):
    """Where every mode is drawn the coloured arrows do add up to the black one at every point
    (checked on the drawn arrows), and both views keep their sentences."""
    gmm = dc.PRESETS[name]
    f = sf.score_field(gmm, dc.VESDE(25.0), t, "samples", 200, SEED)
    fit, _, total = _drawn_counts(gmm, 25.0, t, "samples", 200)
    assert fit == total
    assert OLD in sf.weighted_words(f) and "Only" not in sf.weighted_words(f)
    modes = sf.modes_words(f, "F", "D")
    assert modes.startswith("Each mode's score, as if it were alone: F, D,")
    assert modes.endswith("σ of each mode.")


def test_per_mode_sentence_names_the_drawn_modes():
    """Per mode with 100 modes: the arrows and ellipses are those of the 10 drawn modes only."""
    gmm = yourdata.mixture(_word_entry())
    f = sf.score_field(gmm, dc.VESDE(25.0), 0.0, "samples", 200, SEED)
    text = sf.modes_words(f, "F", "D")
    assert text.startswith(f"Only {sfig.MAX_DRAWN_MODES} of the 100 modes are drawn")
    assert "Each drawn mode's score, as if it were alone" in text and "Ellipses: 1, 2, 3 σ of each drawn mode." in text


def test_page_shows_the_drawn_modes_sentences():
    """The page, with the drawn word as p₀, in both per-mode views."""
    at = ok(open_page(PAGE, **{yourdata.KEY: _word_entry(), "w_mixture": yourdata.NAME,
                               "w_score_view": "weighted"}))
    caps = " ".join(c.value for c in at.caption)
    assert OLD not in caps and "Only 10 of the 100 modes are drawn" in caps
    assert "the black total has little or no coloured part there" in caps
    at.radio(key="w_score_view").set_value("modes").run()
    caps = " ".join(c.value for c in ok(at).caption)
    assert "Each drawn mode's score, as if it were alone" in caps
