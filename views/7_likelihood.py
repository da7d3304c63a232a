"""Likelihood: log p_0(x) of a score model by the probability-flow ODE, against the true density."""

import numpy as np
import streamlit as st

from diffusion_core.likelihood import likelihood_nfe
from dashboard import likelihood, models, state
from dashboard.figures import lab as lfig

P = state.PERSIST_PREFIX + "likelihood_"
MAX_GRID, MAX_SAMPLES, MAX_STEPS = 40, 1000, 200
SOURCES = {"exact": "exact score", "learned": "learned (Train & sample)"}
PRIORS = {"gaussian": "prior N(0, σ₁² I)", "exact": "the true p₁ (a fair test)"}
SOLVER_LABELS = {"heun": "Heun", "rk4": "RK4"}


shared = state.settings()
gmm = state.current_mixture()
st.title("Likelihood by the probability-flow ODE")
st.markdown(
    "A score model is also a **density model**: run the probability-flow ODE from a point x up to "
    "t = 1 and add up how much the flow compresses space on the way (its divergence); the "
    "prior's log-density at the end plus that sum is log p₀(x). Here it is computed on a grid and "
    f"at true samples of **{shared.mixture_name}**, and compared with the exact log-density.")
st.latex(r"\frac{d}{dt}\log p_t(x_t) = -\nabla_x\!\cdot\tilde f(x_t,t)"
         r"\quad\Rightarrow\quad"
         r"\log p_0(x) = \log p_1(x_1) + \int_{0}^{1} \nabla_x\!\cdot\tilde f(x_t,t)\,dt")
st.caption(r"along the probability-flow ODE $\frac{dx_t}{dt} = \tilde f(x_t,t) = f(t)\,x_t - "
           r"\frac12 g(t)^2\, s(x_t,t)$, from $x_0 = x$ to $x_1$; $s$ is the score (exact or learned).")

learned = models.learned_model()
c1, c2, c3, c4 = st.columns(4, gap="medium")
source = state.widget(c1.radio, P + "source", format_func=SOURCES.get)
prior = state.widget(c1.radio, P + "prior", format_func=PRIORS.get,
                     help="A model only knows the prior N(0, σ₁² I); the true p₁ is the data blurred "
                          "by noise of std σ₁: wider than the prior by the data's own spread, and "
                          "off-centre where the data's mean is not 0. How much that changes "
                          "log p₀ is computed under the metrics.")
if source == "learned" and learned is None:
    source = "exact"
    missing_model = True
else:
    missing_model = False
if source == "exact":
    lam = state.widget(c2.slider, P + "lam", step=1.0)
else:
    lam = learned[1]
    c2.caption(f"The ODE runs on λ = {lam:g}, the learned model's own process.")
t_eps = state.widget(c2.select_slider, P + "t_eps",
                     format_func=lambda v: f"{v:.0e}",
                     help="The ODE starts at t = ε, so it measures p at ε: p₀ blurred "
                          "by noise of std σ(ε).")
steps = state.widget(c3.slider, P + "steps", step=10,
                     help="Karras grid from ε to 1. Each step evaluates the score 2 (Heun) or "
                          "4 (RK4) times, each with 2 backward passes for the exact divergence.")
solver = state.widget(c3.radio, P + "solver", format_func=SOLVER_LABELS.get, horizontal=True,
                      help="Heun: 2 score evaluations per step, error ∝ h². RK4: 4, error ∝ h⁴.")
grid_n = state.widget(c4.slider, P + "grid", step=5)
n = state.widget(c4.slider, P + "n", step=100)
if missing_model:
    st.info("No network is trained for this distribution and device yet (or its training diverged): "
            "open the Train & sample page (it trains one for the whole server, once), then come back. "
            "Showing the exact score meanwhile.")
    st.page_link("views/4_train.py", label="Go to Train & sample", icon=":material/model_training:")

cfg, device = (learned[0], shared.device) if source == "learned" else (None, "cpu")
with st.spinner("Integrating the probability-flow ODE with its divergence…"):
    res = likelihood.likelihood(gmm, float(lam), source, int(grid_n), int(n), int(steps), solver, prior,
                     float(t_eps), shared.seed, cfg, device)

if not res["finite"]:
    st.error("The ODE produced non-finite values: the score is unusable at some points "
             "(a diverged model?). Try the exact score.")
else:
    err = np.abs(res["ode_s"] - res["true_s"])
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("mean |ODE − exact|", likelihood.nats(err.mean()),
              help=f"Over the {len(err)} true samples; largest {likelihood.nats(err.max())}.")
    m2.metric("mean log-likelihood, ODE", likelihood.mean_ll(res["ode_s"]))
    m3.metric("mean log-likelihood, exact", likelihood.mean_ll(res["true_s"]),
              help="The average of log p₀ over the true samples: minus the entropy estimate.")
    m4.metric("score evaluations", f"{likelihood_nfe(solver, steps)}", help=f"{res['seconds']:.1f} s for "
              f"{int(grid_n) ** 2 + int(n)} points")
    if note := likelihood.cancel_note(res["ode_s"], res["true_s"]):
        st.caption(note)
    st.markdown(likelihood.parts_text(res, source))
    st.image(likelihood.maps_png(res, likelihood.maps_title(source)), width="stretch")
    if note := likelihood.grid_note(gmm, res):
        st.caption(note)
    left, right = st.columns([1, 1.2], gap="large")
    with left:
        st.altair_chart(lfig.likelihood_scatter(res["ode_s"], res["true_s"]), width="stretch")
    with right:
        st.markdown(
            "**Reading the maps.** The right panel is ODE − exact at each grid point: the same "
            "parts as above, each point's own. "
            + ("The prior's mismatch enters through the point's ODE end point x₁, the blur of σ(ε) "
               "through p₀ near the point" if prior == "gaussian" else
               "With the true p₁ at the end there is no prior mismatch; the blur of σ(ε) enters "
               "through p₀ near the point")
            + ", and the integrator's error (with a learned score, "
            "the network's too) along the path between them. " + lfig.grey_rule(sentence=True))
        st.markdown(
            "**The divergence** ∇·f̃ is computed exactly by automatic differentiation, one "
            "backward pass per dimension (2 here); in high dimensions one would estimate it with "
            "random probes (Hutchinson's trace estimator).")
