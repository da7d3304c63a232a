"""Train & sample: learn the score by denoising score matching, then sample with it."""
import streamlit as st

import diffusion_core as dc
from dashboard import models, state, train as tr, vocabulary
from dashboard.figures import training as tfig

shared = state.settings()
gmm = state.current_mixture()

st.title("Train & sample")
st.markdown(
    "The exact score needs the density p₀, which real data never gives us. **Denoising score "
    "matching** learns it from samples alone: add noise of a known size to a data point and train "
    "a network sθ(x, t) to point back, against the noise.")
st.latex(r"L(\theta) = \mathbb{E}_{t \sim U[\varepsilon, 1]}\;\mathbb{E}_{x_0 \sim p_0}\;"
         r"\mathbb{E}_{z \sim N(0, I)}\,\big\| \sigma_t\, s_\theta(x_0 + \sigma_t z,\, t) + z \big\|^2,"
         r"\qquad \sigma_t^2 = \frac{\lambda^{2t} - 1}{2 \ln \lambda}")

# --------------------------------------------------------------------------------- settings
with st.container(border=True):
    state.widget(st.radio, "w_train_recipe", format_func=models.RECIPE_LABELS.get, horizontal=True, on_change=tr.load_recipe,
                 help=f"Loads the recipe's values into the form and trains it. Ours: minibatches of "
                      f"{tr.DEFAULT.batch_size:,}, "
                      "cosine learning-rate decay, weight averaging (EMA), SiLU, preconditioned output. "
                      "The tutorial's: full batch, Adam 5e-3, tanh, 10 Fourier time features, output / σₜ.")
    with st.form("train_form", border=False, enter_to_submit=True):
        c1, c2, c3 = st.columns(3)
        steps = state.number_field(c1, "w_train_steps", step=100, help="Adam steps, at most 5,000.")
        batch = state.number_field(c2, "w_train_batch", step=100, help="At most 10,000.")
        lr = state.number_field(c3, "w_train_lr", step=1e-3, format="%.4f", help="In (0, 1].")
        width = state.number_field(c1, "w_train_width", step=8, help="At most 128.")
        eps = state.number_field(c2, "w_train_eps", step=1e-3, format="%.4f",
                                  help="t ~ U[ε, 1]; must be > 0 (σ₀ = 0 would divide by zero).")
        lam = state.number_field(c3, "w_train_lam", step=1.0, format="%.2f",
                                  help="The tutorial trains with λ = 25. Must be > 0.")
        st.form_submit_button("Train", type="primary", icon=":material/model_training:")
    recipe = st.session_state["w_train_recipe"]
    st.caption(f"Distribution **{shared.mixture_name}**, seed **{shared.seed}**, device "
               f"**{shared.device}** (sidebar). 10,000 training samples are drawn once from p₀.")


progress = st.empty()
recipe, cfg, lam, model, when = tr.settled_model(shared, gmm, recipe, steps, batch, lr, width, eps, lam, progress)

# --------------------------------------------------------------------------------- training curves
st.header("1 · Training")
h = model.history
last = h.iloc[-1]
m1, m2, m3, m4 = st.columns(4)
m1.metric("Training time", f"{model.seconds:.1f} s", help="Measured on this server, while training.")
m2.metric("Held-out DSM loss", f"{last['dsm_loss']:.4f}")
m3.metric("Irreducible floor", f"{last['irreducible_loss']:.4f}",
          help="The loss of the exact score ∇log pₜ on the same held-out points, times and noise "
               "draws: no network can do better on average. The held-out loss above is this floor "
               "plus E γₜ‖sθ − ∇log pₜ‖² on the same draws, so it never dips below it.")
m4.metric("Score MSE vs ∇log pₜ", f"{last['score_mse']:.4f}",
          help=f"Mean over held-out xₜ ~ pₜ, t ~ U[{dc.training.SCORE_MSE_EPS:g}, 1], and coordinates "
               "of (sθ − ∇log pₜ)², the same window for every recipe so that they compare. It starts "
               f"at t = {dc.training.SCORE_MSE_EPS:g}, not 0: there the target −z/σₜ is so noisy that any "
               "score learned from finite data errs by about 1/σₜ² in mean square, which would swamp "
               "the mean (and matters little for sampling, which moves points by σₜ² times the score). "
               "Section 2 shows it at every t.")
st.caption(when)
c1, c2 = st.columns(2)
c1.altair_chart(tfig.loss_chart(h), width="stretch")
c2.altair_chart(tfig.score_mse_chart(h, t_min=dc.training.SCORE_MSE_EPS), width="stretch")
tr.explain_loss()

