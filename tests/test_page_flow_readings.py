"""The Flow matching page's readings away from the defaults, computed from the same rows the page
shows (dashboard.flow's functions on the exact flow's and the VE's numbers, or rows built for a
network's flow): a sampler called valid only where the chart's measures match it, the straightest
named only by the straightest rule, the VE's step sentence naming its start where steps do not help,
and a network's flow compared with the exact flow at the same step count."""

import pandas as pd
import pytest

import diffusion_core as dc
from conftest import heavy_corner_mixture
from dashboard import flow as flowpage, state

SEED = state.DEFAULT_SEED


def _mixture(name: str):
    return heavy_corner_mixture() if name == "custom" else dc.PRESETS[name]


def _exact_state(name: str, lam: float) -> tuple[dict, pd.DataFrame, dict]:
    """The page's path story, quality rows (exact flow and VE PF-ODE) and truth noise at (name, λ)."""
    gmm = _mixture(name)
    return (flowpage.path_story(gmm, lam, 200, 100, SEED), flowpage.quality(gmm, lam, 1000, SEED),
            flowpage.quality_noise(gmm, 1000, SEED))


def _with_networks(df: pd.DataFrame) -> pd.DataFrame:
    """df with rows for a learned and a rectified flow (copies of the exact flow's): four fields drawn."""
    exact = df[df["field"] == "exact flow"]
    return pd.concat([df] + [exact.assign(field=k) for k in ("learned flow", "rectified flow")], ignore_index=True)


def _last(df: pd.DataFrame) -> pd.DataFrame:
    q = df[df["method"] == "heun"]
    return q[q["steps"] == q["steps"].max()].set_index("field")


@pytest.mark.parametrize("name, lam", [("custom", 25.0), ("custom", 50.0), ("tutorial", 25.0), ("ring8", 50.0)])
def test_landing_calls_a_sampler_valid_only_where_the_chart_matches_it(name, lam):
    """Custom mixture, λ = 25: "… compare a valid sampler with a slightly worse one by that measure", the
    valid one being the exact flow, which puts 40 of 1000 samples off every mode at 32 Heun steps (true
    sets: up to 12), a "miss" on the quality chart. "Valid sampler" now follows match_reading; else the
    sentence says what the chart reads, with its numbers."""
    story, df, noise = _exact_state(name, lam)
    last = _last(df)
    kind, text = flowpage.ve_landing(story, df, noise)
    readings = {k: flowpage.match_reading(last.loc[k, "sw2"], last.loc[k, "off"], noise)
                for k in ("exact flow", "VE PF-ODE")}
    if "a valid sampler" in text:
        assert readings["exact flow"] == "match", text
    if "two valid samplers" in text:
        assert set(readings.values()) == {"match"}, text
    if (name, lam) == ("custom", 25.0):
        assert readings["exact flow"] == "miss" and "valid sampler" not in text, text
        assert ('compare the exact flow, whose own samples at 32 Heun steps read "miss" on the quality chart '
                "(40 of 1000 off every mode") in text, text
        assert "(40 of 1000 off every mode, against up to 12 for a set of true samples; sliced W₂ 0.735" in text
    if name in ("tutorial", "ring8"):
        assert kind == "on" and text.endswith("compare two valid samplers."), text


@pytest.mark.parametrize("name, lam", [("custom", 25.0), ("tutorial", 25.0), ("ring8", 50.0)])
def test_landing_counts_the_fields_the_straightness_numbers_cover(name, lam):
    """With the learned and rectified flows drawn the straightness numbers cover four fields, not the
    two the landing sentence compares: it says so, and that it speaks of the exact flow and the VE."""
    story, df, noise = _exact_state(name, lam)
    _, two = flowpage.ve_landing(story, df, noise)
    _, four = flowpage.ve_landing(story, _with_networks(df), noise)
    assert "fields (" not in two
    assert ("the straightness numbers above (panel titles and caption), which cover 4 fields (exact flow, "
            "VE PF-ODE, learned flow and rectified flow), for the exact flow and the VE PF-ODE") in four.replace(
                "The straightness", "the straightness"), four
