"""Flow matching: straight training lines, the curved flow they teach, and the VE PF-ODE beside it."""
import streamlit as st

from dashboard.figures import flow as ffig
from dashboard import flow as flowpage, lessons
from dashboard.figures.guidance import outside
from dashboard import state

P = state.PERSIST_PREFIX + "flow_"
N_PATHS, PATH_STEPS, N_QUALITY = 200, 100, 1000


shared = state.settings()
gmm = state.current_mixture()
st.title("Flow matching: straight lines in training, curved paths in sampling")
st.markdown(
    "Flow matching moves noise to data along the **straight line** xₜ = (1 − t) x₀ + t ε and "
    "learns the velocity that carries the whole cloud: v(x, t) = E[ε − x₀ | xₜ = x], integrated "
    "from t = 1 (noise) to t = 0 (data). Below, the same starting noise goes through the exact "
    f"flow of **{shared.mixture_name}** and through the VE probability-flow ODE (started at "
    "σ₁ε); then sample quality against the number of velocity evaluations, and a network "
    "trained by plain regression on ε − x₀.")
st.latex(r"\mathcal{L}(\theta) = \mathbb{E}_{t,\,x_0,\,\varepsilon}\,\big\|v_\theta\big((1-t)\,x_0 + t\,\varepsilon,\ t\big) - (\varepsilon - x_0)\big\|^2")
st.markdown("**Question:** the straight lines of single pairs cross each other, yet the learned "
            "paths are curved. Why, and what does one round of rectification change?")

c1, c2, c3 = st.columns(3, gap="medium")
lam = state.widget(c1.slider, P + "lam", step=1.0,
                help="The VE probability-flow ODE starts at σ₁ε, σ₁ ≈ λ for large λ.")
learned = state.widget(c2.toggle, P + "learned",
                    help="A FlowNet (the Train page's MLP, our recipe) trained once per settings.")
rectify = state.widget(c3.toggle, P + "rectify", disabled=not learned,
                    help="Push fresh noise through the learned flow, then train a second network on "
                         "those (data, noise) pairs: one round of rectified flow. A second training.")
rectify = bool(rectify and learned)
cfg = lessons.recipe(shared.seed) if learned else None
if learned:
    box = st.empty()
    flowpage.flow_net(cfg, gmm, shared.device, progress=box)
    if rectify:
        flowpage.rectified_net(cfg, gmm, shared.device, progress=box)

view = flowpage.paths_view(gmm, float(lam), N_PATHS, PATH_STEPS, shared.seed, cfg, rectify, shared.device)
straight, pairs = view["straight"], view["pairs"]
story = flowpage.path_story(gmm, float(lam), N_PATHS, PATH_STEPS, shared.seed)


@st.fragment     # the paths slider reruns the paths chart and its caption only
def paths_section():
    n_paths = state.widget(st.columns(3, gap="medium")[0].slider, P + "paths", step=10)
    ve_out = outside(view["ve_start"][:int(n_paths)], *flowpage.flow_limits(gmm))
    st.vega_lite_chart(flowpage.paths_spec(view, n_paths), width="content")
    st.download_button("Figure (PNG)", lambda: flowpage.paths_png(gmm, float(lam), N_PATHS, PATH_STEPS, shared.seed,
                                                          int(n_paths), cfg, rectify, shared.device),
                       file_name="flow_paths.png", mime="image/png", on_click="ignore", icon=":material/download:")
    st.caption(
        f"Orange: {flowpage.N_PAIRS} independent training pairs (x₀ ~ p₀, ε ~ N(0, I)), each the straight "
        f"segment xₜ = (1 − t) x₀ + t ε; {pairs['crossings']} of their {pairs['pairs']} pairs of "
        f"segments cross. The other panels: {n_paths} of {N_PATHS} paths, {PATH_STEPS} Heun steps "
        "each, from the same noise (hollow circles) to samples (dots). " + flowpage.PATHS_MEET + " "
        f"Straightness, |x₁ − x₀| over path length (1 = straight), over all {N_PATHS} paths computed: "
        + ", ".join(f"{k} {v:.3f}" for k, v in straight.items()) + "."
        + (f" {ve_out} of the {n_paths} VE paths drawn start outside the panel (at σ₁ε) and enter from "
           "its edge." if ve_out else ""))


