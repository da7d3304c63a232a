"""The Flow matching page's step sentences read the quality chart's own curves: the VE's remaining miss is
named as its start where its Heun curve is flat over its last doublings of steps and the chart sees it miss there; "clearly better" between
integrators only where no measure puts the other ahead; and two fields' first matching step counts are said
to differ by chance where their curves lie within the noise of each other in between."""

import pandas as pd
import pytest

import diffusion_core as dc
from dashboard import flow as flowpage, state

SEED = state.DEFAULT_SEED
# the learned flow's rows on the page at tutorial, λ 25 (default recipe), with Euler: (steps, sw2, off)
LEARNED_EULER = [(2, 0.761940, 0), (4, 0.400319, 0), (8, 0.213774, 0), (16, 0.127928, 0), (32, 0.099482, 0)]


def _state(name: str, lam: float):
    """The page's quality rows (exact flow and VE), truth noise and path story at (name, λ)."""
    gmm = dc.PRESETS[name]
    return (flowpage.quality(gmm, lam, 1000, SEED), flowpage.quality_noise(gmm, 1000, SEED),
            flowpage.path_story(gmm, lam, 200, 100, SEED))


def _cost(name: str, lam: float, df, story) -> str:
    """The page's straightness-against-cost sentence at (name, λ)."""
    straight = {"exact flow": story["flow"], "VE PF-ODE": story["ve"]}
    errors = flowpage.straightness_errors(dc.PRESETS[name], lam, 200, 100, SEED)
    return flowpage.straight_cost_sentence(df, noise_of(name), straight, errors, story["ve_glide"], story)


def noise_of(name: str) -> dict:
    """The quality chart's truth noise for preset `name`."""
    return flowpage.quality_noise(dc.PRESETS[name], 1000, SEED)


@pytest.mark.parametrize("name, lam", [("tutorial", 10.0), ("tutorial", 2.0), ("tutorial", 25.0), ("ring8", 2.0),
                                       ("ring8", 25.0)])
def test_ve_miss_is_the_start_where_its_heun_curve_is_flat_at_the_end(name, lam):
    """Tutorial, λ 10: "so it needs a careful time grid; here its samples are at the edge … at 16 and 32 Heun
    steps: scores 0.275–0.276" and "what matters is where they bend", while the Heun curve is flat from 8 steps
    on. Where the VE does not match at the most steps and its Heun curve is flat over its last doublings, both
    sentences now name the start; where it matches (λ 25), the time grid and the bends stay."""
    df, noise, story = _state(name, lam)
    grid = flowpage.ve_grid_sentence(df, noise, story)
    cost = _cost(name, lam, df, story)
    heun = df[(df["field"] == "VE PF-ODE") & (df["method"] == "heun")].sort_values("steps")
    last = heun.iloc[-2:]
    flat = (last["sw2"].max() - last["sw2"].min() <= noise["spread"]
            and not flowpage.counts_differ(int(last["off"].max()), int(last["off"].min())))
    matches = any(flowpage.first_match(df, noise, "VE PF-ODE", m) is not None for m in ("heun", "euler"))
    seen = flowpage.ve_most_heun(df, noise)[1] == "miss"      # the chart's own rule sees the VE miss at its most steps
    start = flat and not matches and seen
    assert ("comes from its start, not its time grid" in grid) == start, grid
    assert ("careful time grid" in grid) == (not (flat and not matches)), grid
    if start:
        assert "what matters is where they bend" not in cost, cost
        assert f"σ₁ = {story['sigma1']:.2f} is " in grid, grid
    if (name, lam) == ("tutorial", 10.0):
        assert ("from 8 Heun steps (16 evaluations) to 32 Heun steps (64 evaluations) its Heun curve is flat: "
                "sliced W₂ between 0.275 and 0.282") in grid, grid
        assert "σ₁ = 4.64 is 0.95 times as wide as its p₁" not in grid, grid          # at the edge: no cause
        assert "at the edge of sliced W₂'s noise at 32 Heun steps (64 evaluations): score 0.275" in grid, grid
        assert "what decides is where they start" not in cost, cost
    if (name, lam) == ("tutorial", 25.0):
        assert "what matters is where they bend" in cost, cost


