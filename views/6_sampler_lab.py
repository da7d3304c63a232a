"""Sampler lab: sample quality against the number of score evaluations, sampler by sampler."""
import pandas as pd
import streamlit as st
import torch

from diffusion_core import sweep
from dashboard import samplers, state
from dashboard.figures import lab as lfig

P = state.PERSIST_PREFIX + "samplers_"
METHODS = ("sde", "ode", "pc", "tutorial")
MAX_N, MAX_NFE = 5000, 500
MAX_WORK = 8_000_000          # samples x score evaluations over all runs: a few seconds of CPU
GRID_LABELS = {"karras": "Karras", "uniform": "uniform in t"}


settings = state.settings()
gmm = state.current_mixture()
st.title("Sampler lab: quality per score evaluation")
st.markdown(
    "Every sampler pays for its samples in **score evaluations** (NFE): one network call on the "
    "whole batch. Here each sampler gets the same budgets and the **same starting noise**, with the "
    f"exact score of **{settings.mixture_name}**, and its samples are compared with true samples. "
    "Lower is better. The grey band is the **noise level** of the measure: the same distance "
    "between independent sets of true samples (dashed: their mean; band: their range over "
    f"{sweep.FLOOR_PAIRS} sets). A sampler inside the band is as good as the truth at this sample "
    "size, and can land below the dashed line by chance.")
narrowest = float(torch.linalg.eigvalsh(gmm.covs).min().sqrt())     # the sharpest mode's std

c1, c2 = st.columns([1.3, 1], gap="large")
methods = state.widget(c1.pills, P + "methods", selection_mode="multi", format_func=lfig.METHOD_SHORT.get,
                       help="Reverse SDE: Euler–Maruyama. PF ODE: the probability-flow ODE with Heun's "
                            "method. Pred.–corr.: an SDE step, then a Langevin correction. The "
                            "tutorial's loop: its own Euler–Maruyama scheme, uniform in t.")
budgets = state.widget(c2.pills, P + "nfe", selection_mode="multi",
                       help=f"Score evaluations per sampler run (at most {MAX_NFE}). ODE and PC spend "
                            "2 per step, SDE 1, and all but the tutorial's loop one more to denoise at "
                            "the end.")
c1, c2, c3, c4, c5 = st.columns([1.5, 1.1, 1.1, 0.9, 0.9], gap="medium")
metric = state.widget(c1.selectbox, P + "metric", format_func=sweep.METRIC_LABELS.get,
                      help="W1 of log p: distance between the distributions of log p₀(x) over "
                           "samples and over true samples (blur and over-sharpening both count). "
                           "Sliced W2: average 1D Wasserstein-2 over random directions. "
                           "Log-likelihood gap: E_true[log p₀] − E_samples[log p₀].")
n = state.widget(c2.slider, P + "n", step=100,
                 help="More samples: a lower noise level and smoother curves, slower runs.")
lam = state.widget(c3.slider, P + "lam", step=1.0,
                   help="Noise growth of the VE process.")
grid = state.widget(c4.radio, P + "grid", format_func=GRID_LABELS.get,
                    help="Karras: steps uniform in σ^(1/7), small where σ is small. For sde, ode and "
                         "pc; the tutorial's loop always steps uniformly in t.")
t_eps = state.widget(c5.select_slider, P + "t_eps",
                     format_func=lambda v: f"{v:.0e}",
                     help="The samplers stop at t_eps and denoise once; the noise left "
                          "there, σ(t_eps), is a small bias no step count removes.")

problems = []
if not methods:
    problems.append("Samplers: pick at least one sampler.")
if not budgets:
    problems.append(f"NFE budgets: pick at least one budget (5 to {MAX_NFE}).")
if not problems:
    work = int(n) * sum(sweep.nfe_of(m, sweep.steps_for_nfe(m, b)) for m in methods for b in budgets)
    if work > MAX_WORK:
        problems.append(f"Samples per run × score evaluations of all runs must be at most "
                        f"{MAX_WORK / 1e6:g} million to keep the page fast; now {work / 1e6:.1f} "
                        "million. Use fewer samples, budgets or samplers.")
for p in problems:
    st.error(p)

if not problems:
    metrics = ("logp_w1", "loglik_gap") + (("sliced_w2",) if metric == "sliced_w2" else ())
    plan = [(m, b) for m in METHODS if m in methods for b in sorted(budgets) if 1 <= b <= MAX_NFE]
    bar = st.progress(0.0, text="Sampling…")
    frames = []
    for i, (m, b) in enumerate(plan):
        bar.progress(i / len(plan), text=f"Sampling: {lfig.METHOD_LABELS[m]}, {b} evaluations "
                                         f"({i + 1} of {len(plan)} runs)")
        frames.append(samplers.run_one(gmm, float(lam), m, int(b), int(n), settings.seed, grid, float(t_eps),
                              metrics))
    fl = samplers.floor(gmm, int(n), settings.seed, metrics)
    bar.empty()
    df = pd.concat(frames, ignore_index=True).drop_duplicates(["method", "steps"])

    if narrowest > 0.4:
        st.info(f"The modes of **{settings.mixture_name}** are broad (narrowest std {narrowest:.2f}), "
                "so every sampler is accurate after a few evaluations. Pick **ring8** (std 0.15) in "
                "the sidebar to see why the integrator and the time grid matter.")
    st.altair_chart(lfig.nfe_chart(df, metric, fl[metric], sweep.METRIC_LABELS[metric],
                                   log_y=metric != "loglik_gap"), width="stretch")
    left, right = st.columns([1.15, 1], gap="large")
    with left:
        table = df.assign(sampler=df["method"].map(lfig.METHOD_SHORT)).pivot_table(
            index="budget", columns="sampler", values=metric, aggfunc="first")
        table = table[[lfig.METHOD_SHORT[m] for m in METHODS if lfig.METHOD_SHORT[m] in table]]
        table = table.reset_index().rename(columns={"budget": "NFE"})
        st.markdown(f"**{sweep.METRIC_LABELS[metric]}** by NFE budget (noise level {fl[metric][0]:.4f}, "
                    f"range {fl[metric][1]:.4f}–{fl[metric][2]:.4f})")
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            "NFE": st.column_config.NumberColumn(width="small", format="%d"),
            **{c: st.column_config.NumberColumn(format="%.3f") for c in table.columns[1:]}})
        with st.expander("All numbers (exact evaluation counts, steps, seconds)"):
            st.dataframe(df.assign(method=df["method"].map(lfig.METHOD_SHORT)).style.format(
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
        st.latex(r"\frac{dx}{dt} = f(t)\,x - \tfrac12 g(t)^2\,\nabla_x\log p_t(x)")
        st.caption("The probability-flow ODE, above, has the same marginals p_t as the reverse SDE. "
                   "Curves that flatten above the noise band are limited by t_eps (try 1e-4), "
                   "not by the number of steps.")
