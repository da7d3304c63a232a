"""Sampler lab: the plateau caption's "more evaluations" clause reads every budget's best, a value
printed like the noise band's edge is on the band (so inside it), and a budget that gives a sampler
the same steps as an earlier one shows an empty cell that the caption explains."""
import pandas as pd
import pytest

from dashboard import samplers
from test_page_states_lab import SAMPLERS, check_finite, state
from conftest import open_page

BUDGETS = [5, 8, 10, 20, 30, 50, 100]
CLIMB = [0.344, 0.332, 0.341, 0.365, 0.391, 0.406, 0.394]      # tutorial, exact, λ 2, 300 samples, sliced W₂
BAND = (0.18, 0.1484, 0.2110)                                  # width 0.0626


def plateau(values, band=BAND, metric="sliced_w2", grid="recommended"):
    """plateau_text for one sampler whose best per budget is `values` (at BUDGETS)."""
    df = pd.DataFrame({"method": "tutorial", "budget": BUDGETS, metric: values})
    return samplers.plateau_text(df, band, metric, grid, 1e-2, {"tutorial": "tutorial's loop"}.get)


def test_plateau_names_the_budget_whose_best_was_lowest():
    """The best was lowest at 8 (0.332) and 0.394 at 100 lies above it by less than the band's width:
    "more evaluations do not help", naming 8, not "barely help" against 50 alone."""
    text = plateau(CLIMB)
    assert "barely help" not in text, text
    assert text.endswith("still above the noise band (range 0.148–0.211); more evaluations do not help at these "
                         "settings: the best was lowest at 8 evaluations, 0.332, and the best at 100 (0.394) lies "
                         "above it by less than the band's width (0.0626)."), text


def test_plateau_other_states():
    """A falling best still says "barely help" against the last doubling; a fixed grid keeps its ε advice;
    the signed gap speaks of the truth's level; a climb beyond the band's width says "worse"."""
    falling = plateau([0.9, 0.8, 0.7, 0.6, 0.55, 0.5, 0.49])
    assert "barely help" in falling and "do not help" not in falling, falling
    fixed = plateau(CLIMB, grid="uniform")
    assert "the best was lowest at 8 evaluations, 0.332" in fixed and "end time ε = 0.01" in fixed, fixed
    gap = plateau([-0.3, 0.25, -0.31, 0.4, 0.3, -0.28, 0.27], band=(0.0, -0.03, 0.03), metric="loglik_gap")
    assert ("the best was closest to the truth's level at 8 evaluations, 0.250, and the best at 100 (0.270) lies "
            "farther from it by less than the band's width (0.0600)") in gap, gap
    worse = plateau([0.344, 0.2, 0.341, 0.365, 0.391, 0.406, 0.394])
    assert "more evaluations make the best worse here: 0.200 at 8" in worse and "do not help" not in worse, worse


@pytest.mark.parametrize("v, side", [(0.1012, "inside"), (0.101, "inside"), (0.1016, "above"),
                                     (-0.04491, "inside"), (-0.0452, "below"), (0.05, "inside")])
def test_band_side_reads_the_printed_edges(v, side):
    """λ 25, 200 samples, log-likelihood gap, band printed "-0.0449–0.101": a value printed 0.101 is on
    the top edge, so inside (never "just above"); 0.102 is above, -0.0452 below."""
    band = (0.028, -0.04486, 0.10104)
    assert samplers.band_side(v, band, "loglik_gap") == side
    assert samplers.just_above(v, band) == (side == "above")
    assert samplers.just_below(v, band) == (side == "below")


def test_winners_count_a_value_on_the_edge_inside():
    """Best sampler per budget: 0.101 on the band's top edge is inside at 6, and counted so."""
    band = (0.028, -0.04486, 0.10104)
    df = pd.DataFrame({"method": ["sde", "ode"] * 2, "budget": [6, 6, 100, 100],
                       "loglik_gap": [0.1012, 0.3, 0.0, 0.2]})
    text = samplers.winners_text(df, band, "loglik_gap", str)
    assert "just above" not in text and "From 6 evaluations the best is inside" in text, text
    assert samplers._inside_count(df["loglik_gap"], band, "loglik_gap") == 2


