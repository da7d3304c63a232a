"""Sampler lab: the best sampler per budget and the PF ODE's rank are named only where the runs lie
farther apart than the noise band's width (samplers.told_apart); runs closer than that are said to be
not told apart at this sample count, in every state: your own data, ring8 on the page, a best below
the band, the signed log-likelihood gap."""
import re

import pandas as pd

from dashboard import samplers, vocabulary
from conftest import open_page, ok

SAMPLERS = "views/6_sampler_lab.py"
METHODS = ["sde", "ode", "tutorial", "dpm2m", "dpm2m_sde", "dpm2m_sa", "unipc", "unipc_shift"]
OK_BAND = (0.0283, 0.0181, 0.0505)              # Word "OK" as p₀, W₁ of log p₀, 2000 samples
OK_RUNS = {5: [3.1, 35.7, 9.0, 0.2, 0.5, 0.3, 0.0924, 0.11],
           15: [0.045, 0.040, 0.2, 0.028, 0.0155, 0.036, 0.09, 0.09],
           30: [0.045, 0.0232, 0.12, 0.0233, 0.030, 0.041, 0.060, 0.060],
           100: [0.030, 0.0194, 0.09, 0.0210, 0.025, 0.022, 0.0182, 0.0182]}


def runs(values: dict, metric: str = "logp_w1") -> pd.DataFrame:
    """The runs df of METHODS at each budget (values: budget -> one value per method); the PF ODE
    (Heun) takes one evaluation less than its budget above 5, as on the page."""
    return pd.DataFrame([{"method": m, "budget": b, "nfe": b - 1 if m == "ode" and b > 5 else b, metric: v}
                         for b, vals in values.items() for m, v in zip(METHODS, vals)])


def part(text: str, budget: int) -> str:
    """One budget's entry of the best-per-budget line."""
    return re.search(rf"[:;] {budget}: (.*?)(?:; \d+: |\. )", text).group(1)


def test_ok_word_best_and_rank_inside_the_noise_are_not_told_apart():
    """Word "OK", defaults: at 30 PF ODE (Heun) 0.0232 against DPM++ 2M's 0.0233 with a band 0.0323
    wide was called the best, and PF ODE ranked "3 of 8" at 99 evaluations among 7 runs inside it."""
    label = vocabulary.short
    df = runs(OK_RUNS)
    text = samplers.winners_text(df, OK_BAND, "logp_w1", label)
    assert ("30: PF ODE (Heun) (0.0232), with 4 more within the band's width (0.0324) of it: not told apart at "
            "this sample count;") in text, text
    assert ("100: UniPC, noisy start and UniPC, shifted D (0.0182), with 5 more within the band's width (0.0324) "
            "of them: not told apart at this sample count.") in text, text
    rank = samplers.order_text(df, "logp_w1", label, OK_BAND)
    assert ("ranks 8 of 8 at 5 evaluations and 1–7 of 8 at 99 evaluations (budget 100; not told apart from 6 "
            "other runs within the band's width, 0.0324, of it at this sample count)") in rank, rank
    assert "3 of 8" not in rank


def test_best_clearly_apart_is_still_named_alone():
    """A best farther than the band's width from every other run keeps its name alone and its rank."""
    label = vocabulary.short
    df = runs({5: [0.9, 0.2, 3.0, 1.5, 0.6, 0.7, 2.0, 2.0], 50: [0.4, 0.05, 0.9, 0.3, 0.2, 0.25, 0.5, 0.5]})
    band = (0.05, 0.04, 0.06)
    text = samplers.winners_text(df, band, "logp_w1", label)
    assert "5: PF ODE (Heun) (0.200);" in text and "not told apart" not in text, text
    rank = samplers.order_text(df, "logp_w1", label, band)
    assert "ranks 1 of 8 at 5 evaluations and 1 of 8 at 49 evaluations (budget 50)," in rank, rank


def test_best_below_the_band_is_not_crowned_over_runs_inside_it():
    """At 15 the lowest value lies below the band; the runs inside it within the band's width are not
    told apart from it, and the band sentence still says it lies below."""
    text = samplers.winners_text(runs(OK_RUNS), OK_BAND, "logp_w1", vocabulary.short)
    assert "15: DPM++ 2M SDE (0.0155), with 4 more within the band's width (0.0324) of it: not told apart" in text
    assert "At 15 evaluations the lowest value (0.0155) lies below the noise band" in text, text


def test_signed_gap_counts_runs_by_their_distance_to_the_truths_level():
    """The log-likelihood gap: -0.0112 and 0.00725 lie 0.0009 and 0.0176 from the truth's level -0.0103,
    within the band's width (0.0336) of each other; 0.2 lies far from both."""
    df = pd.DataFrame({"method": ["dpm2m", "sde", "ode"], "budget": 20, "nfe": [20, 20, 19],
                       "loglik_gap": [-0.0112, 0.00725, 0.2]})
    band, label = (-0.0103, -0.0276, 0.00602), vocabulary.short
    text = samplers.winners_text(df, band, "loglik_gap", label)
    assert "20: DPM++ 2M (-0.0112), with 1 more within the band's width (0.0336) of it: not told apart" in text
    assert "ranks 3 of 3 at 19 evaluations (budget 20)," in samplers.order_text(df, "loglik_gap", label, band)


def test_ring8_page_names_a_best_only_beyond_the_bands_width():
    """ring8 on the page: each budget's entry says how many runs lie within the band's width of the
    lowest value in the page's own table, and names a best alone only where none does."""
    at = ok(open_page(SAMPLERS, w_mixture="ring8", w_samplers_nfe=[4, 5, 6, 8],
                      w_samplers_methods=["sde", "dpm2m", "dpm2m_sa"]))
    table = at.dataframe[0].value
    table = table.data if hasattr(table, "data") else table
    said = next(m.value for m in at.markdown if m.value.startswith("**Best sampler per budget**"))
    lo, hi = (float(x) for x in re.search(r"range (-?[\d.]+)–(-?[\d.]+)\)", said).groups())
    for _, row in table.iterrows():
        values = row.drop("NFE").astype(float).map(samplers.printed_value)
        near = int((values <= values.min() + samplers.printed_value(hi - lo)).sum())
        best = int((values == values.min()).sum())
        entry = part(said, int(row["NFE"]))
        assert (f"with {near - best} more within" in entry) if near > best else "not told apart" not in entry, (entry, row)
    assert "not told apart" not in said, said          # here every best lies beyond the band's width of the rest