@pytest.mark.parametrize("name, lam", [("ring8", 25.0), ("ring8", 50.0), ("ring8", 2.0), ("tutorial", 25.0)])
def test_clearly_better_only_where_no_measure_puts_the_other_ahead(name, lam):
    """ring8, λ 25: "Heun does clearly better than Euler here, at equal evaluations: 16 Heun steps … (6 of 1000
    off every mode, sliced W₂ 0.282), while 32 Euler steps … (16 of 1000 …)", while Euler's sliced W₂ is the
    lower (0.279). "Clearly better" now needs both measures on the winner's side; else each measure is said."""
    df, noise, _ = _state(name, lam)
    gmm = dc.PRESETS[name]
    text = flowpage.integrators_sentence(gmm, df, noise, SEED)
    gap = flowpage.integrator_gap(df, noise, "VE PF-ODE")
    if gap is None:
        assert "For the VE PF-ODE" not in text, text
        return
    win, lose = gap
    agree = win["sw2"] <= lose["sw2"]
    assert ("For the VE PF-ODE, Heun does clearly better" in text or
            "For the VE PF-ODE, Euler does clearly better" in text) == agree, text
    assert ("do not agree" in text) == (not agree), text
    if (name, lam) == ("ring8", 25.0):
        assert ("by the count of samples off every mode Heun is ahead, 6 of 1000 at 16 Heun steps (32 evaluations) "
                "against 16 at 32 Euler steps (32 evaluations): 10 apart, beyond two counts' noise, "
                "2√(6 + 16) = 9.4; by sliced W₂ the two are within the spread of true sets' scores (0.222) of "
                "each other, 0.282 against 0.279, Euler's the lower.") in text, text


def _with_learned(df: pd.DataFrame, euler: list, heun_from: str = "exact flow") -> pd.DataFrame:
    """df with a learned flow: Euler rows (steps, sw2, off) `euler`, Heun rows copied from `heun_from`'s."""
    heun = df[(df["field"] == heun_from) & (df["method"] == "heun")].assign(field="learned flow")
    rows = pd.DataFrame([{"field": "learned flow", "method": "euler", "steps": s, "nfe": s, "sw2": w, "off": o}
                         for s, w, o in euler])
    return pd.concat([df, heun, rows], ignore_index=True)


def test_first_matches_within_noise_of_each_other_are_said_to_differ_by_chance():
    """Tutorial, λ 25, learned flow: exact flow "with Euler, they match … from 8 Euler steps", learned flow "from
    16 Euler steps", while the two Euler curves lie within 0.070 of each other at 8 and 16 steps. The page now
    says the first matches differ by chance there; where the curves part beyond the noise, or match from the
    same step count, it does not."""
    df, noise, _ = _state("tutorial", 25.0)
    text = flowpage.networks_steps_sentence(_with_learned(df, LEARNED_EULER), noise)
    assert ("The exact flow's and the learned flow's Euler curves lie within the noise of each other from 8 to 16 "
            "Euler steps by both measures (sliced W₂ within 0.070") in text, text
    assert "the step count where each first matches true ones (8 against 16) differs by chance here." in text, text
    # the learned flow's 8 Euler steps clearly worse than the exact flow's: a real difference, nothing said
    far = [(s, w + (0.2 if s == 8 else 0.0), o) for s, w, o in LEARNED_EULER]
    assert "differs by chance" not in flowpage.networks_steps_sentence(_with_learned(df, far), noise)
    # the learned flow's Euler rows the exact flow's own: same first match, nothing said
    same = [(int(r["steps"]), r["sw2"], int(r["off"])) for _, r in
            df[(df["field"] == "exact flow") & (df["method"] == "euler")].iterrows()]
    assert "differs by chance" not in flowpage.networks_steps_sentence(_with_learned(df, same), noise)


@pytest.mark.parametrize("name, lam, method", [("ring8", 25.0, "euler"), ("ring8", 25.0, "heun"),
                                               ("tutorial", 2.0, "euler"), ("tutorial", 25.0, "heun")])
def test_first_match_chance_reads_each_state_from_its_numbers(name, lam, method):
    """At other states the chance sentence for the exact flow against the VE follows the chart's rows: said
    only where both first match at different step counts and every pair of rows between lies within the
    noise by both measures."""
    df, noise, _ = _state(name, lam)
    text = flowpage.first_match_chance(df, noise, "exact flow", "VE PF-ODE", method)
    fa, fb = (flowpage.first_match(df, noise, k, method) for k in ("exact flow", "VE PF-ODE"))
    if fa is None or fb is None or int(fa["steps"]) == int(fb["steps"]):
        assert text == "", text
        return
    lo, hi = sorted((int(fa["steps"]), int(fb["steps"])))
    rows = df[(df["method"] == method) & df["steps"].between(lo, hi)].pivot(index="steps", columns="field")
    close = all(abs(rows["sw2"]["exact flow"] - rows["sw2"]["VE PF-ODE"]) <= noise["spread"]) and not any(
        flowpage.counts_differ(int(a), int(b)) for a, b in zip(rows["off"]["exact flow"], rows["off"]["VE PF-ODE"]))
    assert bool(text) == close, text
    if close:
        assert f"from {lo} to {hi} {flowpage.METHOD_NAMES[method]} steps" in text, text
