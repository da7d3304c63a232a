"""Score field's per-mode and weighted views: the 1, 2, 3 σ ellipses are drawn above the arrows,
and a drawn mode too narrow to see (Your data "HI", smoothing 0.10, t = 0) is marked by a ring at
its mean; the sentence and the legend say so from the same grids, and only then (tutorial)."""
import pytest

import diffusion_core as dc
from dashboard import drawing, score_field as sf, yourdata
from dashboard.figures import score_field as sfig

SDE = dc.VESDE(25.0)


def _hi():
    pts = yourdata.check(drawing.word_points("HI", 100))
    return yourdata.mixture(yourdata.entry(pts, yourdata.width_of(pts, 0.1), "Word"))


def _rings(fig):
    """The hollow ring markers drawn above the arrows (zorder 6)."""
    return [c for c in fig.axes[0].collections if c.get_zorder() == 6]


@pytest.mark.parametrize("view", ["modes", "weighted"])
def test_hi_narrow_modes_get_rings_and_words(view):
    f = sf.score_field(_hi(), SDE, 0.0, "samples", 200, 2021)
    shown, _ = sf.undrawn_share(f)
    tiny = sfig.tiny_modes(f["comp_logp"][shown])
    assert len(tiny) == len(shown) == 10
    fig = sf.score_figure(_hi(), SDE, 0.0, "samples", 200, 2021, view, "proportional", "fixed")
    assert len(_rings(fig)) == len(tiny)
    words = sf.modes_words(f, "F", "D") if view == "modes" else sf.weighted_words(f)
    assert "All 10 drawn modes are narrower than the arrows: a ring marks each at its mean." in words
    assert any("ring" in t.get_text() for t in fig.legends[0].get_texts())


@pytest.mark.parametrize("t, view", [(0.0, "modes"), (0.0, "weighted"), (0.5, "modes")])
def test_tutorial_ellipses_visible_without_rings(t, view):
    f = sf.score_field(dc.PRESETS["tutorial"], SDE, t, "grid", 15, 2021)
    assert sfig.tiny_modes(f["comp_logp"]) == []
    fig = sf.score_figure(dc.PRESETS["tutorial"], SDE, t, "grid", 15, 2021, view, "proportional", "fixed")
    assert _rings(fig) == []
    words = sf.modes_words(f, "F", "D") if view == "modes" else sf.weighted_words(f)
    assert words.endswith("Ellipses: 1, 2, 3 σ of each mode.") and "ring" not in words
    assert not any("ring" in t.get_text() for t in fig.legends[0].get_texts())
    contours = [c for c in fig.axes[0].collections if c.get_zorder() == 5]
    assert contours and all(c.get_zorder() > q.get_zorder() for c in contours
                            for q in fig.axes[0].collections if type(q).__name__ == "Quiver")