paths_section()
df = flowpage.quality(gmm, float(lam), N_QUALITY, shared.seed, cfg, shared.device, rectify)
noise = flowpage.quality_noise(gmm, N_QUALITY, shared.seed)
landing, landing_text = flowpage.ve_landing(story, df, noise)
(st.warning if landing == "miss" else st.markdown)(landing_text)
glide = story["ve_glide"]
errors = flowpage.straightness_errors(gmm, float(lam), N_PATHS, PATH_STEPS, shared.seed, cfg, rectify,
                                      shared.device)
why = flowpage.glide_sentence(story, errors)
st.markdown(
    flowpage.which_straighter(straight, story, flowpage.endpoints_off(
        gmm, float(lam), N_PATHS, PATH_STEPS, shared.seed, cfg, rectify, shared.device) if learned else None,
        errors, df, noise)
    + " The VE paths start at σ₁ε with "
    f"σ₁ = {story['sigma1']:.2f}, {flowpage.times_spread(story['sigma1'], story['spread'])}: "
    f"{glide:.0%} of their length is travelled while σₜ > s"
    + (", a nearly straight glide inwards; they bend in the rest, where the mode is decided."
       if glide > 0.5 else ", so they have little glide inwards.")
    + f" {flowpage.flow_start_phrase(story['spread'])}: "
    "its paths bend where they commit to a mode." + why
    + " Straight pairs do not make straight marginal paths; rectification trains on the flow's own "
    "(x₀, ε) pairs, coupled by the flow itself instead of drawn independently, which is meant to straighten its paths"
    + (": " + flowpage.rectify_phrase(straight, errors) if rectify else "."))

st.subheader("Sample quality per velocity evaluation")
left, right = st.columns([1.5, 1], gap="large")
lowest_miss = flowpage.lowest_miss_sentence(df, noise)
with left:
    st.altair_chart(ffig.quality_chart(flowpage.with_readings(df, noise), noise=noise["sw2"], sees=flowpage.sees_guides(noise)), width="stretch")
    st.caption(f"Sliced W₂ between {N_QUALITY} samples and {N_QUALITY} true samples; solid Heun, "
               "dashed Euler, log scales; lower is better only among samples that lie on the modes (each "
               f"point's tooltip counts those off every mode). Grey dotted line: true samples' level ({noise['sw2']:.3f}), "
               "the measure's noise level, not a floor: "
               f"{noise['draws']} fresh sets of {N_QUALITY} true samples score from {noise['sw2_low']:.3f} to "
               f"{noise['sw2']:.3f}, and a sampler can land below the line by chance. That spread, "
               f"{noise['spread']:.3f}, is how far apart two equally good samplers can score, so two scores "
               "closer than it are not ranked. " + flowpage.sees_guides_words(noise) + " "
               + (lowest_miss + " " if lowest_miss else "")
               + flowpage.quality_sentence(df, noise, min(flowpage.FLOW_STEPS)) + " "
               + flowpage.quality_sentence(df, noise, max(flowpage.FLOW_STEPS)))
with right:
    st.markdown(flowpage.line_once(
        "**Why straight is cheap.** An integrator is exact on a straight line: one Euler step "
        "along a constant velocity lands on the end point. " + flowpage.cheap_sentence(df, noise)
        + " " + flowpage.ve_grid_sentence(df, noise, story)
        + flowpage.networks_steps_sentence(df, noise)
        + flowpage.integrators_sentence(gmm, df, noise, shared.seed)
        + flowpage.straight_cost_sentence(df, noise, straight, errors, glide, story), noise))

if learned:
    st.subheader("The learned velocity against the exact one")
    err = flowpage.velocity_error(cfg, gmm, shared.device, shared.seed, rectify)
    c1, c2 = st.columns([1.5, 1], gap="large")
    c1.altair_chart(ffig.error_chart(err), width="stretch")
    worst = err[err["field"] == "learned flow"].sort_values("mse").iloc[-1]
    mean = err[err["field"] == "learned flow"]["mse"].mean()
    c1.caption(f"Mean squared error per coordinate of the network's velocity against the exact one, at draws "
               f"xₜ of pₜ, by t (log scale). The learned flow: {mean:.3g} on average over t, "
               f"largest at t = {worst['t']:.2f} ({worst['mse']:.3g})."
               + (" The rectified network learns a different, straighter field on purpose: its "
                  "'error' measures how far it moved from the marginal velocity." if rectify else ""))
    c2.markdown(
        "**Regression, not score matching.** The network sees a noisy point and the time, and "
        "is asked for ε − x₀ of the pair that made it; the best it can do is the average over "
        "all pairs through that point, which is exactly the marginal velocity v. No σₜ "
        "weighting, no preconditioning: the target has unit scale at every t.")
