"""Sampler lab: sample quality against the number of score evaluations, sampler by sampler."""
import pandas as pd
import streamlit as st
import torch

import diffusion_core as dc
from diffusion_core import sweep
from dashboard import models, samplers, state, vocabulary
from dashboard.figures import lab as lfig

P = state.PERSIST_PREFIX + "samplers_"
MAX_N, MAX_NFE = 5000, 500
MAX_WORK = 8_000_000          # samples x score evaluations over all runs: a few seconds of CPU
MANY_MODES = 100              # above this many modes each score evaluation costs more: fewer samples


shared = state.settings()
gmm = state.current_mixture()
st.title("Sampler lab: quality per score evaluation")
intro = st.empty()          # names the score in use, known once the widgets below have run
narrowest = float(torch.linalg.eigvalsh(gmm.covs).min().sqrt())     # the sharpest mode's std

methods = state.widget(st.pills, P + "methods", selection_mode="multi", format_func=vocabulary.short,
                       help=vocabulary.methods_help())
budgets = state.widget(st.pills, P + "nfe", selection_mode="multi",
                       help=f"Score evaluations per sampler run (at most {MAX_NFE}). " + "; ".join(
                           f"{vocabulary.short(m)}: {dc.nfe(m, 10)} for 10 steps" for m in dc.METHODS) + ".")
c1, c2, c3, c4, c5, c6 = st.columns([1.6, 0.8, 1.0, 1.0, 1.1, 0.9], gap="small")
metric = state.widget(c1.selectbox, P + "metric", format_func=sweep.METRIC_LABELS.get,
                      help="W₁ of log p₀: distance between the distributions of log p₀(x) over "
                           "samples and over true samples (blur and over-sharpening both count). "
                           "Sliced W₂: average 1D Wasserstein-2 over random directions. "
                           "Log-likelihood gap: mean log p₀ of true samples − mean log p₀ of the samples.")
source = state.widget(c2.radio, P + "source", format_func={"exact": "exact", "learned": "learned"}.get,
                      help="The exact score of pₜ, or a network trained on Train & sample (its recipe "
                           "and settings are named above the chart).")
recipe = (state.widget(c2.radio, P + "recipe", format_func=models.recipe_name,
                       help="Which recipe's network gives the learned score: the one you last trained "
                            "on Train & sample if it is of this recipe, else the recipe's network at "
                            "Train & sample's default settings (trained once for the whole server).")
          if source == "learned" else None)
learned = models.learned_model(recipe) if source == "learned" else None
n = state.widget(c3.slider, P + "n", step=100,
                 help="More samples: a lower noise level and smoother curves, slower runs.")
if learned is None:
    lam = state.widget(c4.slider, P + "lam", step=1.0, help="Noise growth of the VE process.")
else:
    lam = learned[1]
    c4.caption(f"λ = {lam:g}, the learned model's own process.")
EPS_UNUSED = ("not used with **best per sampler**: each sampler's best grid sets its own ε; "
              "only the uniform and Karras grids stop at this one")
grid = state.widget(c5.radio, P + "grid", format_func={"recommended": "best per sampler", **vocabulary.GRID_LABELS}.get,
                    help="**best per sampler**: each sampler at each budget uses the time grid, end time "
                         "and last step measured best for it (benchmarks/bench_samplers.py).\n\n"
                         + vocabulary.grids_help() + "\n\nThe tutorial's loop always steps uniformly in t.")
t_eps = state.widget(c6.select_slider, P + "t_eps", format_func=lambda v: f"{v:.0e}",
                     disabled=grid == "recommended",
                     help="The samplers stop at t = ε and denoise once; the noise left "
                          "there, σ(ε), is a small bias no step count removes. " + EPS_UNUSED.capitalize() + ".")
if grid == "recommended":       # greyed out, its value is not the runs' ε: say so beside it
    c6.caption(EPS_UNUSED)
if source == "learned" and learned is None:
    st.info(f"No network of {models.recipe_name(recipe)} is trained for this distribution and device "
            f"yet: open the Train & sample page and train {models.recipe_name(recipe)} there (it trains "
            "once for the whole server), then come back. Showing the exact score meanwhile.")
score_words = (f"the **learned score** of the network {models.learned_source(learned)} with "
               f"{models.describe_training(*learned)}," if learned else "the **exact score**")
intro.markdown(
    "Every sampler pays for its samples in **score evaluations** (NFE): one network call on the "
    "whole batch. Here each sampler gets the same budgets and the **same starting noise**, with "
    f"{score_words} of **{shared.mixture_name}**, and its samples are compared with true samples. "
    + ("Closer to the dashed line, the truth's own level, is better: a gap above it means blurred or noisy "
       "samples, one below it samples crowding the modes. " if metric == "loglik_gap" else "Lower is better, down to the grey band. ")
    + "The grey band is the **noise level** of the measure: the same distance "
    "between independent sets of true samples (dashed: their mean; band: their range over "
    f"{sweep.FLOOR_PAIRS} sets). A sampler inside the band is as good as the truth at this sample "
    "size by this measure, and can land below the dashed line by chance; one below the band scores better than true "
    "samples themselves, which a sampler does not do by being good (samples crowding the modes' centres "
    "do): there the measure cannot vouch for it.")

if gmm.n_components > MANY_MODES:
    # each exact score evaluation costs about K times one mode's; keep samples x K about constant
    n_run = int(max(200, min(int(n), round(int(n) * MANY_MODES / gmm.n_components, -2))))
    if n_run < int(n):
        st.info(f"p₀ has {gmm.n_components:,} modes, so each score evaluation is slow: the runs use "
                f"{n_run:,} samples instead of {int(n):,} to keep the page fast (the noise band "
                "widens to match).")
        n = n_run

