"""Sampler lab: the sentence on "the other" samplers at the largest budget leaves out every run tied with
the best as printed; the prior-gap paragraph says how the best noisy run stands at every budget, each in
exactly one group, split at the band's width by the values as printed; the narrowest mode's width names
each run's own grid and where it ends (ε for the samplers, 1/steps for the tutorial's loop)."""
import pandas as pd
import pytest

import diffusion_core as dc
from dashboard import reversal, samplers

V = samplers.value_text


def runs_at(values: dict, budget: int, metric: str = "logp_w1") -> pd.DataFrame:
    """One budget's runs {method: value} in the runs df's columns."""
    return pd.DataFrame({"method": list(values), "budget": budget, metric: list(values.values())})


def others_said(text: str) -> str:
    """The sentence on the other samplers at the budget, which ends the text ("" for none)."""
    return text[text.find(" Of the other "):] if " Of the other " in text else ""


SW2_BAND = (0.0649, 0.0594, 0.0704)          # tutorial, λ 25, sliced W₂: width 0.011, just above up to 0.0814
FAR = {"sde": 0.0858, "ode": 0.09, "tutorial": 0.095, "dpm2m_sde": 0.1, "karras": 0.107}


@pytest.mark.parametrize("tied, rest, says", [
    # tutorial, exact, λ 25, uniform in t, ε 1e-2: three samplers tie at 0.0752, the other 5 far above the band
    ({"dpm2m_sa": 0.07519, "unipc_sa": 0.0752, "unipc_sd": 0.07521}, FAR,
     " Of the other 5 at 100 evaluations, all 5 lie above the band by more than its width (0.0110), 0.0858 to "
     "0.107: those miss it."),
    # two tie, one more just above the band (not tied), two far above
    ({"dpm2m": 0.0751, "unipc": 0.07512}, {"sde": 0.078, "ode": 0.09, "karras": 0.107},
     " Of the other 3 at 100 evaluations, ode and karras lie above the band by more than its width (0.0110), 0.0900 "
     "to 0.107: those miss it; sde lies just above it too."),
    # no tie: one best, the others far above
    ({"dpm2m": 0.0751}, {"sde": 0.0858, "ode": 0.09},
     " Of the other 2 at 100 evaluations, sde and ode lie above the band by more than its width (0.0110), 0.0858 to "
     "0.0900: those miss it."),
])
def test_the_others_leave_out_every_run_tied_with_the_best_as_printed(tied, rest, says):
    """The page said "the best samplers (DPM++ 2M, noisy start, UniPC, noisy start and UniPC, shifted D) reach
    0.0752 … Of the other 7 at 100 evaluations, 5 of the other 7 … UniPC, noisy start and UniPC, shifted D lie
    just above it too": the tied runs were counted again among the others."""
    text = samplers.plateau_text(runs_at({**tied, **rest}, 100),
                                 SW2_BAND, "logp_w1", "uniform", 1e-2, str)
    assert f"the best sampler{'s' if len(tied) > 1 else ''} ({samplers._and(list(tied))})" in text, text
    assert others_said(text) == says, text
    assert not any(m in others_said(text) for m in tied), text


def test_the_others_leave_out_the_tied_runs_with_the_learned_score_too():
    """Learned score, best just above the band and within its width of the exact score's best: the tied runs
    are named once, in the head."""
    df = runs_at({"dpm2m_sa": 0.07519, "unipc_sa": 0.0752, **FAR}, 100)
    exact = runs_at({"dpm2m_sa": 0.074, "unipc_sa": 0.0745}, 100)
    text = samplers.plateau_text(df, SW2_BAND, "logp_w1", "uniform", 1e-2, str, exact)
    assert others_said(text).startswith(" Of the other 5 at 100 evaluations, all 5 lie above the band"), text
    assert "unipc_sa" not in others_said(text), text


def grid_plan(methods, budgets) -> pd.DataFrame:
    """The runs df's method, budget and steps for these samplers and budgets, without running them."""
    return pd.DataFrame([{"method": m, "budget": b, "steps": dc.steps_for_nfe(m, b)} for m in methods for b in budgets])


BUDGETS = [4, 5, 6, 8, 10, 15, 20, 30, 50, 100, 200, 500]


