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


def _network_rows(df: pd.DataFrame, field: str, offs: dict, sw2: float = 0.3) -> pd.DataFrame:
    """df with Heun rows for a network's flow `field`: offs maps steps to its count off every mode."""
    steps = sorted(df["steps"].unique())
    rows = [{"field": field, "method": "heun", "steps": s, "nfe": 2 * s, "sw2": sw2 if s > steps[0] else 2.0,
             "off": offs.get(s, offs[max(offs)])} for s in steps]
    return pd.concat([df, pd.DataFrame(rows)], ignore_index=True)


def _both_rows(df: pd.DataFrame, field: str, few: int, heun: int, euler: int, sw2: float = 0.3) -> pd.DataFrame:
    """df with Heun and Euler rows for a network's flow `field`: `few` off every mode at the fewest steps of
    both integrators, `heun` and `euler` at every larger step count."""
    steps = sorted(df["steps"].unique())
    rows = [{"field": field, "method": m, "steps": s, "nfe": s * (2 if m == "heun" else 1),
             "sw2": sw2 if s > steps[0] else 2.0, "off": few if s == steps[0] else off}
            for m, off in (("heun", heun), ("euler", euler)) for s in steps]
    return pd.concat([df, pd.DataFrame(rows)], ignore_index=True)


@pytest.mark.parametrize("name, lam", [("ring8", 50.0), ("tutorial", 25.0), ("custom", 50.0)])
def test_straightest_concludes_wrong_end_points_only_for_straight_paths_worse_than_their_reference(name, lam):
    """Custom mixture, λ = 50, rectify on: "the rectified flow, the straightest (0.999), puts 862 of 1000 samples
    off every mode at 2 Heun steps …, against … the learned flow 942 …: about as many as the learned flow, the
    flow it is trained from", at the one budget where every field fails, while at 32 Heun steps it puts 406 to
    the learned flow's 210 and at 32 Euler steps 342 to 172 (beyond two counts' noise). The straightest network's
    flow is now compared with the flow it is trained from at the most steps drawn, with both integrators, and
    "straight paths to the wrong end points" is said only where its paths are straight (≥ STRAIGHT_PATHS) and it
    puts more there than that flow with both, beyond two counts' noise (ring8 λ = 50, learned flow 0.942: curved
    paths, no such conclusion). Here on the page's own exact-flow and VE rows, with rows for the networks."""
    story, df, noise = _exact_state(name, lam)
    errors = {"exact flow": 0.001, "VE PF-ODE": 0.001, "learned flow": 0.001, "rectified flow": 0.001}
    base = {"exact flow": story["flow"], "VE PF-ODE": story["ve"]}
    straight = {**base, "learned flow": 0.95, "rectified flow": 0.999}
    # the case above: about as many at the fewest steps, more at the most with both integrators
    rows = _both_rows(_both_rows(df, "learned flow", 942, 210, 172), "rectified flow", 862, 406, 342)
    text = flowpage.straight_cost_sentence(rows, noise, straight, errors, 0.9)
    assert ("And the rectified flow, the straightest (0.999), at the most steps drawn, where integration error is "
            "smallest, puts 406 of 1000 samples off every mode at 32 Heun steps (64 evaluations) against the learned "
            "flow's 210, the flow it is trained from (196 apart, beyond two counts' noise, 2√(406 + 210) = 49.6), "
            "and 342 at 32 Euler steps (32 evaluations) against 172 (170 apart") in text, text
    assert ("Straight paths to the wrong end points at the most steps drawn: with both integrators it puts more "
            "than the learned flow, beyond two counts' noise") in text and "862" not in text and "about as many" not in text, text
    # the integrators disagree: no conclusion, each said
    rows = _both_rows(_both_rows(df, "learned flow", 942, 210, 330), "rectified flow", 862, 406, 342)
    text = flowpage.straight_cost_sentence(rows, noise, straight, errors, 0.9)
    assert "wrong end points" not in text and ("The integrators disagree: with Heun it puts more than the learned "
                                               "flow, with Euler it puts about as many as the learned flow") in text
    # worse at the most steps, but curved paths: the counts, no conclusion
    curved = {**base, "learned flow": max(base.values()) + 0.01}
    if curved["learned flow"] < flowpage.STRAIGHT_PATHS:
        rows = _both_rows(df, "learned flow", 900, 300, 300)
        text = flowpage.straight_cost_sentence(rows, noise, curved, errors, 0.9)
        assert "wrong end points" not in text and "With both integrators it puts more than the exact flow" in text
        assert f"its paths are not straight lines (straightness {curved['learned flow']:.3f}, below 0.99)" in text
    # straight and no worse than the flow it is trained from at the most steps: the counts only
    rows = _both_rows(_both_rows(df, "learned flow", 20, 300, 300), "rectified flow", 900, 310, 290)
    text = flowpage.straight_cost_sentence(rows, noise, straight, errors, 0.9)
    assert "wrong end points" not in text and "about as many as the learned flow" in text, text
    assert "and its paths are straight lines;" in text, text
    # no more off every mode than true samples at the most steps: nothing said
    rows = _both_rows(_both_rows(df, "learned flow", 20, 0, 0), "rectified flow", 900, 0, 0)
    assert "the straightest" not in flowpage.straight_cost_sentence(rows, noise, straight, errors, 0.9)


