"""Sampler lab: the noiseless runs are judged only against a noisy run the measure vouches for (a distance's
run below the noise band, better than true samples, counts at the band's bottom edge), and the gap is said in the measure's own values, never as a ratio to a distance
smaller than the band's width: the blue box's prior_kept(_words) and the prior-gap paragraph's prior_text,
on made-up runs with chosen values in several states (presets, λ, grids, measures)."""
import pandas as pd
import pytest

import diffusion_core as dc
from dashboard import samplers

W1_BAND = (0.08, 0.05, 0.11)                # width 0.06: just above up to 0.17
GAP_BAND = (0.0, -0.1, 0.1)                 # signed log-likelihood gap, width 0.2


def runs_at(values: dict, budget: int, metric: str = "logp_w1") -> pd.DataFrame:
    """One budget's runs {method: value} in the runs df's columns."""
    return pd.DataFrame({"method": list(values), "budget": budget, metric: list(values.values())})


@pytest.mark.parametrize("lam, grid", [(25.0, "uniform"), (25.0, "recommended"), (2.0, "recommended")])
def test_blue_box_never_takes_a_noisy_run_below_the_band_as_what_the_noisy_ones_reach(lam, grid):
    """tutorial, λ 25, uniform in t: the box said the best noisy run "lies below it at 100 (…), more than the
    band's width below them: the noiseless runs miss what the noisy ones reach", of a run the same box says
    cannot be vouched for. The best noisy run counts as it is inside the band, at the band's bottom edge
    below it, said so."""
    runs = runs_at({"sde": 0.09, "ode": 0.3, "dpm2m": 0.17}, 100)
    kept, noisy = samplers.prior_kept(runs, ["dpm2m"], W1_BAND, "logp_w1", lam, grid)
    words = samplers.prior_kept_words(W1_BAND, noisy, "logp_w1", str, False)
    assert kept == ["dpm2m"] and noisy["method"] == "sde", (kept, words)
    assert ("the best noisy run from the same starting noise lies inside it at 100 (sde 0.0900), more than the "
            "band's width below them: the noiseless runs miss what the noisy ones reach") in words, words
    assert "below it at" not in words and "0.0200" not in words, words
    alone = runs_at({"pc": 0.02, "ode": 0.3, "dpm2m": 0.17}, 100)         # the only noisy run is below the band
    kept, noisy = samplers.prior_kept(alone, ["dpm2m"], W1_BAND, "logp_w1", lam, grid)
    words = samplers.prior_kept_words(W1_BAND, noisy, "logp_w1", str, False)
    assert kept == ["dpm2m"] and noisy["d"] == W1_BAND[1], (kept, noisy)
    assert ("lies below it at 100 (pc 0.0200, below the band, counted at its edge 0.0500), more than the "
            "band's width below them") in words, words
    near = runs_at({"pc": 0.02, "ode": 0.3, "dpm2m": 0.1}, 100)          # within the width of the edge: nothing
    assert samplers.prior_kept(near, ["dpm2m"], W1_BAND, "logp_w1", lam, grid) == ([], None)


def paragraph(values: dict, metric: str, band: tuple, preset: str = "ring8", lam: float = 2.0) -> str:
    """prior_text of made-up runs {budget: {method: value}} at the recommended grid."""
    df = pd.concat([runs_at(v, b, metric) for b, v in values.items()], ignore_index=True)
    return samplers.prior_text(df, band, metric, dc.PRESETS[preset], lam, "recommended", str)


@pytest.mark.parametrize("preset, metric, band", [("ring8", "loglik_gap", GAP_BAND), ("ring8", "logp_w1", W1_BAND),
                                                  ("unbalanced", "loglik_gap", GAP_BAND)])
def test_prior_gap_says_the_gap_in_values_against_a_run_inside_the_band(preset, metric, band):
    """ring8, λ 2, log-likelihood gap: "PF ODE (Heun) (8–279× at …)", ratios to a best noisy distance of 0.0048,
    2 % of the band's width. A noiseless run is named where it lies above the band and farther than the best
    noisy run inside it by more than the band's width, with both values; a gap within the width is not named."""
    lo, hi = band[1], band[2]
    ref = (lo + hi) / 2 + 0.0048                 # inside the band, far nearer its centre than its width
    far, near = hi + 3 * (hi - lo), hi + 0.001   # above the band beyond its width / just above it
    text = paragraph({4: {"ode": far, "sde": ref, "dpm2m": near}, 8: {"ode": far, "sde": ref, "dpm2m": ref}},
                     metric, band, preset)
    v = samplers.value_text
    assert "×" not in text.split("Here the noiseless runs")[1].split(". By ")[0], text
    assert (f"end farther from a perfect sampler than the best noisy run at the same budget by more than "
            f"the band's width, {v(hi - lo)}: *ode* at 4 and 8 evaluations (at 8, {v(far)} against the noisy run's {v(ref)}).") in text, text
    assert "*dpm2m*" not in text, text


def test_prior_gap_counts_a_noisy_run_below_the_band_at_its_edge():
    """Where the only noisy run lies below the band (W₁ of log p₀), it counts at the band's bottom edge, said
    so with its own value; a best noisy run inside the band or above it counts as it is; the signed gap's runs below the band count as they are (far from the level)."""
    text = paragraph({100: {"ode": 0.5, "pc": 0.02}}, "logp_w1", W1_BAND)
    assert ("(one below the noise band (range 0.0500–0.110), which the measure cannot vouch for, counted at its "
            "bottom edge)") in text, text
    assert "*ode* at 100 evaluations (at 100, 0.500 against the noisy run's 0.0200, below the band, counted at its edge 0.0500)" in text, text
    text = paragraph({100: {"ode": 0.5, "sde": 0.1}}, "logp_w1", W1_BAND)
    assert "*ode* at 100 evaluations (at 100, 0.500 against the noisy run's 0.100)" in text and "counted at" not in text, text
    text = paragraph({100: {"ode": 0.5, "sde": 0.2}}, "logp_w1", W1_BAND)
    assert "*ode* at 100 evaluations (at 100, 0.500 against the noisy run's 0.200)" in text, text
    text = paragraph({100: {"ode": 0.5, "sde": -0.15}}, "loglik_gap", GAP_BAND)
    assert "*ode* at 100 evaluations (at 100, 0.500 against the noisy run's -0.150)" in text and "counted at" not in text, text


def test_largest_budget_reads_a_noisy_run_below_the_band_at_its_edge():
    """top_gap_text on reference_run's row: a best noisy run below the band at the largest budget counts at
    the band's bottom edge, said so; the gap beyond the band's width from there still does not close."""
    runs = runs_at({"ode": 0.5, "pc": 0.02}, 100).assign(d=lambda d: d["logp_w1"])
    n = samplers.reference_run(runs, dc.VESDE(2.0), "recommended", "logp_w1", W1_BAND)
    q = runs.iloc[0]
    text = samplers.top_gap_text({100: n}, {100: q}, W1_BAND, "logp_w1", str)
    assert "does not close" in text and "0.0200, below the band, counted at its edge 0.0500" in text, text
    near = runs_at({"ode": 0.1, "pc": 0.02}, 100).assign(d=lambda d: d["logp_w1"])
    n = samplers.reference_run(near, dc.VESDE(2.0), "recommended", "logp_w1", W1_BAND)
    text = samplers.top_gap_text({100: n}, {100: near.iloc[0]}, W1_BAND, "logp_w1", str)
    assert "gap has closed" in text, text
