"""Score field: grad log p_t of the sidebar mixture, in total and mode by mode (tutorial 1.2)."""
import numpy as np
import streamlit as st

import diffusion_core as dc
from dashboard.figures import score_field as sfig
from dashboard.figures.common import mode_colors
from dashboard import state

P = state.PERSIST_PREFIX + "score_"
VIEWS = {"total": "Total score", "modes": "Per-mode scores", "weighted": "Weighted modes vs total"}
MAX_SAMPLES, MAX_GRID, DENSITY_GRID = 1000, 40, 100


@state.cache_data
def score_field(gmm, sde, t: float, where: str, n: int, seed: int):
    """p_t = gmm diffused to t; its log density (total and per mode) on a grid, points where the
    arrows start (samples of p_t or a grid), and the scores there. All numpy."""
    return sfig.field_data(gmm, sde, t, where, n, seed, DENSITY_GRID)


def key_magnitude(gmm, sde, t: float, where: str, n: int, seed: int, scale: str) -> float:
    """The |score| drawn as the key arrow: a robust size of the t = 0 field (fixed: the same
    for every t, so the arrows shrink with the score) or of this picture's (fitted)."""
    f = score_field(gmm, sde, 0.0 if scale == "fixed" else t, where, n, seed)
    return sfig.reference_magnitude(f["total"], f["resp"])


@state.cache_data
def score_png(gmm, sde, t: float, where: str, n: int, seed: int, view: str, lengths: str,
              scale: str) -> bytes:
    """The chosen view as PNG bytes (rendering is the slow part: cache it too)."""
    f = score_field(gmm, sde, t, where, n, seed)
    m = key_magnitude(gmm, sde, t, where, n, seed, scale)
    colors = mode_colors(gmm.n_components)
    title = f"t = {t:.2f},  σ_t = {f['sigma']:.3g}"
    fixed = scale == "fixed"
    if view == "total":
        fig = sfig.total_score_figure(f["xx"], f["yy"], f["logp"], f["pts"], f["total"], lengths,
                                      title="score ∇ log p_t,  " + title, resp=f["resp"],
                                      magnitude=m, fixed=fixed)
    elif view == "modes":
        fig = sfig.mode_scores_figure(f["xx"], f["yy"], f["comp_logp"], f["pts"], f["comp_scores"],
                                      colors, lengths=lengths, title="per-mode scores,  " + title,
                                      resp=f["resp"], magnitude=m, fixed=fixed)
    else:
        fig = sfig.weighted_scores_figure(f["xx"], f["yy"], f["comp_logp"], f["pts"],
                                          f["comp_scores"], f["resp"], f["total"], colors,
                                          title="weighted modes vs total,  " + title,
                                          magnitude=m, fixed=fixed)
    return sfig.figure_png(fig, dpi=100)


settings = state.settings()
gmm = state.current_mixture()
st.title("The score: which way is more likely?")
st.markdown(
    "The **score** of a distribution is the gradient of its log density, s(x) = ∇ₓ log p(x): "
    "at every point an arrow towards **higher probability**. Generation follows these arrows "
    f"backwards in time. Below: the sidebar distribution (**{settings.mixture_name}**), blurred "
    "by the VE forward process to time t.")

view = state.widget(st.radio, P + "view", format_func=VIEWS.get, horizontal=True,
                    label_visibility="collapsed")