# --------------------------------------------------------------------------------- error against t
st.header("2 · Where in time is the score learned?")
show_wrong = state.widget(st.checkbox, "w_train_wrongcheck")
err_t = models.error_by_t(cfg, gmm, lam, shared.device, shared.seed, tutorial_check=show_wrong)
st.altair_chart(tfig.error_by_t_chart(err_t, eps=cfg.eps), width="stretch")
tr.explain_error_by_t(err_t, cfg.eps)



# --------------------------------------------------------------------------------- learned vs exact
@st.fragment
def learned_vs_exact():
    st.header("3 · Learned vs exact score")
    a, b = st.columns([3, 2])
    t = state.widget(a.slider, "w_train_t", step=0.01, help="Both fields are scores of pₜ at this t.")
    weighted = state.widget(b.radio, "w_train_errmap", horizontal=True,
                            help="Weighted: where samples actually are. Plain: everywhere on the plot, "
                                 "log colour scale.") == "weighted by pₜ"
    f = models.score_fields(cfg, gmm, lam, shared.device, float(t), shared.seed)
    st.image(models.score_fields_png(cfg, gmm, lam, shared.device, float(t), shared.seed, weighted),
             width="stretch")
    st.caption(f"t = {t:.2f}, σₜ = {f['sigma_t']:.3f}. Mean squared error per coordinate under pₜ: "
               f"**{f['mse_t']:.4g}**. Arrow length grows with |score| but is capped, the same way in both "
               "panels, so that small scores near the data stay visible. "
               + tr.error_map_text(f["logp"], f["err"], f["window_mass"]))


learned_vs_exact()

# --------------------------------------------------------------------------------- sampling
st.header("4 · Sampling with the learned score")
a, b, c = st.columns(3)
method = state.widget(a.selectbox, "w_train_method", format_func=vocabulary.label,
                      help="The learned score's sampler (the tutorial's loop on its own grid, uniform in t "
                           "down to Δt = 1/steps; every other sampler on the Karras grid down to t = 1e-4). "
                           "The exact score runs the reference sampler named below, from the same starting "
                           "noise.\n\n" + vocabulary.methods_help())
n_steps = state.widget(b.slider, "w_train_nsteps", step=10, help="The tutorial uses 200.")
n = state.number_field(c, "w_train_n", step=500, help=f"At most {tr.MAX_SAMPLES:,}, and at most "
                       f"{tr.MAX_SAMPLE_WORK:,} samples × score evaluations.")
n, n_steps = int(n if n is not None else st.session_state.get("train_last_n", 1000)), int(n_steps)
st.session_state["train_last_n"] = n
evals = dc.nfe(method, n_steps)     # score evaluations of one run
if n > tr.max_samples(evals):
    st.error(f"**Samples × score evaluations** must be at most {tr.MAX_SAMPLE_WORK:,} so that sampling takes "
             f"seconds; got {n:,} × {evals:,} ({vocabulary.label(method)}: {n_steps} steps, "
             f"{evals:,} evaluations) = {n * evals:,}. Lower the samples to at most "
             f"{tr.max_samples(evals):,}, or the sampler steps.")
else:
    view = tr.sampling_view(shared, gmm, recipe, cfg, lam, method, n_steps, n)
    metrics = view["metrics"]
    st.image(view["png"], width="stretch")
    st.caption(tr.samples_picture_text(view["sets"], gmm, shared.seed))
    table = tfig.metrics_frame(metrics)
    numeric = table.select_dtypes("number").columns
    st.dataframe(table.style.format({c: "{:.1f}" if c.startswith("mode") else "{:.3f}" for c in numeric}),
                 width="stretch")
    st.markdown(tr.sampling_verdict(metrics, n, view["same"], f"{vocabulary.label(method)}, {n_steps} steps",
                                    view["band"], view["fits"], gmm.weights.double().numpy()))
    compared = view["compared"]
    if compared:
        st.markdown(compared)
    bad = sum(m["non_finite"] for m in metrics.values())
    if bad:
        st.warning(f"{bad} samples were not finite and are left out of the metrics.")
tr.sampling_caption(n, evals)

# --------------------------------------------------------------------------------- download
st.download_button(
    "Download the trained weights (.pt)", data=model.weights or b"", disabled=not model.weights,
    file_name=f"score_net_{recipe}_seed{cfg.seed}.pt",
    mime="application/octet-stream", on_click="ignore", icon=":material/download:",
    help="Load with diffusion_core.load_score_model(path): weights, network settings, SDE and "
         "training config, with a checksum.")