@pytest.mark.parametrize("name, lam", [("tutorial", 2.0), ("cross", 2.0), ("tutorial", 25.0), ("moons", 50.0),
                                       ("ring8", 50.0)])
def test_ve_step_sentence_names_the_start_where_steps_change_nothing(name, lam):
    """Tutorial, λ = 2: "[the VE ODE] needs a careful time grid; here its samples match true ones … at no
    step count drawn … the VE paths are straighter (0.949 against 0.772) yet do not match … what matters is
    where they bend", while its Heun sliced W₂ is 0.713 at 4 evaluations and 0.712 at 64 and its start is 0.70
    times as wide as p₁. Where the VE's score is flat within the spread of true sets' scores and its start
    is far from p₁, both sentences now name the start, with the numbers; at λ = 25 / 50, where the VE
    improves with steps, they read as before."""
    story, df, noise = _exact_state(name, lam)
    grid = flowpage.ve_grid_sentence(df, noise, story)
    straight = {"exact flow": story["flow"], "VE PF-ODE": story["ve"]}
    errors = flowpage.straightness_errors(_mixture(name), lam, 200, 100, SEED)
    cost = flowpage.straight_cost_sentence(df, noise, straight, errors, story["ve_glide"], story)
    ve = df[(df["method"] == "heun") & (df["field"] == "VE PF-ODE")].sort_values("steps")["sw2"]
    flat = ve.max() - ve.min() <= noise["spread"]
    far = story["sigma1"] / story["p1_spread"] < 1 - flowpage.VE_MISS
    if lam == 2.0:
        assert flat and far, (ve.tolist(), story["sigma1"], story["p1_spread"])
        assert "careful time grid" not in grid and "what matters is where they bend" not in cost, (grid, cost)
        assert (f"sliced W₂ between {ve.min():.3f} and {ve.max():.3f} at every Heun step count drawn, within the "
                f"spread of true sets' scores ({noise['spread']:.3f})") in grid, grid
        assert (f"comes from its start, not its time grid: N(0, σ₁²I) with σ₁ = {story['sigma1']:.2f} is only "
                f"{story['sigma1'] / story['p1_spread']:.2f} times as wide as its p₁") in grid, grid
        assert f"what decides is where they start (σ₁ = {story['sigma1']:.2f}, above), not how they bend." in cost
    else:
        assert not far and grid.endswith(f"so it needs a careful time grid; {flowpage.ve_steps_phrase(df, noise)}.")
        assert "what decides is where they start" not in cost
    if name == "tutorial" and lam == 2.0:
        assert "sliced W₂ between 0.712 and 0.713 at every Heun step count drawn" in grid, grid
        assert "only 0.70 times as wide" in grid, grid


@pytest.mark.parametrize("name, lam", [("custom", 25.0), ("custom", 50.0), ("tutorial", 25.0), ("ring8", 50.0)])
def test_network_below_the_exact_flow_is_compared_at_the_same_steps_against_true_samples(name, lam):
    """Custom mixture, λ = 25 / 50, rectify on: "The rectified flow scores below the exact flow here: what it
    is compared with is the exact flow's own 2-step error (1.256), not the data", while the chart's sliced W₂
    is against true samples. The sentence now says both are scored against the same true samples, and
    what the network beats is the exact flow's own error at as many steps."""
    _, df, noise = _exact_state(name, lam)
    exact = float(df[(df["method"] == "heun") & (df["field"] == "exact flow") & (df["steps"] == 2)]["sw2"].iloc[0])
    rows = _network_rows(_network_rows(df, "learned flow", {2: 0}, 0.05), "rectified flow", {2: 0}, 0.05)
    low = exact - noise["spread"] - 0.01
    rows.loc[(rows["field"] == "rectified flow") & (rows["steps"] == 2), "sw2"] = low
    text = flowpage.quality_sentence(rows, noise, 2)
    if low > 0:
        assert "not the data" not in text, text
        assert ("The rectified flow scores below the exact flow here, both scored against the same true samples: "
                "at 2 Heun steps it is compared with the exact flow integrated in as many steps, so what it beats "
                f"is the exact flow's own 2-step error ({exact:.3f}), not the exact field itself") in text, text
    if (name, lam) == ("custom", 25.0):
        assert "the exact flow's own 2-step error (1.256)" in text, text


