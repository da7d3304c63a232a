"""Exact-score reversal (tutorial section 1.3, the exercise solved): the reverse SDE, the
probability-flow ODE and a predictor-corrector sampler turn noise into data with the exact score
of pₜ; the cloud along the way; when each sample commits to its mode."""
import streamlit as st

import diffusion_core as dc
from dashboard import downloads, state, vocabulary
from dashboard import reversal as rev

P = state.PERSIST_PREFIX + "reversal_"
shared = state.settings()
gmm = state.current_mixture()
st.title("Exact-score reversal: from noise back to data")
st.markdown(
    "Run the forward process backwards. Start from pure noise x₁ ~ N(0, σ₁² I) and repeatedly "
    "step **up the score** of the blurred distribution pₜ while shrinking the noise: the cloud "
    f"condenses into the data distribution (sidebar: **{shared.mixture_name}**). Here the score "
    "is **exact**: pₜ of a Gaussian mixture is the mixture with covariances Σₖ + σₜ² I. "
    "The tutorial's exercise, solved (its loop: t runs from 1 down to 0 in equal steps Δt):")
st.latex(r"x \;\leftarrow\; x + g(t)^2\,\nabla_x \log p_t(x)\,\Delta t + g(t)\sqrt{\Delta t}\,z,"
         r"\quad z\sim\mathcal N(0, I),\quad g(t)=\lambda^t")

# ----------------------------------------------------------------------------- controls
c1, c2, c3, c4 = st.columns([1.3, 1, 1, 1], gap="medium")
method = state.widget(c1.selectbox, P + "method", format_func=vocabulary.label,
                      help="The reverse SDE is the update above; the others reach the same p₀ with "
                           "fewer score evaluations.\n\n" + vocabulary.methods_help())
steps = state.widget(c2.select_slider, P + "steps",
                     help="Number of reverse steps (the tutorial: 200). The buttons below set the step "
                          "counts the lesson uses.")
state.pick_buttons(c2, P + "steps", rev.STEP_PICKS, "reversal_steps_pick", fmt=lambda v: f"{v:,}")
lam = state.widget(c3.slider, P + "lam", step=0.1, format="%.1f",
                   help="The VE forward process, λ = 25 as on the other pages (the tutorial's demo here: "
                        "λ = 10, where σ₁ = 4.6 is too small for the probability-flow ODE: try it). "
                        "σ₁ grows with λ.")
n = state.widget(c4.select_slider, P + "n",
                 help="Number of samples drawn (the tutorial: 2500).")
with st.expander("Advanced: time grid, end time, corrector, starting distribution, views"):
    a1, a2, a3 = st.columns(3, gap="large")
    grid = state.widget(a1.radio, P + "grid", disabled=method == "tutorial", format_func=vocabulary.GRID_LABELS.get,
                        help=vocabulary.grids_help() + "\n\nThe tutorial's loop always uses its own uniform grid.")
    t_eps = state.widget(a1.select_slider, P + "t_eps",
                         format_func=lambda v: f"{v:g}", disabled=method == "tutorial",
                         help="The grid stops at t = ε > 0 (σₜ → 0 makes the score blow up), then "
                              "one denoising step x₀ = x + σ² ∇log p moves to the mean of p(x₀ | x).")
    snr = state.widget(a2.slider, P + "snr", step=0.01,
                       disabled="snr" not in dc.SAMPLERS[method].options,
                       help="Langevin step size ε = 2 (snr ‖z‖ / ‖∇log p‖)² (Song et al. 2021 use 0.16 for images).")
    start = state.widget(a2.radio, P + "start",
                         format_func={"prior": "the prior N(0, σ₁² I) (tutorial)",
                                      "p1": "the exact p₁ (data blurred to t = 1)"}.get,
                         help="The prior ignores the data's mean and spread. When σ₁ is not much larger "
                              "than the data, that mismatch survives the reversal, above all for the "
                              "deterministic ODE.")
    view = state.widget(a3.radio, P + "view", horizontal=True,
                        format_func={"data": "data region", "all": "whole noise cloud"}.get)
    n_paths = state.widget(a3.slider, P + "n_paths", step=10)

if steps < (least := dc.SAMPLERS[method].min_steps):
    st.info(f"{vocabulary.label(method)} needs at least {least} steps: this run takes {least}.")
    steps = least
n_run = rev.samples_for(gmm, int(n), int(steps))
if n_run < n:
    st.info(f"With {gmm.n_components:,} modes this page draws {n_run:,} samples (of {n:,}) so that a "
            "run stays within seconds.")
run = rev.Run(method, int(steps), n_run, grid, float(t_eps), float(snr), start, shared.seed)
sde = dc.VESDE(lam)
sigma1 = sde.prior_std()
result, error = None, None
if gmm.dim != 2:
    error = f"Distribution: this page needs a 2D mixture; the sidebar's has dimension {gmm.dim}."
elif n * steps > rev.MAX_WORK:
    error = (f"Samples × steps must be at most {rev.MAX_WORK:,} so that one run takes a few seconds; "
             f"got {n:,} × {steps:,} = {n * steps:,}. Lower the samples or the steps.")
