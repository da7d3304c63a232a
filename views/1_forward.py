"""Forward diffusion: noise blurs data into a Gaussian (the tutorial's Interactive Demo 1.1)."""
import streamlit as st
import torch

import diffusion_core as dc
from dashboard import forward, state
from dashboard import settings as sio

P = state.PERSIST_PREFIX + "forward_"
MAX_PATHS, MAX_POINTS = 500, 1000
DEFAULT_VP = dict(beta_min=0.1, beta_max=20.0)
TWO_CLUSTERS = forward.TWO_CLUSTERS


shared = state.settings()
st.title("Forward diffusion: from data to noise")
intro = st.empty()          # says whether p₁ is one Gaussian here: filled once the 1D bumps are computed

# ----------------------------------------------------------------------------- the process
c_ctl, c_sched = st.columns([1, 1.35], gap="large")
with c_ctl:
    kind = state.widget(st.radio, P + "kind", horizontal=True,
                        format_func={"VE": "VE: dx = λᵗ dw  (the tutorial's)",
                                     "VP": "VP: shrink and add noise"}.get)
    if kind == "VE":
        lam = state.widget(st.slider, P + "lam", step=0.1,
                           help="λ > 1: noise grows over time; λ = 1: constant; λ < 1: shrinking noise. "
                                "The buttons below set the values the lesson uses; arrow keys move by 0.1.")
        lam_field = sio.SCHEMA[P + "lam"]
        state.pick_buttons(st, P + "lam", forward.lambda_picks(lam_field.lo, lam_field.hi), "forward_pick")
        sde = dc.VESDE(lam)
        if lam != 1:
            st.latex(r"dx = \lambda^t\,dw,\qquad \sigma_t^2 = \frac{\lambda^{2t}-1}{2\ln\lambda}")
        else:       # the closed form is 0/0 here: its limit, with the words beside it (it fits the column)
            st.latex(r"dx = dw,\qquad \sigma_t^2 = t")
            st.caption("At λ = 1 the formula (λ²ᵗ − 1) / (2 ln λ) is 0/0: σₜ² = t is its limit.")
    else:
        b1, b2 = st.columns(2)
        bmin = state.number_field(b1, P + "beta_min", step=0.1)
        bmax = state.number_field(b2, P + "beta_max", step=0.5)
        try:
            sde = dc.VPSDE(bmin, bmax)
        except (TypeError, ValueError):
            if bmin is not None and bmax is not None:
                st.error(f"**β(1)** must be larger than **β(0)**; got β(0) = {bmin:g}, β(1) = {bmax:g}. "
                         f"Showing β(0) = {DEFAULT_VP['beta_min']:g}, β(1) = {DEFAULT_VP['beta_max']:g}.")
            sde = dc.VPSDE(**DEFAULT_VP)
        st.latex(r"dx = -\tfrac12\beta(t)\,x\,dt + \sqrt{\beta(t)}\,dw")
        st.latex(r"\beta(t) = \beta(0) + t\,(\beta(1)-\beta(0))")
    one = torch.tensor(1.0, dtype=torch.float64)
    sigma1, alpha1 = float(sde.sigma(one)), float(sde.mean_scale(one))
    m1, m2 = st.columns(2)
    m1.metric("noise std at t = 1, σ₁", f"{sigma1:#.3g}",
              help="Generation starts from pure noise at t = 1: for VE, σ₁ must dwarf the spread of the "
                   "data; for VP, the signal left α₁ must be near 0.")
    if kind == "VP":
        m2.metric("signal left at t = 1, α₁", f"{alpha1:#.3g}",
                  help="x₁ = α₁ x₀ + σ₁ z: generation starts from N(0, I), which is right only "
                       "when α₁ ≈ 0.")
        if alpha1 > 0.05:
            st.warning(f"With β(1) = {sde.beta_max:g}, x₁ still holds {alpha1:.0%} of x₀: the "
                       "process does not reach N(0, I) by t = 1. Raise β(1).")
with c_sched:
    st.altair_chart(forward.schedule_chart(sde, kind == "VP"), width="stretch")

