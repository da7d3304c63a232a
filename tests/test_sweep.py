"""NFE sweep: budgets map to steps that the samplers really spend, and quality grows with budget."""
import pandas as pd
import pytest
import torch

import diffusion_core as dc
from diffusion_core import sweep

GMM = dc.PRESETS["tutorial"]
SDE = dc.VESDE(25.0)


def counted(score_fn):
    """A score function that counts its calls (each call = one evaluation on the batch)."""
    def f(x, t):
        f.calls += 1
        return score_fn(x, t)
    f.calls = 0
    return f


@pytest.mark.parametrize("method", dc.METHODS)
@pytest.mark.parametrize("budget", [1, 2, 3, 4, 7, 10, 25, 50])
def test_budget_maps_to_the_most_steps_that_fit(method, budget):
    steps = sweep.steps_for_nfe(method, budget)
    f = counted(dc.exact_score(GMM, SDE))
    res = dc.sample(f, SDE, 8, steps, method=method, generator=torch.Generator().manual_seed(0))
    assert f.calls == res.nfe == dc.nfe(method, steps)     # counted independently
    minimum = 2 if method == "tutorial" else 1
    if steps > minimum:                   # tiny budgets get the minimum and may exceed
        assert f.calls <= budget
    # one more step would not fit
    assert dc.nfe(method, steps + 1) > budget


def test_costs_per_step():
    assert [dc.nfe("sde", 10), dc.nfe("ode", 10), dc.nfe("pc", 10),
            dc.nfe("tutorial", 10)] == [11, 21, 21, 9]
    assert dc.nfe("ode", 10, denoise=False) == 20


def test_sweep_table_counts_and_same_noise():
    f = counted(dc.exact_score(GMM, SDE))
    df = sweep.nfe_sweep(f, SDE, GMM, methods=("sde", "ode", "pc", "tutorial"), nfe_targets=(10, 30),
                         n=300, seed=3)
    assert list(df.columns) == ["method", "budget", "steps", "nfe", "logp_w1", "sliced_w2",
                                "loglik_gap", "seconds"]
    assert len(df) == 8 and df["nfe"].sum() == f.calls
    assert (df["nfe"] <= df["budget"]).all()
    assert df[list(sweep.METRICS)].notna().all().all() and (df["seconds"] >= 0).all()
    assert set(df.attrs["floor"]) == set(sweep.METRICS)
    # the same seed gives the same samples: rerunning one row reproduces its numbers
    again = sweep.nfe_sweep(dc.exact_score(GMM, SDE), SDE, GMM, methods=("sde",), nfe_targets=(30,),
                            n=300, seed=3)
    row = df[(df.method == "sde") & (df.budget == 30)].iloc[0]
    assert again["logp_w1"].iloc[0] == pytest.approx(row["logp_w1"], rel=1e-9)


def test_duplicate_budgets_run_once():
    df = sweep.nfe_sweep(dc.exact_score(GMM, SDE), SDE, GMM, methods=("ode",), nfe_targets=(10, 10, 11),
                         n=50, seed=0, metrics=("logp_w1",), floor=False)
    assert df["steps"].tolist() == [4, 5] and "floor" not in df.attrs


def test_quality_improves_with_budget_and_reaches_the_floor():
    """Ring of sharp modes: 5 evaluations are far off, 200 are near the true-vs-true floor."""
    g = dc.PRESETS["ring8"]
    df = sweep.nfe_sweep(dc.exact_score(g, SDE), SDE, g, methods=("ode", "tutorial"), nfe_targets=(5, 200),
                         n=1500, seed=0, metrics=("logp_w1",))
    w = df.set_index(["method", "budget"])["logp_w1"]
    floor = df.attrs["floor"]["logp_w1"]
    assert w["ode", 5] > 5 * w["ode", 200]
    assert w["tutorial", 5] > w["tutorial", 200]
    assert w["ode", 200] < 3 * floor + 0.03
    # a second-order ODE on a Karras grid beats the tutorial's uniform Euler loop at equal cost
    assert w["ode", 200] < w["tutorial", 200]