def test_budget_table_empty_cell_where_a_budget_repeats_a_run():
    """PF ODE (Heun) takes 2 steps (5 evaluations) at budgets 5 and 6: one run, shown at 5; the cell at
    6 is empty text (not "None") and the caption says why; a sampler with a run everywhere has no note."""
    df = pd.DataFrame({"method": ["ode"] * 3 + ["sde"] * 4, "budget": [4, 5, 8, 4, 5, 6, 8],
                       "nfe": [3, 5, 7, 4, 5, 6, 8], "sliced_w2": [0.5, 0.4, 0.3, 0.6, 0.5, 0.45, 0.35]})
    label = {"ode": "PF ODE (Heun)", "sde": "reverse SDE"}.get
    table, counts = samplers.budget_table(df, "sliced_w2", label, ["sde", "ode"])
    assert samplers.shared_runs(table, counts) == [(2, "PF ODE (Heun)", 5, 5)]
    shown = samplers.shown_table(table)
    assert shown.at[2, "PF ODE (Heun)"] == "" and samplers.shown_cell(shown.at[2, "PF ODE (Heun)"]) == ""
    assert all(isinstance(v, str) for v in shown["PF ODE (Heun)"])          # one type per column: it serializes
    assert samplers.shown_cell(shown.at[1, "PF ODE (Heun)"]) == "0.400" and shown["reverse SDE"].dtype == float
    note = samplers.counts_text(table, counts)
    assert ("PF ODE (Heun) has no run of its own at budget 6, so its cell is empty: that budget gives it the same "
            "steps as budget 5 (5 evaluations), and its one run for both is shown at 5.") in note, note
    only_sde = samplers.counts_text(table[["NFE", "reverse SDE"]], counts[["NFE", "reverse SDE"]])
    assert "no run of its own" not in only_sde, only_sde


@pytest.mark.parametrize("mixture", ["tutorial", "ring8"])
def test_sampler_lab_budget_six_shows_no_none(mixture):
    """On the page with budgets 5, 6 and 8: no cell reads "None"; the caption explains PF ODE (Heun)'s
    budget 6."""
    at = open_page(SAMPLERS, 600, **state(mixture, w_samplers_n=200, w_samplers_nfe=[5, 6, 8],
                                          w_samplers_methods=["sde", "ode"]))
    check_finite(at)
    table = at.dataframe[0].value
    cells = table.data if hasattr(table, "data") else table
    assert not cells.isna().any().any(), cells
    caption = next(c.value for c in at.caption if c.value.startswith("Rows:"))
    assert "PF ODE (Heun) has no run of its own at budget 6" in caption, caption


def tied_runs(values: dict, budget: int, metric: str = "logp_w1"):
    """One budget's runs {method: value}, with d = _distance, as prior_text reads them."""
    runs = pd.DataFrame({"method": list(values), "budget": budget, metric: list(values.values())})
    return runs.assign(d=runs[metric])


def test_prior_kept_names_every_noisy_run_tied_as_printed():
    """tutorial, exact, λ 25, uniform in t: UniPC, noisy start and UniPC, shifted D both print 0.102 at 100:
    the blue box names both; a lone best keeps "the best noisy run … lies"."""
    from dashboard import vocabulary
    band = (0.08, 0.05, 0.11)
    runs = tied_runs({"unipc": 0.1021, "unipc_shift": 0.1019, "ode": 0.3, "dpm2m": 0.2}, 100)
    kept, noisy = samplers.prior_kept(runs, ["dpm2m"], band, "logp_w1", 25.0, "uniform")
    words = samplers.prior_kept_words(band, noisy, "logp_w1", vocabulary.short, True)
    assert kept == ["dpm2m"] and ("the best noisy runs from the same starting noise tie inside it at 100 "
                                  "(UniPC, noisy start and UniPC, shifted D 0.102)") in words, words
    alone = runs.assign(logp_w1=[0.1021, 0.09, 0.3, 0.2])
    kept, noisy = samplers.prior_kept(alone, ["dpm2m"], band, "logp_w1", 25.0, "uniform")
    words = samplers.prior_kept_words(band, noisy, "logp_w1", vocabulary.short, True)
    assert "the best noisy run from the same starting noise lies inside it at 100 (UniPC, shifted D 0.0900)" in words


def test_washed_text_names_every_noisy_run_tied_as_printed():
    """ring8, exact, λ 2, 200 samples: UniPC, noisy start and UniPC, shifted D tie at 0.0593 at 6 (below the
    band) and 0.114 at 15 (inside it): the prior's-gap paragraph names both each time."""
    import diffusion_core as dc
    from dashboard import vocabulary
    band, sde = (0.09, 0.07, 0.12), dc.VESDE(2.0)
    best_noisy, best_quiet = {}, {}
    for b, values in ((6, {"unipc": 0.0593, "unipc_shift": 0.0593}), (15, {"unipc": 0.1141, "unipc_shift": 0.1139}),
                      (30, {"sde": 0.2, "unipc": 0.5})):
        at = tied_runs({**values, "ode": 0.5}, b)
        best_noisy[b], best_quiet[b], _ = samplers.best_by_kind(at, sde, "recommended", "logp_w1", band)
    dist = pd.concat([tied_runs({"ode": 0.5}, b) for b in best_noisy])
    text = samplers.washed_text(dist, band, "logp_w1", best_noisy, [6, 15, 30], vocabulary.short, best_quiet)
    assert "(UniPC, noisy start and UniPC, shifted D, 0.114 at 15)" in text, text
    assert "(UniPC, noisy start and UniPC, shifted D, 0.0593 at 6)" in text, text
    assert "(reverse SDE, 0.200 at 30)" in text, text                   # a lone best: its own name