@pytest.mark.parametrize("name, lam", [("moons", 2.0), ("cross", 2.0), ("tutorial", 2.0), ("ring8", 2.0)])
def test_ve_step_sentence_says_more_steps_change_nothing_only_where_both_measures_are_flat(name, lam):
    """Moons, λ = 2: "here its samples match true ones at no step count drawn, and more steps change nothing:
    sliced W₂ 0.432 at 4 evaluations and 0.450 at 64", while the chart puts 273 of 1000 VE samples off every
    mode at 2 Heun steps and 1 at 32 (cross: 26, then 0). "More steps change nothing" is now said only where
    the count off every mode is flat too (within two counts' noise); where it falls, the sentence says so with
    both measures, and that the miss that remains comes from its start."""
    story, df, noise = _exact_state(name, lam)
    grid = flowpage.ve_grid_sentence(df, noise, story)
    ve = df[(df["method"] == "heun") & (df["field"] == "VE PF-ODE")].sort_values("steps")
    a, b = int(ve["off"].iloc[0]), int(ve["off"].iloc[-1])
    if not flowpage.ve_start_cause(df, noise, story):
        assert "change nothing" not in grid and "comes from its start" not in grid, grid
        return
    moved = flowpage.counts_differ(a, b)
    assert ("with Heun, its samples match true ones at no step count drawn, and more steps change nothing"
            in grid) == (not moved), grid
    counts = (f"{a} of 1000 off every mode at 2 Heun steps (4 evaluations) and {b} at 32 Heun steps (64 evaluations), "
              f"{flowpage.count_gap(a, b)}")
    assert counts in grid, grid
    if moved and ve["sw2"].max() - ve["sw2"].min() <= noise["spread"]:
        assert (f"with Heun, its samples match true ones at no step count drawn, but more steps change the count off "
                f"every mode: {counts} (a set of true samples: up to {noise['off']}); sliced W₂ between "
                f"{ve['sw2'].min():.3f} and {ve['sw2'].max():.3f} at every Heun step count drawn") in grid, grid
    elif moved:
        assert "but more steps change the count off every mode and sliced W₂" in grid, grid
        assert "its Heun curve is flat" in grid and "so more steps no longer help" in grid, grid
        assert "The miss that remains at the most steps comes from its start, not its time grid" in grid, grid
    if name == "moons":
        assert ("273 of 1000 off every mode at 2 Heun steps (4 evaluations) and 1 at 32 Heun steps" in grid
                and "with Heun, its samples match true ones at no step count drawn, and" not in grid), grid


@pytest.mark.parametrize("name, lam", [("tutorial", 2.0), ("cross", 2.0), ("moons", 2.0)])
def test_ve_start_named_off_centre_where_its_cloud_is_shifted_beyond_the_noise(name, lam):
    """Tutorial, λ = 2: "The miss comes from its start, not its time grid: N(0, σ₁²I) with σ₁ = 1.47 is only 0.70
    times as wide as its p₁", while the page says p₁ is centred at the data's mean (1.00, 0.00) and the VE cloud's
    centre lies 0.50 s from the exact flow's, beyond the 0.26 s of two sets of true samples. The start is now
    named off centre too, with the centres' distance against its noise, where the shift lies beyond it."""
    story, df, noise = _exact_state(name, lam)
    grid = flowpage.ve_grid_sentence(df, noise, story)
    assert "comes from its start" in grid, grid
    shifted = flowpage.shift_beyond(story)
    assert (f"centred at (0, 0), not at the data's mean {flowpage.mean_words(story)}, where p₁ is centred" in grid) \
        == shifted, grid
    near = "more than" if shifted else "within"
    assert (f"its centre lies {story['ve_shift']:.2f} s from the exact flow's (s = {story['spread']:.2f}), {near} "
            f"the up to {story['ends_shift']:.2f} s") in grid, grid
    if name == "tutorial":
        assert shifted and "not at the data's mean (1.00, 0.00)" in grid and "0.50 s from the exact flow's" in grid