def test_floor_is_the_metric_between_two_true_sets():
    fl = sweep.metric_floor(GMM, 400, seed=5, metrics=("logp_w1", "sliced_w2"))
    a, _ = GMM.sample(400, torch.Generator().manual_seed(7), dtype=torch.float64)
    b, _ = GMM.sample(400, torch.Generator().manual_seed(6), dtype=torch.float64)
    assert fl["logp_w1"] == pytest.approx(dc.logp_w1(a, GMM, b))
    assert fl["sliced_w2"] == pytest.approx(dc.sliced_w2(a, b))
    assert 0 < fl["logp_w1"] < 0.2


def test_noise_level_spans_independent_truth_sets():
    """metric_noise: mean and range over 5 independent true sets against the sweep's reference;
    its first pair is metric_floor, and the range is a real spread."""
    noise = sweep.metric_noise(GMM, 400, seed=5, metrics=("logp_w1",))
    mean, lo, hi = noise["logp_w1"]
    assert lo < mean < hi and lo <= sweep.metric_floor(GMM, 400, seed=5, metrics=("logp_w1",))["logp_w1"] <= hi
    ref, _ = GMM.sample(400, torch.Generator().manual_seed(6), dtype=torch.float64)
    direct = [dc.logp_w1(GMM.sample(400, torch.Generator().manual_seed(5 + 2 + i), dtype=torch.float64)[0], GMM, ref)
              for i in range(5)]
    assert mean == pytest.approx(sum(direct) / 5) and hi == pytest.approx(max(direct))


def test_validation():
    s = dc.exact_score(GMM, SDE)
    with pytest.raises(ValueError, match="method must be one of"):
        sweep.nfe_sweep(s, SDE, GMM, methods=("euler",))
    with pytest.raises(ValueError, match="metric must be one of"):
        sweep.nfe_sweep(s, SDE, GMM, metrics=("fid",))
    with pytest.raises(ValueError, match="NFE budgets must be integers >= 1"):
        sweep.nfe_sweep(s, SDE, GMM, nfe_targets=())
    with pytest.raises(ValueError, match="NFE budgets must be integers >= 1"):
        sweep.nfe_sweep(s, SDE, GMM, nfe_targets=(0, 5))
    with pytest.raises(ValueError, match="number of samples must be >= 2"):
        sweep.nfe_sweep(s, SDE, GMM, n=1)
    with pytest.raises(ValueError, match="method must be one of"):
        sweep.steps_for_nfe("heun", 10)


def test_works_with_a_vp_process_and_returns_a_dataframe():
    vp = dc.VPSDE()
    df = sweep.nfe_sweep(dc.exact_score(GMM, vp), vp, GMM, methods=("ode", "sde"), nfe_targets=(200,),
                         n=400, seed=1, metrics=("logp_w1",))
    assert isinstance(df, pd.DataFrame) and (df["logp_w1"] < 0.15).all()


def test_nfe_chart_spec():
    from dashboard.figures import lab as lfig
    df = pd.DataFrame({"method": ["ode", "ode", "sde"], "budget": [10, 20, 10], "steps": [4, 9, 9],
                       "nfe": [9, 19, 10], "logp_w1": [0.5, 0.05, 0.7], "loglik_gap": [0.4, -0.02, 0.6],
                       "seconds": [0.1, 0.2, 0.1]})
    spec = lfig.nfe_chart(df, "logp_w1", floor=0.03).to_dict()
    layers = spec["layer"]
    assert len(layers) == 4                                    # line, points, floor rule, floor label
    line = layers[0]["encoding"]
    assert line["x"]["scale"]["type"] == "log" and line["y"]["scale"]["type"] == "log"
    assert layers[2]["mark"]["strokeDash"] == [6, 4]
    # the y domain holds the data and the floor
    lo, hi = line["y"]["scale"]["domain"]
    assert lo < 0.03 and hi > 0.7
    # the x axis starts at a labelled tick below the fewest evaluations (3 NFE had no tick left of it)
    few = lfig.nfe_chart(df.assign(nfe=[3, 19, 10]), "logp_w1", floor=0.03).to_dict()["layer"][0]["encoding"]["x"]
    assert few["scale"]["domain"][0] == 2 and 2 in few["axis"]["values"], few
    # a signed measure gets a symmetric log axis whose ticks span every value
    spec = lfig.nfe_chart(df, "loglik_gap", floor=-0.01, log_y=False).to_dict()
    y = spec["layer"][0]["encoding"]["y"]
    assert y["scale"]["type"] == "symlog" and y["scale"]["domain"][0] <= -0.02 and y["scale"]["domain"][1] >= 0.6