else:
    try:
        with st.spinner(f"Sampling {n_run:,} points in {rev.steps_label(steps)}…"):
            result = rev.sample_run(gmm, sde, run)
    except ValueError as e:
        error = f"{vocabulary.label(method)}: {e}."
if error:
    st.error(error)

# ----------------------------------------------------------------------------- final samples
if result is not None:
    st.caption(rev.run_words(run, result["times"]))
    m = rev.metrics(gmm, sde, run)
    rev.warn_start(gmm, sde, run, m)
    st.subheader(rev.FINAL_TITLE)
    dots = rev.dots_final(gmm, sde, run)      # two panels of dots: the page's width, so that a mode's spread shows
    if dots:
        st.image(rev.final_png(gmm, sde, run), width="stretch")
    f_col, m_col = st.columns([1.15, 1], gap="large")
    with f_col:
        if not dots:
            st.image(rev.final_png(gmm, sde, run), width="stretch")
        for note in (rev.outside_note(gmm, sde, run), rev.kde_note(gmm, sde, run), rev.dots_note(gmm, sde, run)):
            if note:
                st.caption(note)
        if note := rev.copies_note(gmm, sde, run):
            st.caption(note)
    with m_col:
        cells = [c for _ in range(3) for c in st.columns(2)]
        for cell, (label, value, help_text) in zip(cells, rev.metric_rows(m, result)):
            cell.metric(label, value, help=help_text)
        st.caption(rev.GAP_SIGN)
        if note := rev.gap_note(m):
            st.caption(note)
        if note := rev.blind_note(gmm, run, m):
            st.markdown(note)
        st.vega_lite_chart(rev.weights_spec(gmm, sde, run), width="stretch")
        st.caption(rev.weights_caption(gmm, sde, run))
        downloads.download_csv(result["x"], f"reversal_{method}_{steps}steps.csv",
                            label="Download samples (CSV)", key="reversal_csv")   # buttons cannot be persisted

# ----------------------------------------------------------------------------- the cloud
if result is not None:
    st.subheader("The cloud along the way")
    k_col, t_col = st.columns([1.45, 1], gap="medium")
    with k_col:
        st.vega_lite_chart(rev.cloud_spec(gmm, sde, run, view), width="content")
    with t_col:
        st.markdown(
            "Drag the **frame** slider under the plot (each frame is one of the run's times; it runs in "
            "your browser, no waiting): the points travel from the noise at t = 1 to the data at t = 0.\n\n"
            f"{rev.ellipses_words(gmm, sde, run)} If the sampler "
            "is right, the cloud fills them at every step, not only at the end.\n\n"
            f"{rev.colour_words(gmm, sde, run)}")
        st.metric("noise std at t = 1, σ₁", f"{sigma1:.2f}",
                  help="Sampling starts from N(0, σ₁² I); switch to the whole noise cloud under "
                       "Advanced to see all of it.")

# ----------------------------------------------------------------------------- commitment
@st.fragment     # the threshold slider reruns this section only (the runs and charts above stay)
def commitment():
    st.subheader(rev.choice_words(rev.deterministic(sde, run), rev.COMMIT_THRESHOLD)["title"])
    a_thr, a_med, a_sig, a_und = st.columns([1.4, 1, 1, 1], gap="medium")
    threshold = state.widget(a_thr.slider, P + "threshold", step=0.01,
                             help="A path has committed once the responsibility of its final mode "
                                  "under pₜ stays at or above this level until the end.")
    cv = rev.commit_view(gmm, sde, run, threshold)
    if rev.median_shown(cv):      # wherever the text gives a median (a coarse grid's says nothing)
        a_med.metric(rev.median_label(cv), rev.time_text(cv["median"]),
                     help=rev.median_help(cv))
        a_sig.metric("σₜ at that time", f"{cv['sigma']:.2f}",
                     help="Noise std of pₜ at the median commitment time.")
    a_und.metric("never commit", rev.undecided_share(cv),
                 help="Paths whose final mode's responsibility is still below the threshold at the "
                      "end: no mode is that much more responsible for where they end than the others (true samples of p₀ fall "
                      "below a strict threshold too). A path that ends far from every mode counts as "
                      "committed (far out, one mode's responsibility is near 1: the mode whose Gaussian falls off slowest there, not always the nearest) although it reached none.")
    rev.explain_commitment(gmm, cv)
    p1c, p2c = st.columns(2, gap="medium")
    p1c.image(rev.paths_png(gmm, sde, run, n_paths, view), width="stretch")
    p2c.image(rev.time_png(gmm, sde, run, n_paths), width="stretch")
    h1, h2 = st.columns(2, gap="medium")
    h1.vega_lite_chart(cv["resp_spec"], width="stretch")
    if rev.hist_shown(cv):
        h2.vega_lite_chart(cv["hist_spec"], width="stretch")
    else:
        h2.info(rev.hist_note(cv))
    st.caption(rev.commitment_caption(cv, n_paths) + rev.axis_note(gmm))


if result is not None:
    commitment()

rev.show_theory(gmm, sde, steps, lam, marked=result is not None)
