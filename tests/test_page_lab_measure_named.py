"""Sampler lab, the blue box: after a clause on another measure's band ("but in the same runs sliced W₂
distance puts … above the noise band (range 0.148–0.211) …"), the samplers said to lie inside or below a
band are read against the band of the measure in use, named with it and its range (tutorial, exact, λ 2,
300 samples: "…; reverse SDE, tutorial's loop, … lie inside it" read as inside the sliced W₂ band, where
the table put them at 0.394–0.408, above it)."""
import pandas as pd
import pytest

from dashboard import samplers

W1, SW2 = (0.085, 0.0388, 0.132), (0.18, 0.148, 0.211)


def runs(values: dict, sw2: dict) -> pd.DataFrame:
    return pd.DataFrame({"method": list(values), "budget": 100, "logp_w1": list(values.values()),
                         "sliced_w2": [sw2[m] for m in values]})


@pytest.mark.parametrize("values, sw2, inside, below", [
    # the finding: noiseless runs just above W₁'s band, far above sliced W₂'s; noisy runs inside W₁'s band only
    ({"ode": 0.15, "dpm2m": 0.15, "sde": 0.10, "tutorial": 0.09},
     {"ode": 0.677, "dpm2m": 0.677, "sde": 0.401, "tutorial": 0.394}, ["sde", "tutorial"], []),
    # some below W₁'s band too
    ({"ode": 0.15, "sde": 0.10, "unipc": 0.02},
     {"ode": 0.677, "sde": 0.401, "unipc": 0.175}, ["sde"], ["unipc"]),
])
def test_inside_and_below_name_the_measure_in_use_after_another_measures_band(values, sw2, inside, below):
    text = samplers.broad_note(runs(values, sw2), W1, "logp_w1", "tutorial", 0.89, str, bands={"logp_w1": W1, "sliced_w2": SW2})
    assert "; but in the same runs sliced W₂ distance puts" in text, text
    rest = text.split("; but in the same runs", 1)[1]
    assert "lie inside it" not in rest and "lies inside it" not in rest, text
    if inside:
        assert f"by W₁ of log p₀, {samplers._and(inside)} {'lies' if len(inside) == 1 else 'lie'} inside the noise band (range 0.0388–0.132)" in rest, text
    if below:
        assert "by W₁ of log p₀, " + samplers._and(below) in rest and "below the noise band (range 0.0388–0.132)" in rest, text


def test_without_another_measure_inside_reads_it():
    """No other measure said: "inside it" still reads the one band named before it."""
    text = samplers.broad_note(runs({"ode": 0.15, "sde": 0.10}, {"ode": 0.18, "sde": 0.18}), W1, "logp_w1",
                               "tutorial", 0.89, str, bands={"logp_w1": W1, "sliced_w2": SW2})
    assert "but in the same runs" not in text and "by W₁ of log p₀, " not in text, text


def test_a_counted_group_of_the_others_is_not_read_as_the_group_before():
    """unbalanced, exact, λ 2, budgets 4–500: "… PF ODE (Heun), DPM++ 2M and DPM++ 2M, noisy start lie above
    the band by more than its width …: those miss it; 4 of them lie just above it too": "them" read as the
    three just named. A counted group says of whom it counts."""
    band = (0.13, 0.0996, 0.165)
    values = {"best": 0.17, "ode": 0.53, "dpm2m": 0.53, "dpm2m_sa": 0.53, "sde": 0.224, "dpm2m_sde": 0.209,
              "unipc": 0.222, "karras": 0.222}
    df = pd.DataFrame({"method": list(values), "budget": 500, "logp_w1": list(values.values())})
    text = samplers.others_text(df, ["best"], band, "logp_w1", str)
    assert "4 of the other 7 lie just above it too" in text and "of them" not in text, text