# ----------------------------------------------------------------------------- 1D
heading = st.empty()
c_plot, c_side = st.columns([3, 1], gap="medium")
with c_side:
    n_paths = state.widget(st.slider, P + "n_paths", step=10)
    show_density = state.widget(st.checkbox, P + "density")
    mix = forward.mixing_1d(sde, n_paths, shared.seed)
    heading.subheader("1D: two bumps blur into one" if mix["modes"] == 1 else "1D: two bumps blur, still two at t = 1")
    intro.markdown(forward.intro_sentence(mix))
    st.markdown(
        "x₀ is drawn from N(−5, 1) or N(5, 1) (colour: which). Every path gets independent "
        "Gaussian kicks, so paths from both modes **mix** when each bump's spread at t = 1 is large "
        "next to the gap between the modes. " + forward.mixing_sentence(mix, kind)
        + " From x₁ alone, " + forward.guess_sentence("the starting bump", mix["guess"], 0.5)
        + ("\n\nTry λ = 1 (σₜ² = t, noise barely spreads the modes), λ < 1, and λ = 50."
           if kind == "VE" else "\n\nTry β(1) = 5 and β(1) = 50."))
with c_plot:
    st.altair_chart(forward.paths_1d_chart(sde, n_paths, shared.seed, show_density), width="stretch")

# ----------------------------------------------------------------------------- 2D
st.subheader("2D: a point cloud spreading out")
c_cloud, c_opts = st.columns([1.25, 1], gap="large")
with c_opts:
    source = state.widget(st.radio, P + "source",
                          format_func={TWO_CLUSTERS: "the tutorial's two clusters at "
                                                     + forward.places(dc.PRESETS[TWO_CLUSTERS]),
                                       "sidebar": f"the sidebar distribution ({shared.mixture_name})"}.get)
    n_points = state.widget(st.slider, P + "n_points", step=50)
    follow = state.widget(st.radio, P + "axes", horizontal=True,
                          format_func={"follow": "follow the cloud at t", "fixed": "fixed for t = 0 to 1"}.get,
                          help="Following axes keep the cloud readable at every t, also while it is small; "
                               "fixed axes show how its size changes on one scale.") == "follow"
    gmm2 = dc.PRESETS[TWO_CLUSTERS] if source == TWO_CLUSTERS else state.current_mixture()
    guess = forward.cloud_guess(gmm2, sde)
    st.markdown(
        "Drag the **time t** slider under the plot: it runs in the browser, no waiting. "
        "The colours show where each point started. " + forward.guess_text(guess))
    st.download_button("⬇ Download as animated GIF", key="forward_gif",
                        data=lambda: forward.cloud_gif(gmm2, sde, n_points, shared.seed),
                        file_name=f"forward_{kind}_{source.replace(' ', '_')}.gif", mime="image/gif",
                        on_click="ignore", help="51 frames, t = 0 to 1, on fixed axes, made with Pillow.")
with c_cloud:
    st.altair_chart(forward.cloud_chart(gmm2, sde, n_points, shared.seed, follow), width="content")
    st.caption(forward.axes_text(gmm2, sde, n_points, shared.seed, follow))

# ----------------------------------------------------------------------------- formulas
st.subheader("The formulas")
f_ve, f_vp = st.columns(2, gap="large")
with f_ve:
    st.markdown("**VE (variance exploding)**: the tutorial's process")
    st.latex(r"dx = g(t)\,dw,\qquad g(t) = \lambda^t")
    st.latex(r"\sigma_t^2 = \int_0^t \lambda^{2s}\,ds = \frac{\lambda^{2t}-1}{2\ln\lambda}"
             r"\quad\xrightarrow{\;\lambda\to1\;}\quad t")
    st.latex(r"x_t \mid x_0 \sim \mathcal N(x_0,\ \sigma_t^2 I)")
    st.markdown(
        "The tutorial calls it \"VPSDE\", but it is a **VE** SDE: x₀ is never scaled down and "
        "the variance grows without bound as λ grows (σ₁ ≈ λ / √(2 ln λ) for large λ). "
        "Marginally pₜ = p₀ ∗ N(0, σₜ² I): the data blurred by a Gaussian.")
with f_vp:
    st.markdown("**VP (variance preserving)**: shrink the signal while adding noise")
    st.latex(r"dx = -\tfrac12\beta(t)\,x\,dt + \sqrt{\beta(t)}\,dw")
    st.latex(r"\alpha_t = e^{-\frac12\int_0^t \beta(s)\,ds},\qquad \sigma_t^2 = 1-\alpha_t^2")
    st.latex(r"x_t \mid x_0 \sim \mathcal N(\alpha_t x_0,\ \sigma_t^2 I)")
    st.markdown(
        "For data of unit variance the total variance stays about 1, and generation starts "
        "from N(0, I) instead of a very wide Gaussian.")
st.caption(
    "Paths are simulated exactly, not by Euler steps: with rₜ = σₜ / αₜ, xₜ / αₜ is a Brownian "
    "motion in the clock rₜ², so from a time s to a later time t it moves by an independent "
    "Gaussian step: xₜ/αₜ = xₛ/αₛ + √(rₜ² − rₛ²) z.")
