"""Your data as p₀: the Exact-score reversal states the smoothing width in the Your data slider's
unit (h × the median nearest-neighbour distance, yourdata.nn_distance), the number the Your data
page and the sidebar give; and where pₜ never splits the closest modes, the uniform-grid sentence
says only that no step goes to telling them apart, the narrowest mode's width read from the page's
own numbers (reversal.width_note on the Exact-score reversal, samplers.width_text in the Sampler lab)."""
import re

import numpy as np
import pandas as pd
import pytest

import diffusion_core as dc
from dashboard import drawing, reversal as rev, samplers, yourdata
from diffusion_core import pointsets as ps

RUN = rev.Run("sde", 50, 500, "karras", 1e-4, 0.13, "prior", 2021)


def drawn_points() -> np.ndarray:
    """A stroke drawn on the canvas: a zigzag of 41 vertices (an odd count, unlike the word's 100)."""
    path = [["M" if i == 0 else "L", 20 + 8 * i, 150 + (25 if i % 2 else 0) + 2 * i] for i in range(41)]
    return yourdata.canvas_points({"objects": [{"type": "path", "path": path}]}, 360)


def your_data(kind: str, factor: float):
    """(the entry, its p₀) as "Use as p₀ on every page" makes them: the word "OK" at 100 points, a
    drawn stroke, or the heart shape, at the slider's smoothing width `factor`."""
    points = {"OK": lambda: drawing.word_points("OK", 100, yourdata.RADIUS), "drawn": drawn_points,
              "heart": lambda: ps.heart(100)}[kind]()
    pts = yourdata.check(points, kind)
    e = yourdata.entry(pts, yourdata.width_of(pts, factor), kind)
    return e, yourdata.mixture(e)


def stated_width(text: str) -> str:
    """The smoothing width a sentence gives, as printed ("1.00")."""
    return re.search(r"smoothing width (?:is )?([\d.]+) ×", text, re.I).group(1)


@pytest.mark.parametrize("kind, factor", [("OK", 1.0), ("OK", 0.1), ("drawn", 2.0), ("heart", 0.5)])
def test_reversal_gives_the_width_the_slider_and_sidebar_give(kind, factor):
    """The word "OK", 100 points, slider 1.00 (h = 0.170): the sidebar said "smoothing width 1.00"
    while the reversal's note and commitment box said "1.21 × the spacing of your points" (torch's
    median of 100 nearest-neighbour distances takes the lower middle one). Both now give the
    sidebar's number, under the slider's name, in every state: separate blobs and overlapping ones."""
    e, gmm = your_data(kind, factor)
    sde = dc.VESDE(25.0)
    side = yourdata.sidebar_note(yourdata.NAME, e)
    note = rev.copies_note(gmm, sde, RUN)
    box = rev.point_set_commitment(gmm, rev.commit_view(gmm, sde, RUN, 0.9))
    width = f"{yourdata.factor_of(e):.2f}"
    assert f"smoothing width {width} (h = {e['width']:.3f})" in side, side
    assert stated_width(note) == width and f"(h = {e['width']:.3f})" in note, (side, note)
    assert stated_width(box) == width, (side, box)
    for text in (note, box):
        assert "nearest-neighbour distance" in text and "spacing" not in text, text
    assert rev.blob_ratio(gmm)[1] == pytest.approx(yourdata.nn_distance(e["points"]))
    if (kind, factor) == ("OK", 1.0):
        assert width == "1.00" and "overlap" in note, note


def lab_runs() -> pd.DataFrame:
    """Sampler lab runs at one budget: the tutorial's loop and the reverse SDE (recommended grid)."""
    return pd.DataFrame({"method": ["tutorial", "sde"], "budget": [100, 100], "steps": [100, 100]})


@pytest.mark.parametrize("state", [("OK", 1.0), ("drawn", 2.0), ("heart", 1.0), "ring8", "tutorial"])
def test_unsplit_closest_modes_sentence_says_only_what_holds(state):
    """The word "OK" at λ 25: "a uniform grid spends its steps on the data's shape alone", beside the
    next sentence: the narrowest mode (std 0.17) shows only for t < 0.03, where the loop puts 1.7 %
    of its steps. Where pₜ never splits the closest modes the sentence now says no step goes to
    telling them apart, and the share of steps where the data's finest detail shows is the page's
    own: width_note on the Exact-score reversal, the Sampler lab's next sentence (width_text) there.
    Presets whose modes split say where instead (no "never splits")."""
    gmm = dc.PRESETS[state] if isinstance(state, str) else your_data(*state)[1]
    sde, t_end = dc.VESDE(25.0), 1 / 200
    page, lab = rev.uniform_grid_note(gmm, sde, True, t_end=t_end), samplers.loop_grid_text(gmm, 25.0)
    for text in (page, lab):
        assert "spends its steps on the data's shape" not in text, text
    if rev.split_time(gmm, sde) != 0:
        assert "never splits" not in page and "never splits" not in lab, page
        return
    first = ("Here the closest modes are one bump of pₜ at every t: pₜ never splits them, so no step of "
             "a uniform grid goes to telling them apart.")
    assert page == first + rev.width_note(gmm, sde, t_end) and lab == first, (page, lab)
    s, t_w = rev.width_time(gmm, sde)
    assert f"puts {rev.uniform_share(t_w, t_end)} of its steps" in page, page
    after = samplers.width_text(gmm, 25.0, lab_runs(), "recommended", 1e-4)
    assert f"std {s:.2g}" in after and "of its steps there" in after, after
    if state == ("OK", 1.0):
        assert "for t below 0.03" in page and "puts 2.2 % of its steps" in page, page
        assert "puts 1.7 % of its steps there" in after, after
