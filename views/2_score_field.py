"""Score field: grad log pₜ of the sidebar mixture, in total and mode by mode (tutorial 1.2)."""
import streamlit as st

import diffusion_core as dc
from dashboard import score_field, state

P = state.PERSIST_PREFIX + "score_"
VIEWS = {"total": "Total score", "modes": "Per-mode scores", "weighted": "Weighted modes vs total"}


shared = state.settings()
gmm = state.current_mixture()
st.title("The score: which way is more likely?")
st.markdown(
    "The **score** of a distribution is the gradient of its log density, s(x) = ∇ₓ log p(x): "
    "at every point an arrow towards **higher probability**. Generation follows these arrows "
    f"backwards in time. Below: the sidebar distribution (**{shared.mixture_name}**), blurred "
    "by the VE forward process to time t.")

view = state.widget(st.radio, P + "view", format_func=VIEWS.get, horizontal=True,
                    label_visibility="collapsed")
c_fig, c_ctl = st.columns([2, 1], gap="medium")
with c_ctl:
    t = state.widget(st.slider, P + "t", step=0.01,
                     help="t = 0 is the data distribution itself (the tutorial's picture).")
    lam = state.widget(st.slider, P + "lam", step=0.1)
    where = state.widget(st.radio, P + "where", horizontal=True,
                         format_func={"samples": "samples of pₜ", "grid": "a regular grid"}.get)
    if where == "samples":
        n = state.widget(st.slider, P + "n", step=10)
    else:
        n = state.widget(st.slider, P + "grid")
    lengths = "proportional" if view == "weighted" else state.widget(
        st.radio, P + "lengths", horizontal=True, format_func=score_field.LENGTH_LABELS.get,
        help="Scores near the modes are tiny and far away huge, and they shrink like 1/σₜ² as t "
             "grows: equal lengths keep every direction readable, colour shows the magnitude. "
             "Proportional arrows are drawn on the scale chosen below; the key arrow on the "
             "figure shows it.")
    scale = "fixed"
    if lengths == "proportional":
        scale = state.widget(
            st.radio, P + "arrow_scale", horizontal=True,
            format_func=score_field.SCALE_LABELS.get,
            help="Fixed: one scale for every t, taken from the t = 0 field, so the arrows shrink "
                 "as the score does (an arrow as long as the key is the same |score| at every t). "
                 "Fitted: rescaled for each picture, so the arrows stay readable at every t but "
                 "their lengths cannot be compared across t. Either way the longest arrows (near "
                 "a narrow mode) are clipped, so the others stay visible.")

sde = dc.VESDE(lam)
f = score_field.score_field(gmm, sde, t, where, n, shared.seed)
with c_fig:
    st.image(score_field.score_png(gmm, sde, t, where, n, shared.seed, view, lengths, scale), width="stretch")
    if out := score_field.outside_note(gmm, sde, t, where, n, shared.seed):
        st.caption(out)
    if cut := score_field.cut_note(gmm, sde, t, where, n, shared.seed, view, lengths, scale):
        st.caption(cut)
    if short := score_field.short_arrows(gmm, sde, t, where, n, shared.seed, view, lengths, scale):
        st.info(short)

with c_ctl:
    median = score_field.median_magnitude(f, view)
    m1, m2 = st.columns(2)
    m1.metric("σₜ", f"{f['sigma']:.3g}", help="Noise std added by time t: every mode's "
              "covariance has grown by σₜ² I.")
    m2.metric(score_field.METRIC_LABELS[view], f"{median:.3g}", help={
        "total": "Of the total score ∇log pₜ at the arrow positions.",
        "modes": "Of each drawn mode's own score at every arrow position, the arrows drawn here "
                 "(longer far from that mode): the key arrow is measured on them too.",
        "weighted": "Of the total score ∇log pₜ at the arrow positions, the black arrows: the key "
                    "arrow is measured on it too."}[view])
    if lengths == "proportional":
        st.caption(score_field.key_caption(gmm, sde, t, where, n, shared.seed, scale, view))
    st.caption({
        "total": "Arrows: ∇ log pₜ at each point, coloured by magnitude. Shading: log pₜ "
                 "(darker = more likely).",
        "modes": score_field.modes_words(
            f, "−Σₖ⁻¹(x − μₖ)" if t == 0 else f"−(Σₖ + σₜ² I)⁻¹(x − μₖ) with σₜ = {f['sigma']:.3g}",
            score_field.mode_direction_text(gmm, sde, t)),
        "weighted": score_field.weighted_words(f),
    }[view])

with st.expander("What does the score tell us?", expanded=True):
    e1, e2, e3 = st.columns([1, 1.1, 1], gap="large")
    with e1:
        st.markdown("**Direction and size.** The arrow points where log p grows fastest; its "
                    "length says how fast. Inside a Gaussian mode it points towards the mean (straight "
                    "at it for a round mode) and grows linearly with the distance from it:")
        st.latex(r"s_k(x) = -\Sigma_k^{-1}(x-\mu_k)")
    with e2:
        st.markdown("**A mixture** averages its modes' scores, each weighted by how much that mode "
                    "explains x (its responsibility):")
        st.latex(r"\nabla_x \log p = \sum_k \pi_k\, s_k")
        st.latex(r"\pi_k(x) = \frac{w_k\,\mathcal N_k(x)}{\sum_j w_j\,\mathcal N_j(x)}")
    with e3:
        st.markdown("**Over time** the forward process widens every mode, Σₖ → Σₖ + σₜ² I. "
                    "Once σₜ dwarfs the distances between modes, pₜ is one broad Gaussian and "
                    "the field is nearly")
        st.latex(r"\nabla_x \log p_t(x) \approx -\,\big(x - \overline{\mu}\big) \,/\, \sigma_t^2,"
                 r"\qquad \overline{\mu} = \textstyle\sum_k w_k \mu_k")
        st.markdown("with μ̄ the mixture's mean: a gentle pull towards the centre. Drag t to 1 and watch "
                    "the modes merge.")
