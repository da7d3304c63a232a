"""Sampler lab: sample quality against the number of score evaluations, sampler by sampler."""
import pandas as pd
import streamlit as st

import diffusion_core as dc
from diffusion_core import sweep
from diffusion_core.figures import lab as lfig
from pages import common

P = common.PERSIST_PREFIX + "samplers_"
METHODS = ("sde", "ode", "pc", "tutorial")
NFE_OPTIONS = (5, 10, 20, 50, 100, 200, 500)
DEFAULT_NFE = [10, 20, 50, 100, 200]
MAX_N, MAX_NFE = 5000, 500
T_EPS = (1e-2, 1e-3, 1e-4, 1e-5)
GRID_LABELS = {"karras": "Karras (small steps at small noise)", "uniform": "uniform in t"}


@common.cache_data(max_entries=256)
def run_one(gmm, lam: float, method: str, budget: int, n: int, seed: int, grid: str, t_eps: float,
            metrics: tuple) -> pd.DataFrame:
    """One sampler at one NFE budget with the exact score (cached run by run, so changing one
    setting only computes what is new)."""
    sde = dc.VESDE(lam)
    return sweep.nfe_sweep(dc.exact_score(gmm, sde), sde, gmm, methods=(method,), nfe_targets=(budget,),
                           n=n, seed=seed, metrics=metrics, grid=grid, t_eps=t_eps, floor=False)


@common.cache_data
def floor(gmm, n: int, seed: int, metrics: tuple) -> dict:
    return sweep.metric_floor(gmm, n, seed, metrics)


settings = common.settings()
gmm = common.current_mixture()
st.title("Sampler lab: quality per score evaluation")
st.markdown(
    "Every sampler pays for its samples in **score evaluations** (NFE): one network call on the "
    "whole batch. Here each sampler gets the same budgets and the **same starting noise**, with the "
    f"exact score of **{settings.mixture_name}**, and its samples are compared with true samples. "
    "Lower is better; the dashed line is the best any sampler can do with this many samples.")

c1, c2, c3 = st.columns(3, gap="medium")
with c1:
    methods = st.multiselect("Samplers", METHODS, format_func=lfig.METHOD_LABELS.get,
                             key=common.init(P + "methods", list(METHODS)))
    budgets = st.multiselect("NFE budgets", NFE_OPTIONS, key=common.init(P + "nfe", DEFAULT_NFE),
                             help=f"Score evaluations per sampler run (at most {MAX_NFE}). "
                                  "ODE and PC spend 2 per step, SDE 1, all but the tutorial's "
                                  "loop one more to denoise at the end.")
with c2:
    metric = st.selectbox("Quality measure", sweep.METRICS, format_func=sweep.METRIC_LABELS.get,
                          key=common.init(P + "metric", "logp_w1"),
                          help="W1 of log p: distance between the distributions of log p₀(x) over "
                               "samples and over true samples (blur and over-sharpening both count). "
                               "Sliced W2: average 1D Wasserstein-2 over random directions. "
                               "Log-likelihood gap: E_true[log p₀] − E_samples[log p₀].")
    n = st.slider("Samples per run", 200, MAX_N, step=100, key=common.init(P + "n", 2000),
                  help="More samples: a lower floor and smoother curves, slower runs.")
with c3:
    lam = st.slider("λ of the VE process, g(t) = λᵗ", 2.0, 50.0, step=1.0,
                    key=common.init(P + "lam", 25.0))
    g1, g2 = st.columns(2)
    grid = g1.selectbox("Time grid", list(GRID_LABELS), format_func=GRID_LABELS.get,
                        key=common.init(P + "grid", "karras"),
                        help="For sde, ode and pc; the tutorial's loop always steps uniformly in t.")
    t_eps = g2.select_slider("stop at t_eps", T_EPS, key=common.init(P + "t_eps", 1e-3),
                             format_func=lambda v: f"{v:.0e}",
                             help="The samplers stop at t_eps and denoise once; the noise left "
                                  "there, σ(t_eps), is a small bias no step count removes.")

problems = []
if not methods:
    problems.append("Samplers: pick at least one sampler.")
if not budgets:
    problems.append(f"NFE budgets: pick at least one budget (5 to {MAX_NFE}).")
for p in problems:
    st.error(p)

if not problems:
    metrics = ("logp_w1", "loglik_gap") + (("sliced_w2",) if metric == "sliced_w2" else ())
    plan = [(m, b) for m in METHODS if m in methods for b in sorted(budgets)]
    bar = st.progress(0.0, text="Sampling…")
    frames = []
    for i, (m, b) in enumerate(plan):
        bar.progress(i / len(plan), text=f"Sampling: {lfig.METHOD_LABELS[m]}, {b} evaluations "
                                         f"({i + 1} of {len(plan)} runs)")
        frames.append(run_one(gmm, float(lam), m, int(b), int(n), settings.seed, grid, float(t_eps),
                              metrics))
    fl = floor(gmm, int(n), settings.seed, metrics)
    bar.empty()
    df = pd.concat(frames, ignore_index=True).drop_duplicates(["method", "steps"])

    st.altair_chart(lfig.nfe_chart(df, metric, fl[metric], sweep.METRIC_LABELS[metric],
                                   log_y=metric != "loglik_gap"), width="stretch")
    left, right = st.columns([1.2, 1], gap="large")
    with left:
        table = df.assign(sampler=df["method"].map(lfig.METHOD_LABELS)).pivot_table(
            index="budget", columns="sampler", values=metric, aggfunc="first")
        table.index.name = "NFE budget"
        st.markdown(f"**{sweep.METRIC_LABELS[metric]}** by NFE budget (floor {fl[metric]:.4f}); "
                    "the exact counts are in *All numbers*.")
        st.dataframe(table.style.format("{:.4f}", na_rep="–"), width="stretch")
        with st.expander("All numbers"):
            st.dataframe(df.assign(method=df["method"].map(lfig.METHOD_LABELS)).style.format(
                {c: "{:.4f}" for c in (*metrics, "seconds")}), hide_index=True, width="stretch")
    with right:
        st.markdown(
            "**Why some samplers need fewer evaluations.** The probability-flow ODE with **Heun's** "
            "method is second order: its error shrinks like h² with the step h, not like h "
            "(Euler–Maruyama), so a few large steps are enough. A **Karras grid** spends its "
            "steps where σ is small, where the score changes fastest and the data's detail is "
            "decided; the tutorial's loop steps uniformly in t, and with σ growing like λᵗ most of "
            "its steps go to large noise where little happens. Its injected noise also has to be "
            "averaged out, and it stops at t = 1/steps without denoising.")
        st.latex(r"\text{PF ODE: } \frac{dx}{dt} = f(t)\,x - \tfrac12 g(t)^2\,\nabla_x\log p_t(x)")
        st.caption("The floor is the same measure between two independent sets of true samples. "
                   "Curves that flatten above it are limited by t_eps (try 1e-4), not by the step "
                   "count.")
