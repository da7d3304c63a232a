"""Loss weighting lab: the same network trained with three weightings gamma_t of the DSM loss."""

import pandas as pd
import streamlit as st

import diffusion_core as dc
from dashboard import models, state, weighting
from dashboard.figures import weighting as wfig

P = state.PERSIST_PREFIX + "weight_"
LAM = weighting.LAM
SAMPLES, SAMPLER_STEPS = weighting.SAMPLES, weighting.SAMPLER_STEPS
NETS = {"tutorial": "The tutorial's: output / σₜ", "preconditioned": "Preconditioned (ours)"}
VIEWS = {"raw": "score error", "scaled": "σₜ² × score error (relative to the score's size)"}

shared = state.settings()
gmm = state.current_mixture()
sde = dc.VESDE(LAM)


st.title("Loss weighting lab")
st.markdown(
    "The denoising loss averages over times t, and a weight γₜ decides how much each time counts. "
    "Every choice has the same optimum, the true score, but a network cannot reach it everywhere: "
    "γₜ decides **where its errors go**. Here the same network is trained three times, once per "
    "weighting, and its score error is measured at each t against the exact score of pₜ.")
st.latex(r"L(\theta) = \mathbb{E}_{t}\,\mathbb{E}_{x_0, z}\;\gamma_t\,"
         r"\big\| s_\theta(x_0 + \sigma_t z,\, t) + z/\sigma_t \big\|^2,\qquad "
         r"\gamma_t \in \{\sigma_t^2,\; 1,\; g(t)^2 = \lambda^{2t}\}")

with st.container(border=True):
    c1, c2, c3, c4 = st.columns([1.3, 1, 1, 1])
    net = state.widget(c1.radio, P + "net", format_func=NETS.get,
                       help="The tutorial's MLP with its output divided by σₜ, or our preconditioned one "
                            "(its output is rescaled so that every t has unit-size targets).")
    eps = state.widget(c2.select_slider, P + "eps",
                       format_func=lambda v: f"{v:g}",
                       help="Training times are drawn from [ε, 1].")
    stratified = state.widget(c3.toggle, P + "stratified",
                              help="On: one t in each of B equal bins of [ε, 1] per batch of B (less noisy "
                                   "gradients). Off: B independent uniform draws.")
    steps = state.widget(c4.slider, P + "steps", step=100,
                         help=f"Each network: {weighting.N_DATA:,} training points, minibatches of {weighting.BATCH}.")
    st.caption(f"Three trainings, once per setting (the table below gives each one's time); λ = {LAM:g}; distribution "
               f"**{shared.mixture_name}**, seed **{shared.seed}**, device **{shared.device}** (sidebar).")

progress = st.empty()
curves, rows, quality = [], [], {}
for w in dc.WEIGHTINGS:
    cfg = weighting.lab_config(net, w, eps, stratified, steps, shared.seed)
    model = models.trained_model(cfg, gmm, LAM, shared.device, _progress=progress)
    label = wfig.WEIGHTING_LABELS[w]
    if model.diverged:
        st.error(f"**{label}**: training diverged (the loss became NaN or infinite); its curve is "
                 "left out. Try fewer **training steps** or the preconditioned **network**.")
        continue
    curves.append(weighting.error_by_t(cfg, gmm, LAM, shared.device, shared.seed).assign(weighting=w))
    x = models.learned_samples(cfg, gmm, LAM, shared.device, "sde", SAMPLER_STEPS, SAMPLES, shared.seed)
    met = models.sample_quality(x, gmm, shared.seed)
    quality[w] = {k: met[k] for k, _ in weighting.MEASURES}
    rows.append({"weighting": label, weighting.TIME_COLUMN: model.seconds,
                 "score MSE, t ~ U[ε, 1]": float(model.history["score_mse"].iloc[-1]),
                 **{weighting.quality_column(k): met[k] for k, _ in weighting.MEASURES}})

view = state.widget(st.radio, P + "view", format_func=VIEWS.get, horizontal=True, label_visibility="collapsed")
column = "mse" if view == "raw" else "scaled"         # the error_by_t column the chart draws
by_weighting = {c["weighting"].iloc[0]: c for c in curves}
left, right = st.columns([3, 2])
with left:
    if curves:
        df = pd.concat(curves, ignore_index=True).drop(columns="draws")     # the per-draw errors: for the noise only
        df = df.assign(error=df[column])
        st.altair_chart(wfig.weighting_error_chart(df, eps=eps, view=column), width="stretch")
        hidden = weighting.hidden_text(by_weighting, wfig.WEIGHTING_LABELS, column)
        if hidden:
            st.caption(hidden)
with right:
    weight_curves = weighting.weight_curves(LAM, eps)
    st.altair_chart(wfig.weight_functions_chart(weight_curves), width="stretch")

if rows:
    table = pd.DataFrame(rows).set_index("weighting")
    st.dataframe(table, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format=f)
                                for c, f in weighting.table_formats(table).items()})
    st.caption(f"Score MSE on {cfg.n_eval:,} held-out (xₜ, t) drawn from pₜ; sliced Wasserstein-2 distance of "
               f"{SAMPLES:,} reverse-SDE samples ({SAMPLER_STEPS} steps) to {models.reference_size(SAMPLES):,} "
               "independent true samples (where the mass is), and Wasserstein-1 distance between the log p₀ of "
               "the same samples and of those true samples (W₁ of log p: how likely the samples are, which sees "
               "modes drawn too wide or too narrow); lower is better. "
               + weighting.times_text({r["weighting"]: r[weighting.TIME_COLUMN] for r in rows}))

st.markdown(
    "**What each weighting emphasizes.** "
    "**γₜ = σₜ²** (the tutorial's) makes every time's term ‖σₜ s + z‖² of order one: it balances the "
    "*relative* error across t, so errors at small t, where the score is huge (≈ 1/σₜ), are cheap. "
    "**γₜ = 1** weighs the *absolute* error, dominated by small t where ‖z/σₜ‖² explodes: "
    "the few smallest times drawn dominate its gradients. Whether that buys a lower error near the data "
    "depends on the network (the sentences below say what this state shows). "
    "**γₜ = g(t)²** (= 1 + 2 ln λ · σₜ² here) is the *likelihood weighting*: with it the loss bounds "
    "the negative log-likelihood of the model.")
st.markdown(weighting.weights_text(weight_curves, LAM, eps))
if curves:
    st.markdown(weighting.below_eps_text(by_weighting, wfig.WEIGHTING_LABELS, eps, column))
    bands = models.quality_band(gmm, SAMPLES, shared.seed)    # true sets scored as the table's
    st.markdown(weighting.verdict(by_weighting, quality, wfig.WEIGHTING_LABELS, eps, bands))
