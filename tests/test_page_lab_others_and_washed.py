"""Sampler lab: the sentences that call runs just above the noise band "not evidence" of a miss name those
runs only and say, from the same table, how the other samplers at that budget stand (inside the band, above
it by more than its width); the prior-gap paragraph says the noisy runs wash the gap out only by the
measure in use, by name, checked against the other measures of the same runs."""

import pandas as pd
import pytest

from dashboard import samplers

EIGHT = ["sde", "ode", "dpm2m", "dpm2m_sa", "dpm2m_sde", "unipc", "tutorial", "karras"]


def runs_at(budget: int, values: dict, **other) -> pd.DataFrame:
    """Made-up runs at one budget: method, budget, W₁ of log p₀ (values) and any other measure (other[m]: {method: v})."""
    df = pd.DataFrame({"method": list(values), "budget": budget, "logp_w1": list(values.values())})
    for m, vals in other.items():
        df[m] = [vals[k] for k in values]
    return df


def others_said(text: str) -> str:
    """The sentence on the other samplers at the budget, which ends the text ("" for none)."""
    return text[text.find(" Of the other "):] if " Of the other " in text else ""


@pytest.mark.parametrize("values, says", [
    # custom mixture, λ 25, 200 samples: one sampler just above the band, the other 7 far above it
    (dict(zip(EIGHT, [2.35, 2.35, 2.45, 2.72, 0.204, 7.00, 7.03, 30.9])),
     " Of the other 7 at 100 evaluations, all 7 lie above the band by more than its width (0.0866), 2.35 to 30.9: "
     "those miss it."),
    # one more just above, one far above: each named on its side
    ({"ode": 0.19, "sde": 0.20, "unipc": 0.60},
     " Of the other 2 at 100 evaluations, unipc lies above the band by more than its width (0.0866), 0.600: that one "
     "misses it; sde lies just above it too."),
    # nothing else: no sentence on the others
    ({"ode": 0.19}, ""),
])
def test_exact_plateau_just_above_names_its_runs_and_the_others(values, says):
    """custom mixture {3 modes, weights 0.9/0.08/0.02}, exact, λ 25, 200 samples: "the best sampler (DPM++ 2M
    SDE) reaches 0.204, just above the noise band …: one shared draw of it can put every sampler there: … not
    evidence that the samplers miss the truth" while the other 7 lay 13× to 170× the band's top."""
    band = (0.135, 0.0924, 0.179)
    text = samplers.plateau_text(runs_at(100, values), band, "logp_w1", "recommended", 1e-3, str)
    best = min(values, key=values.get)
    assert (f"can put {best} there: by this measure alone it is not evidence that {best} misses the truth" in text
            ), text
    assert "every sampler there" not in text and "the samplers miss" not in text, text
    assert others_said(text) == says, text


@pytest.mark.parametrize("lam", [None, 25.0])
def test_blue_box_just_above_names_its_runs_and_the_others(lam):
    """tutorial, exact, λ 25, 200 samples, uniform in t, ε 1e-02: "reverse SDE and tutorial's loop are still
    outside the noise band …; DPM++ 2M SDE lies just above the noise band …: one shared draw of it can put
    every sampler there: … not evidence that the samplers miss the truth", beside samplers inside the band."""
    band = (0.100, 0.0789, 0.125)
    df = pd.concat([runs_at(50, {m: 0.3 for m in ("sde", "tutorial", "dpm2m_sde", "unipc", "dpm2m")}),
                    runs_at(100, {"sde": 0.30, "tutorial": 0.45, "dpm2m_sde": 0.14, "unipc": 0.102, "dpm2m": 0.11})])
    text = samplers.broad_note(df, band, "logp_w1", "tutorial", 0.89, str, lam=lam)
    assert ("sde and tutorial are still outside the noise band (range 0.0789–0.125), above it by more than its width "
            "(0.0461), 0.300 to 0.450: those miss it; dpm2m_sde lies just above") in text, text
    assert ("can put dpm2m_sde there: by this measure alone it is not evidence that dpm2m_sde misses the truth" in text
            ), text
    assert "unipc and dpm2m lie inside it" in text and "every sampler there" not in text, text