c_fig, c_ctl = st.columns([2, 1], gap="medium")
with c_ctl:
    t = state.widget(st.slider, P + "t", step=0.01,
                     help="t = 0 is the data distribution itself (the tutorial's picture).")
    lam = state.widget(st.slider, P + "lam", step=0.1)
    where = state.widget(st.radio, P + "where", horizontal=True,
                         format_func={"samples": "samples of p_t", "grid": "a regular grid"}.get)
    if where == "samples":
        n = state.widget(st.slider, P + "n", step=10)
    else:
        n = state.widget(st.slider, P + "grid")
    lengths = "proportional" if view == "weighted" else state.widget(
        st.radio, P + "lengths", horizontal=True,
        format_func={"equal": "equal (direction only)", "proportional": "∝ |score|"}.get,
        help="Scores near the modes are tiny and far away huge, and they shrink like 1/σ_t² as t "
             "grows: equal lengths keep every direction readable, colour shows the magnitude. "
             "Proportional arrows are drawn on the scale chosen below; the key arrow on the "
             "figure shows it.")
    scale = "fixed"
    if lengths == "proportional":
        scale = state.widget(
            st.radio, P + "arrow_scale", horizontal=True,
            format_func={"fixed": "fixed across t", "fitted": "fitted to this picture"}.get,
            help="Fixed: one scale for every t, taken from the t = 0 field, so the arrows shrink "
                 "as the score does (an arrow as long as the key is the same |score| at every t). "
                 "Fitted: rescaled for each picture, so the arrows stay readable at every t but "
                 "their lengths cannot be compared across t. Either way the longest arrows (near "
                 "a narrow mode) are clipped, so the others stay visible.")

sde = dc.VESDE(lam)
f = score_field(gmm, sde, t, where, n, settings.seed)
with c_fig:
    st.image(score_png(gmm, sde, t, where, n, settings.seed, view, lengths, scale), width="stretch")

with c_ctl:
    mag = np.linalg.norm(f["total"], axis=1)
    m1, m2 = st.columns(2)
    m1.metric("σ_t", f"{f['sigma']:.3g}", help="Noise std added by time t: every mode's "
              "covariance has grown by σ_t² I.")
    m2.metric("median |score|", f"{np.median(mag):.3g}", help="At the arrow positions.")
    if lengths == "proportional":
        key = key_magnitude(gmm, sde, t, where, n, settings.seed, scale)
        st.caption(f"Key arrow: |score| ≈ {key:.3g}, " + (
            "the typical size of the score at t = 0: the same on-screen length at every t, so "
            "the arrows shrink as t grows." if scale == "fixed" else
            "the typical size of the score in this picture: arrow lengths cannot be compared "
            "across t."))
    st.caption({
        "total": "Arrows: ∇ log p_t at each point, coloured by magnitude. Shading: log p_t "
                 "(darker = more likely).",
        "modes": "Each mode's score, as if it were alone: it points at that mode's mean, "
                 "whatever the other modes do. Ellipses: 1, 2, 3 σ of each mode.",
        "weighted": "Each mode's score times its responsibility π_k(x): where one mode owns a "
                    "point, its arrow is the total; in between they share. Coloured arrows add up "
                    "to the black total (one common scale).",
    }[view])

with st.expander("What does the score tell us?", expanded=True):
    e1, e2, e3 = st.columns([1, 1.1, 1], gap="large")
    with e1:
        st.markdown("**Direction and size.** The arrow points where log p grows fastest; its "
                    "length says how fast. Inside a Gaussian mode it points at the mean and grows "
                    "linearly with the distance from it:")
        st.latex(r"s_k(x) = -\Sigma_k^{-1}(x-\mu_k)")
    with e2:
        st.markdown("**A mixture** averages its modes' scores, each weighted by how much that mode "
                    "explains x (its responsibility):")
        st.latex(r"\nabla_x \log p = \sum_k \pi_k\, s_k")
        st.latex(r"\pi_k(x) = \frac{w_k\,\mathcal N_k(x)}{\sum_j w_j\,\mathcal N_j(x)}")
    with e3:
        st.markdown("**Over time** the forward process widens every mode, Σ_k → Σ_k + σ_t² I. "
                    "Once σ_t dwarfs the distances between modes, p_t is one broad Gaussian and "
                    "the field is nearly")
        st.latex(r"\nabla_x \log p_t(x) \approx -\frac{x - \bar\mu}{\sigma_t^2}")
        st.markdown("a gentle pull towards the centre: drag t to 1 and watch the modes merge.")
