"""Home: the idea in three lines, the sidebar's distribution blurred, and the way through the pages."""
import streamlit as st

from dashboard import home, state

st.title("Diffusion models, hands on")
st.markdown(
    "A diffusion model learns to **turn noise into data** by reversing a process that turns "
    "data into noise. The forward process blurs a distribution p₀ with growing Gaussian noise; "
    "the **score** ∇ₓ log pₜ(x) of every blurred version tells which way is more likely; "
    "following it backwards in time, with the right amount of noise, walks samples from pure "
    "noise back to the data.")
st.latex(r"\text{forward: } dx = g(t)\,dw \qquad "
         r"\text{reverse: } dx = -g(t)^2\,\nabla_x \log p_t(x)\,dt + g(t)\,d\bar w")
picture = home.home_image()
if picture is not None:
    st.markdown(home.image_html(picture, "p₀ blurred by the forward process"), unsafe_allow_html=True)
    st.caption(f"The sidebar's distribution, {state.settings().mixture_name}, blurred by the "
               f"tutorial's forward process (λ = {home.LAM:g}): red points are samples xₜ, blue the density pₜ.")
text, chart = st.columns([1.5, 1], gap="large")
text.markdown(
    "**How to use it.** Pick a distribution, a device and a seed in the sidebar; they apply to "
    "every page. Then walk through the pages in order:\n"
    "1. **Forward diffusion**: how noise blurs data, with the noise growth λ as a slider.\n"
    "2. **Score field**: the score of a 2D Gaussian mixture, split into its modes.\n"
    "3. **Exact-score reversal**: the reverse SDE with the exact score turns noise into data.\n"
    "4. **Train & sample**: learn the score by denoising, then sample with it.\n\n"
    "The **classroom lab** goes further: edit the distribution, race samplers against each "
    "other, compute likelihoods, watch a network memorize its training set, compare loss "
    "weightings, guide samples towards a class, follow straight flow-matching paths, "
    "turn your own drawing into the distribution, and train a diffusion model on real 8×8 "
    "handwritten digits.\n\n"
    "*Reset to tutorial defaults* in the sidebar puts every setting back.")
chart.vega_lite_chart(home.noise_chart(), width="stretch")
chart.caption(home.noise_caption(picture is not None))