def test_blue_box_all_just_above_keeps_every_sampler():
    """Every sampler just above the band: the shared draw can put every one of them there, each named."""
    band = (0.100, 0.0789, 0.125)
    text = samplers.broad_note(runs_at(100, {"sde": 0.132, "dpm2m": 0.140}), band, "logp_w1", "tutorial", 0.89, str)
    assert ("can put sde and dpm2m there: by this measure alone it is not evidence that sde and dpm2m miss the truth"
            in text), text
    assert "inside it" not in text and "still outside" not in text, text


BANDS = {"logp_w1": (0.085, 0.0388, 0.132), "sliced_w2": (0.18, 0.148, 0.211), "loglik_gap": (0.0, -0.05, 0.05)}


def noisy_rows(w1, w2, gap=0.0):
    """The best noisy runs at 5 and 8 evaluations (rows with every measure), by budget."""
    rows = runs_at(5, {"sde": w1[0]}, sliced_w2={"sde": w2[0]}, loglik_gap={"sde": gap})
    rows = pd.concat([rows, runs_at(8, {"tutorial": w1[1]}, sliced_w2={"tutorial": w2[1]},
                                    loglik_gap={"tutorial": gap})], ignore_index=True)
    return {int(r["budget"]): r for _, r in rows.iterrows()}


@pytest.mark.parametrize("w2, metric, seen", [
    ((0.401, 0.394), "logp_w1", True),        # the finding's state: sliced W₂ far above its band
    ((0.19, 0.20), "logp_w1", False),         # sliced W₂ inside its band too: washed out by both
    ((0.19, 0.20), "sliced_w2", False),       # by sliced W₂, with W₁ of log p₀ inside its band
])
def test_prior_gap_washed_out_names_its_measure_and_checks_the_others(w2, metric, seen):
    """tutorial, exact, λ 2, 300 samples, W₁ of log p₀: "The noisy runs do wash it out here: at 5 and 8
    evaluations the best of them lies inside the noise band (range 0.0388–0.132)" while sliced W₂ of the same
    runs lay about 0.19 above its band's top (0.148–0.211): by where the samples lie the gap was not washed out."""
    best = noisy_rows((0.08, 0.09), w2)
    band = BANDS[metric]
    text = samplers.washed_text(pd.DataFrame(best.values()), band, metric, best, [5, 8], str, None, BANDS)
    name = samplers._metric_name(metric)
    assert text.startswith(f"By {name} the noisy runs do wash it out here: at 5 and 8 evaluations"), text
    if seen:
        assert ("; but in the same runs sliced W₂ distance puts all of them above the noise band (range 0.148–0.211) "
                "by more than its width (0.0630) (sde, 0.401 at 5; tutorial, 0.394 at 8): by sliced W₂ distance the "
                "prior's gap still shows in where the samples lie.") in text, text
    else:
        assert "but in the same runs" not in text and "still shows" not in text, text


@pytest.mark.parametrize("w2, inside_too", [((0.401, 0.394), False), ((0.19, 0.20), True)])
def test_noisy_sampler_clause_washed_out_names_its_measure_and_checks_the_others(w2, inside_too):
    """"UniPC, noisy start: … at 15, 20, 50 and 100 it adds noise from the start, which washes the gap out
    there: its runs lie inside the noise band", true by W₁ of log p₀ only: the clause names its measure and
    the other measures of the same runs that put them far above their band."""
    best = noisy_rows((0.08, 0.09), w2)
    runs = pd.DataFrame(best.values()).set_index("budget")
    import diffusion_core as dc
    text = samplers.noise_text("sde", [5, 8], dc.VESDE(2.0), "uniform", str, runs, BANDS["logp_w1"], "logp_w1", BANDS)
    assert "which washes the gap out there by W₁ of log p₀: its runs lie inside the noise band" in text, text
    assert ("still shows in where the samples lie" in text) != inside_too, text
    if not inside_too:
        assert "sliced W₂ distance puts all of them above the noise band (range 0.148–0.211)" in text, text
