"""The Sampler lab's sentences on where the narrowest mode's width shows (against the time where the
runs actually stop) and on ranks and best runs (read off the values as the table prints them, ties
named together), in several states: custom narrow mixture, presets, λ, ε, time grid, measures."""
import pandas as pd
import pytest

import diffusion_core as dc
from dashboard import reversal, samplers, vocabulary
from dashboard.models import value_text
from conftest import heavy_corner_mixture


def plan(methods, budgets) -> pd.DataFrame:
    """The runs' frame the page's race makes (method, budget, steps), without sampling."""
    return pd.DataFrame([{"method": m, "budget": b, "steps": dc.steps_for_nfe(m, b)} for m in methods for b in budgets])


@pytest.mark.parametrize("grid, t_eps, lam", [("recommended", 1e-3, 25.0), ("uniform", 1e-3, 25.0),
                                              ("karras", 1e-2, 2.0), ("recommended", 1e-3, 2.0)])
def test_narrow_width_is_never_given_a_share_of_steps_no_run_takes(grid, t_eps, lam):
    """Custom mixture with a mode of std 0.01, budgets 5–100: the page said a uniform grid puts 0.01 %
    of its steps below t = 0.0001, yet every run stops at ε ≥ 0.0001 (the loop at 1/steps): no step
    reaches there. It now says so, with σ where the runs stop above the mode's std, and that the
    final denoising step must resolve it."""
    gmm, df = heavy_corner_mixture(), plan(dc.METHODS, [5, 10, 20, 50, 100])
    text = samplers.width_text(gmm, lam, df, grid, t_eps)
    t_w = reversal.width_time(gmm, dc.VESDE(lam))[1]
    assert float(samplers.run_ends(df, grid, t_eps).min()) >= t_w
    assert "no run's steps reach it" in text and "% of its steps" not in text, text
    assert "final denoising step" in text and "the tutorial's loop takes none" in text, text
    if grid != "recommended":
        assert f"the samplers at t = ε = {t_eps:g}" in text, text


def test_narrow_width_from_the_loop_alone_and_where_steps_do_reach():
    """The tutorial's loop alone takes no denoising step: its samples keep that noise. With ε = 1e-5 the
    samplers do step below t_w: the share is that of a uniform grid from 1 to ε (t_w − ε)/(1 − ε); on
    the tutorial and ring8 presets the width shows early and the share is counted the same way."""
    gmm = heavy_corner_mixture()
    loop = samplers.width_text(gmm, 25.0, plan(["tutorial"], [5, 100]), "uniform", 1e-3)
    assert "no run's steps reach it" in loop and "keep that noise" in loop and "denoising step, from" not in loop
    low = samplers.width_text(gmm, 25.0, plan(["ode", "sde"], [10, 50]), "uniform", 1e-5)
    t_w = reversal.width_time(gmm, dc.VESDE(25.0))[1]
    assert f"from t = 1 to ε = 0.00001 puts {100 * (t_w - 1e-5) / (1 - 1e-5):.2g} % of its steps" in low, low
    for name, grid in (("tutorial", "uniform"), ("ring8", "recommended")):
        df = plan(dc.METHODS, [5, 100])
        text = samplers.width_text(dc.PRESETS[name], 25.0, df, grid, 1e-3)
        t_w = reversal.width_time(dc.PRESETS[name], dc.VESDE(25.0))[1]
        loop = float(samplers.run_ends(df[df["method"] == "tutorial"], grid, 1e-3).min())
        assert (f"which at its most steps here stops at t = 1/steps = {reversal.end_text(loop)}, puts "
                f"{reversal.uniform_share(t_w, loop)} of its steps" in text), text


def table(values: dict, budget: int, nfe: int, metric: str = "logp_w1") -> pd.DataFrame:
    """One budget's runs with these values."""
    return pd.DataFrame({"method": list(values), "budget": budget, "nfe": nfe, metric: list(values.values())})


UNBALANCED_500 = {"sde": 0.2, "ode": 0.53012, "pc": 0.25, "tutorial": 0.9, "dpm2m": 0.52981, "dpm2m_sa": 0.5304}


def test_ranks_and_best_runs_tie_as_printed():
    """unbalanced, λ 2, budget 500: PF ODE, DPM++ 2M and a third run all print 0.530; the page called
    PF ODE last of them and one of them "the best noiseless run". Ties as printed share the ranks, are
    named together, and the best sampler per budget lists every run printed at the best value."""
    label = vocabulary.short
    df = pd.concat([table({"sde": 0.5, "ode": 3.0, "dpm2m": 1.0}, 4, 3), table(UNBALANCED_500, 500, 499)])
    text = samplers.order_text(df, "logp_w1", label, (0.1, 0.08, 0.12))
    assert ("ranks 3 of 3 at 3 evaluations (budget 4) and 3–5 of 6 at 499 evaluations (budget 500; tied as printed "
            f"with {label('dpm2m')} and {label('dpm2m_sa')})") in text, text
    at = table(UNBALANCED_500, 500, 499)
    quiet = at[at["method"].isin(["ode", "dpm2m", "dpm2m_sa"])]
    assert samplers.tied_names(quiet, "logp_w1", (0.1, 0.08, 0.12), label) == [label(m) for m in ("ode", "dpm2m", "dpm2m_sa")]
    one = table({"sde": 0.2, "ode": 0.6, "dpm2m": 0.5}, 500, 499)
    assert "ranks 3 of 3 at 499 evaluations (budget 500)," in samplers.order_text(one, "logp_w1", label, (0.1, 0.08, 0.12))
    win = samplers.winners_text(table({"ode": 0.11312, "dpm2m": 0.1134, "sde": 0.2}, 50, 50, "sliced_w2"),
                                (0.05, 0.04, 0.06), "sliced_w2", label)
    assert f"50: {label('ode')} and {label('dpm2m')} (0.113)" in win, win


def test_best_noiseless_runs_tie_in_the_prior_gap_words():
    """best_by_kind carries the runs of each kind tied as printed; the largest budget's sentence says
    "the best noiseless runs, A, B and C, tie at 0.530" rather than naming one of them, and one best
    run is still named alone; the signed log-likelihood gap ranks by its distance to the truth's level."""
    sde, label, band = dc.VESDE(2.0), vocabulary.short, (0.1, 0.08, 0.12)
    at = table(UNBALANCED_500, 500, 499).assign(d=lambda f: f["logp_w1"])
    noisy, quiet, _ = samplers.best_by_kind(at, sde, "recommended", "logp_w1", band)
    words = samplers.top_gap_text({500: noisy}, {500: quiet}, band, "logp_w1", label)
    tied = [m for m in ("ode", "dpm2m", "dpm2m_sa") if m in quiet["tied"]]
    assert len(tied) == 3 and f"the best noiseless runs, {vocabulary.and_list([label(m) for m in tied])}, tie at 0.530" in words
    assert f"the best noisy one, {label(noisy['method'])}, at {value_text(noisy['logp_w1'])}" in words, words
    gap = table({"sde": -0.0512, "ode": 0.0508, "dpm2m": 0.2}, 20, 20, "loglik_gap")
    rank = samplers.order_text(gap, "loglik_gap", label, (0.0, -0.01, 0.01))
    assert ("ranks 1–2 of 3 at 20 evaluations (not told apart from 1 other run within the band's width, 0.0200, of it"
            in rank), rank