@pytest.mark.parametrize("preset, lam, t_eps", [("ring8", 2.0, 1e-2), ("tutorial", 25.0, 1e-2), ("tutorial", 2.0, 1e-3)])
def test_width_names_the_samplers_grid_end_eps_and_the_loops_own_end(preset, lam, t_eps):
    """ring8, exact, λ 2, uniform in t, ε 1e-2, budgets 4–500: the page said "there a uniform grid from t = 1
    to t = 0.002 puts 2 % of its steps", yet the samplers stop at ε = 0.01: 0.002 is the tutorial's loop's end,
    1/steps at 500. Each grid is now named with its own end and share."""
    gmm, df = dc.PRESETS[preset], grid_plan(dc.METHODS, BUDGETS)
    t_w = reversal.width_time(gmm, dc.VESDE(lam))[1]
    text = samplers.width_text(gmm, lam, df, "uniform", t_eps)
    loop = float(samplers.run_ends(df[df["method"] == "tutorial"], "uniform", t_eps).min())
    assert (f"the samplers' uniform grid from t = 1 to ε = {reversal.end_text(t_eps)} puts "
            f"{reversal.uniform_share(t_w, t_eps)} of its steps there") in text, text
    assert (f"the tutorial's loop, uniform in t, which at its most steps here stops at t = 1/steps = "
            f"{reversal.end_text(loop)}, puts {reversal.uniform_share(t_w, loop)} of its steps there.") in text, text
    assert "a uniform grid from t = 1 to t =" not in text, text


@pytest.mark.parametrize("grid", ["karras", "recommended"])
def test_width_gives_no_uniform_share_to_samplers_on_another_grid(grid):
    """On a Karras grid or each sampler's best grid the samplers' steps are not uniform in t: only their end
    ε is named (every ε the runs use), the share only for the loop's uniform grid."""
    df = grid_plan(dc.METHODS, BUDGETS)
    text = samplers.width_text(dc.PRESETS["ring8"], 2.0, df, grid, 1e-2)
    eps = sorted(set(samplers.run_ends(df[df["method"] != "tutorial"], grid, 1e-2)))
    at = " to ".join(dict.fromkeys(reversal.end_text(e) for e in (eps[0], eps[-1])))
    assert f"stop{'s' if grid == 'karras' else ''} at t = ε = {at};" in text, text
    assert text.count("% of its steps") == 1 and "the tutorial's loop, uniform in t" in text, text


GAP_BAND = (0.04, -0.0745, 0.1504)          # width 0.2249: printed limit high + width = 0.375


def test_printed_limit_is_not_past_the_width():
    """A value printed like the printed limit high + width (0.375) lies just above the band, not beyond its
    width (band_side's printed rule); one printed past it is beyond."""
    assert V(0.3754) == V(GAP_BAND[2] + samplers.band_width(GAP_BAND)) and 0.3754 > 0.1504 + 0.2249
    assert samplers.just_above(0.3754, GAP_BAND) and not samplers.beyond_width(0.3754, GAP_BAND)
    assert samplers.beyond_width(0.3756, GAP_BAND) and not samplers.just_above(0.3756, GAP_BAND)
    low = GAP_BAND[1] - samplers.band_width(GAP_BAND)
    assert samplers.just_below(low - 0.00004, GAP_BAND) and not samplers.just_below(low - 0.001, GAP_BAND)


@pytest.mark.parametrize("preset, noisy", [
    # unbalanced, λ 2, log-likelihood gap: 20 (0.387) was left out, 0.3754 at 5 (printed 0.375, the limit) was "beyond"
    ("unbalanced", {5: 0.3754, 8: 0.5, 20: 0.387, 50: 0.2, 100: 0.0}),
    # ring8, λ 2: 100, where the best noisy run lies below the band, was left out
    ("ring8", {5: 0.6, 8: 0.2, 20: 0.1, 100: -0.4}),
    # every budget paid: each still said once
    ("ring8", {5: 0.6, 8: 0.3, 20: 0.0}),
])
def test_washed_out_says_every_budget_once_split_as_printed(preset, noisy):
    """The page listed "at 4, 5 and 6 … (…; DPM++ 2M SDE, 0.374 at 5; …)" above the band by more than its width
    and "At 8, 10, 15, 50, 100, 200 and 500 … just above", skipping 20 and 30 (0.387, 0.411) where no noiseless
    run paid the gap. Every budget with a noisy run is now said in exactly one group."""
    quiet = {5: 1.4, 8: 1.2, 20: 0.45, 50: 0.9, 100: 0.8}
    df = pd.concat([runs_at({"ode": quiet[b], "sde": v}, b, "loglik_gap") for b, v in noisy.items()], ignore_index=True)
    text = samplers.prior_text(df, GAP_BAND, "loglik_gap", dc.PRESETS[preset], 2.0, "recommended", str)
    washed = text.split(" by more than the band's width, ")[1]
    for b, v in noisy.items():
        assert washed.count(f"sde, {V(v)} at {b}") == 1, (b, text)
    groups = {k: [b for b, _, _ in g] for k, g in samplers._by_side([(b, v, "") for b, v in noisy.items()],
                                                                      GAP_BAND).items()}
    if preset == "unbalanced":
        assert 5 in groups["edge"] and 20 in groups["above"], groups
    if groups["above"]:
        assert f"do not wash it out here at {samplers._and(groups['above'])} evaluations" in washed, text
    if groups["edge"]:
        assert f"At {samplers._and(groups['edge'])} evaluations the best of them lies just above" in washed, text
    if groups["below"]:
        assert f"At {samplers._and(groups['below'])} evaluations the best noisy run lies below" in washed, text
