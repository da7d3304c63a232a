"""The Flow matching page's quality caption where a point of the chart lies below the true samples'
level yet puts more samples off every mode than true sets (a "miss" in its tooltip): the caption says
so with that point's numbers, computed from the chart's rows, and "lower is better" holds only among
samples on the modes. States: the custom mixture at λ = 50 (exact rows, and with a learned flow,
rectification on and off), the custom mixture at λ = 25, tutorial at λ = 2, ring8 at λ = 50."""

import dataclasses

import pytest

import conftest
import diffusion_core as dc
from conftest import heavy_corner_mixture, ok, shorten_lessons_recipe
from dashboard import flow as flowpage, lessons, state

SEED = state.DEFAULT_SEED
PAGE = "views/11_flow.py"
K = "w_flow_"
HEAVY_CORNER = {"w_mixture": "custom", "custom_mixture": heavy_corner_mixture().to_dict()}


def _mixture(name: str):
    return heavy_corner_mixture() if name == "custom" else dc.PRESETS[name]


def _short_cfg():
    """The lesson recipe shortened as shorten_lessons_recipe does for the page tests."""
    return dataclasses.replace(lessons.recipe(SEED), steps=60, warmup=10, log_every=20, n_data=2000)


def _state(name: str, lam: float, networks: str = "none"):
    """The page's quality rows and truth noise at (name, λ); networks "learned" or "rectified" adds the
    network flows the page draws with the learned toggle on (and rectification)."""
    gmm = _mixture(name)
    cfg = None if networks == "none" else _short_cfg()
    df = flowpage.quality(gmm, lam, 1000, SEED, cfg, "cpu", networks == "rectified")
    return df, flowpage.quality_noise(gmm, 1000, SEED)


def _misses_below(df, noise):
    """Rows below true samples' level whose count off every mode is more than true sets' (more_off), lowest first."""
    hit = [float(v) < noise["sw2"] and flowpage.more_off(int(o), noise["off"]) for v, o in zip(df["sw2"], df["off"])]
    return df[hit].sort_values("sw2")


STATES = [("custom", 50.0, "none"), ("custom", 50.0, "learned"), ("custom", 50.0, "rectified"),
          ("custom", 25.0, "none"), ("tutorial", 2.0, "none"), ("ring8", 50.0, "none")]


@pytest.mark.parametrize("name, lam, networks", STATES)
def test_lowest_miss_sentence_names_the_lowest_point_below_the_truth_that_misses(name, lam, networks):
    """Custom mixture, λ = 50: exact flow at 4 Heun steps, sliced W₂ 0.201, below the true samples' level
    0.755, with 845 of 1000 samples off every mode, and the caption spoke only of 2 and 32 steps. The
    sentence exists exactly where such a point does, and carries that point's numbers and where it lies
    against true sets' own scores."""
    df, noise = _state(name, lam, networks)
    rows = _misses_below(df, noise)
    text = flowpage.lowest_miss_sentence(df, noise)
    assert (text != "") == (not rows.empty), text
    if rows.empty:
        return
    r = rows.iloc[0]
    method = flowpage.METHOD_NAMES[r["method"]]
    assert (f"{r['field']} at {int(r['steps'])} {method} steps ({int(r['nfe'])} evaluations), sliced W₂ "
            f"{r['sw2']:.3f}, lies below the true samples' level ({noise['sw2']:.3f})") in text, text
    assert f"puts {int(r['off'])} of {noise['n']} samples off every mode, against up to {noise['off']}" in text
    better = "better than" if r["sw2"] < noise["sw2_low"] else "as good as"
    assert f"sliced W₂ alone reads it {better} the truth, the count shows a miss." in text, text
    lowest = df.loc[df["sw2"].idxmin()]
    assert text.startswith("The lowest point, ") == (float(lowest["sw2"]) == float(r["sw2"])), text
    if len(rows) > 1:
        assert f" {len(rows) - 1} more point" in text, text


def test_lowest_miss_sentence_in_the_custom_state():
    """The custom mixture at λ = 50, learned flow and rectification on: the words and numbers the caption reads."""
    df, noise = _state("custom", 50.0, "rectified")
    text = flowpage.lowest_miss_sentence(df, noise)
    assert text.startswith('The lowest point that reads "miss", exact flow at 4 Heun steps (8 evaluations), '
                           "sliced W₂ 0.201, lies below the true samples' level (0.755), below all 8 true sets' own "
                           "scores (lowest 0.264), yet it puts 845 of 1000 samples off every mode"), text
    assert ("The chart's lowest point, exact flow at 8 Euler steps (8 evaluations), sliced W₂ 0.181, 8 of 1000 "
            'off every mode, reads "match".') in text, text


def test_tutorial_has_no_such_point():
    """Tutorial at λ = 2: every point below the true samples' level has its samples on the modes: no sentence."""
    df, noise = _state("tutorial", 2.0)
    assert _misses_below(df, noise).empty and flowpage.lowest_miss_sentence(df, noise) == ""


def test_page_caption_says_it(monkeypatch):
    """The page itself (custom mixture, λ = 50, learned flow and rectification on): the quality caption
    qualifies "lower is better" and names the point."""
    shorten_lessons_recipe(monkeypatch, n_data=2000)
    at = ok(conftest.open_page(PAGE, **HEAVY_CORNER, **{K + "lam": 50.0, K + "learned": True, K + "rectify": True}))
    caption = next(c.value for c in at.caption if c.value.startswith("Sliced W₂ between"))
    assert "lower is better only among samples that lie on the modes" in caption
    assert "lower is better." not in caption
    assert ('The lowest point that reads "miss", exact flow at 4 Heun steps (8 evaluations), sliced W₂ 0.201'
            in caption), caption
    assert "845 of 1000 samples off every mode" in caption