problems, n_at_most = [], "slider" if int(n) >= MAX_N else ""     # n_at_most: the limit that binds, if any
if not methods:
    problems.append("Samplers: pick at least one sampler.")
if not budgets:
    problems.append(f"NFE budgets: pick at least one budget (4 to {MAX_NFE}).")
if not problems:
    evals = sum(dc.nfe(m, dc.steps_for_nfe(m, b)) for m in methods for b in budgets)
    if not n_at_most and (int(n) + 100) * evals > MAX_WORK:       # one more slider step would not fit
        n_at_most = "budgets"
    if int(n) * evals > MAX_WORK:
        fits = MAX_WORK // evals // 100 * 100          # the samples slider's step
        problems.append(f"Samples per run × score evaluations of all runs must be at most "
                        f"{MAX_WORK / 1e6:g} million to keep the page fast; now {int(n):,} × {evals:,} = "
                        f"{int(n) * evals / 1e6:.1f} million. "
                        + (f"With these budgets and samplers at most {fits:,} samples per run fit; or use "
                           "fewer budgets or samplers." if fits >= 200 else "Use fewer budgets or samplers."))
for p in problems:
    st.error(p)

if not problems:
    bar = st.progress(0.0, text="Sampling…")
    df, exact = samplers.race(
        gmm, float(lam), methods, [b for b in budgets if 1 <= b <= MAX_NFE], int(n), shared.seed, grid,
        float(t_eps), learned, shared.device,
        progress=lambda i, k, m, b: bar.progress(i / k, text=f"Sampling: {vocabulary.label(m)}, {b} "
                                                            f"evaluations ({i + 1} of {k} runs)"))
    fl = samplers.floor(gmm, int(n), shared.seed)
    bar.empty()

    process_lam = float(learned[1] if learned else lam)
    gap = samplers.prior_text(df, fl[metric], metric, gmm, process_lam, grid, vocabulary.short, fl)
    if narrowest > 0.4:
        st.info(samplers.broad_note(df, fl[metric], metric, shared.mixture_name, narrowest, vocabulary.short, fl,
                                    n_at_most, process_lam, grid, bool(gap)))
    st.altair_chart(lfig.nfe_chart(df, metric, fl[metric], sweep.METRIC_LABELS[metric],
                                   log_y=metric != "loglik_gap"), width="stretch")
    table, counts = samplers.budget_table(df, metric, vocabulary.short, dc.METHODS)
    st.markdown(f"**{sweep.METRIC_LABELS[metric]}** by NFE budget (noise level "
                f"{samplers.value_text(fl[metric][0])}, range {samplers.value_text(fl[metric][1])}–"
                f"{samplers.value_text(fl[metric][2])})")
    st.markdown(samplers.winners_text(df, fl[metric], metric, vocabulary.short))
    if gap:
        st.markdown(gap)
    shown = samplers.shown_table(table).style.format(samplers.shown_cell,
                                                     subset=list(table.columns[1:]))
    for i, name, count in samplers.off_budget(table, counts):      # the chart's x where it is not the budget
        shown = shown.format(lambda v, c=count: samplers.count_cell(float(v), c), subset=pd.IndexSlice[[i], [name]])
    st.dataframe(shown, hide_index=True, width="stretch", height="content", column_config={   # every budget in sight
        "NFE": st.column_config.NumberColumn("NFE budget", width="small", format="%d")})
    st.caption(samplers.counts_text(table, counts) + samplers.same_runs_text(table, counts, samplers.variant_notes(float(lam), grid, table["NFE"], vocabulary.short)))
    with st.expander("All numbers (exact evaluation counts, steps, seconds)"):
        names = {**sweep.METRIC_LABELS, "method": "sampler", "nfe": "NFE (counted)", "budget": "NFE budget"}
        st.dataframe(df.assign(method=df["method"].map(vocabulary.short)).rename(columns=names).style.format(
            {names.get(c, c): "{:.4f}" for c in (*sweep.METRICS, "seconds")}), hide_index=True, width="stretch")
    st.markdown(
        "**Why some samplers need fewer evaluations.** The probability-flow ODE with **Heun's** "
        "method is second order: its error shrinks like h² with the step h, not like h "
        "(Euler–Maruyama). Order describes the limit of small steps; with very few steps what "
        "matters is how well one large step follows the curved path, and where the grid puts the "
        "steps." + samplers.order_text(df, metric, vocabulary.short, fl[metric]) + " A **Karras grid** spends its "
        "steps where σ is small, where the score changes fastest and the data's detail is "
        "decided; the tutorial's loop steps uniformly in t. "
        + samplers.loop_grid_text(gmm, process_lam)
        + samplers.width_text(gmm, process_lam, df, grid, float(t_eps)) + " The loop's injected "
        "noise also has to be averaged out, and it stops at t = 1/steps without denoising.\n\n"
        "**DPM-Solver++** (Lu et al., 2022) goes further: it writes the flow for the denoised "
        "guess D = x + σ² ∇log pₜ(x), solves its linear part exactly over steps even in log σ, "
        "and reuses the previous step's D for second order at one evaluation per step. Its SDE "
        "variants also inject noise, which can wash out the gap between the prior N(0, σ₁² I) "
        "and the true p₁ that a deterministic solver carries to the end.")
    st.latex(r"\frac{dx}{dt} = f(t)\,x - \tfrac12 g(t)^2\,\nabla_x\log p_t(x)")
    st.caption("The probability-flow ODE, above, has the same marginals pₜ as the reverse SDE. "
               + samplers.plateau_text(df, fl[metric], metric, grid, float(t_eps), vocabulary.short, exact,
                                         fl, n_at_most))
