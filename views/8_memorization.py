"""Memorization: a score network trained on a handful of points, against the empirical score."""
import time

import streamlit as st

from dashboard import downloads, memorization, models, state
from dashboard.figures import memorization as mfig
from dashboard.train import training_time_text

P = state.PERSIST_PREFIX + "memo_"
NAMES = memorization.NAMES
SWEEP_POINTS = memorization.SWEEP_POINTS

shared = state.settings()
gmm = state.current_mixture()


st.title("Memorization")
st.markdown(
    "Train the score network on only **a handful of points** and compare it with the exact score "
    "of those points' *empirical* distribution. Diffused to time t, N training points become N "
    "Gaussians of width σₜ, one on each point, and the score of that mixture is what denoising "
    "score matching is asked to learn:")
st.latex(r"p_t(x) = \frac1N \sum_{i=1}^N \mathcal N(x;\, x_i,\, \sigma_t^2 I), \qquad "
         r"\nabla_x \log p_t(x) = \sum_{i=1}^N w_i(x)\, \frac{x_i - x}{\sigma_t^2}")
st.markdown("where wᵢ(x) ∝ exp(−‖x − xᵢ‖² / 2σₜ²) is how close x is to point i, relative to the "
            "others (the weights sum to 1).")

with st.container(border=True):
    c1, c2, c3 = st.columns(3)
    n_points = state.widget(c1.slider, P + "points",
                            help="Drawn once from the sidebar's distribution (with the sidebar seed).")
    steps = state.widget(c2.slider, P + "steps", step=100,
                         help="Minibatches of 128 draws of the points. More steps: closer to the optimum.")
    width = state.widget(c3.select_slider, P + "width",
                         help="Two hidden layers of this width.")
    fraction = state.widget(c1.slider, P + "radius", step=0.01,
                            help="A sample closer than r to a training point counts as memorized. r is "
                                 "this fraction of the data's own length scale: the smaller of the "
                                 "narrowest mode's standard deviation (0.15 on ring8) and the median "
                                 "distance from each of N fresh draws to the nearest of the others. So the same setting means the same "
                                 "thing on every distribution and for every N: fresh draws rarely "
                                 "land that close to a training point by chance.")
    n_samples = state.widget(c2.slider, P + "samples",
                             step=100)
    c3.caption(f"Reverse SDE with {memorization.SAMPLER_STEPS} steps, λ = {memorization.LAM:g}; distribution "
               f"**{shared.mixture_name}**, seed **{shared.seed}**, device **{shared.device}** "
               "(sidebar). The network is trained once per setting on this server, then stored.")

mode_std, gap, scale = memorization.data_scales(gmm, n_points)
radius = fraction * scale
points = memorization.training_points(gmm, n_points, shared.seed)
cfg, emp, _ = memorization.model_job(gmm, n_points, steps, width, shared.seed)
stored = models.is_trained(cfg, emp, memorization.LAM, shared.device)
start = time.perf_counter()
model = models.trained_model(cfg, emp, memorization.LAM, shared.device, _progress=st.empty())
st.caption(training_time_text(stored, time.perf_counter() - start, model.seconds))

if model.diverged:
    st.error("**Training diverged**: the loss became NaN or infinite. Try fewer **training steps** "
             "or another seed; the exact scores below are unaffected.")
sets = memorization.sample_sets(cfg, emp, gmm, n_samples, shared.seed, shared.device,
                                learned=not model.diverged)
stats = memorization.distance_stats(sets, points, radius)

base = stats[NAMES["truth"]]["rate"]
chance = memorization.chance_rate(gmm, points, radius, shared.seed)
st.caption(memorization.radius_caption(fraction, n_points, mode_std, gap, scale, base, n_samples, chance))
cols = st.columns(len(sets))
for col, (name, s) in zip(cols, stats.items()):
    col.metric(name, memorization.rate_text(s["rate"]),
               help=f"Memorization rate: the fraction of {n_samples} samples within r = {radius:.3g} "
                    "of a training point.")
    if name == NAMES["truth"]:
        col.caption(f"the baseline: fresh data this close by chance · median distance to the "
                    f"nearest training point **{s['median']:.3g}**")
    else:
        col.caption(f"vs **{memorization.rate_text(base)}** for fresh draws (baseline) · median distance to the "
                    f"nearest training point **{s['median']:.3g}**")
titles = tuple(f"{name}\n{memorization.rate_text(s['rate'])} within r" + ("  (the baseline)" if name == NAMES["truth"]
                                                      else f"  (fresh draws: {memorization.rate_text(base)})")
               for name, s in stats.items())

view = memorization.samples_view(sets, points, gmm)
st.vega_lite_chart(memorization.samples_spec(view, radius, titles), width="content")
if note := memorization.radius_note(radius, view):
    st.caption(note)
st.altair_chart(mfig.distance_histogram({k: v["d"] for k, v in stats.items()}, radius, memorization.COLORS),
                width="stretch")

st.markdown(
    "**Why the exact score memorizes.** For a finite data set the optimum of the denoising loss *is* "
    "the empirical score above: near t = 0 it points every x at its nearest training point, so a "
    "perfect learner, sampled down to t = 0, can only reproduce the training set."
    + memorization.exact_score_text(sets[NAMES["empirical"]], points, radius, chance)
    + " A network generalizes because it is "
    "*imperfect*: limited width, finite training and smooth functions blur the N spikes into a "
    "density. With few points and many steps it comes closer to the optimum and memorizes more; "
    "with more points it memorizes less, and its rate moves towards that of fresh draws."
    + (memorization.network_vs_fresh(stats[NAMES["learned"]]["rate"], base, n_samples, n_points, chance=chance)
       if NAMES["learned"] in stats else ""))

d1, d2, d3 = st.columns(3)
with d1:
    downloads.download_csv(points, "training_points.csv", "Training points (CSV)")
with d2:
    if NAMES["learned"] in sets:
        downloads.download_csv(sets[NAMES["learned"]], "network_samples.csv", "Network samples (CSV)")
with d3:
    st.download_button("Figure (PNG)", lambda: memorization.samples_png(sets, points, radius, gmm, titles),
                       file_name="memorization.png", mime="image/png",
                       on_click="ignore", icon=":material/download:")

with st.expander("Sweep: memorization rate against the number of training points"):
    st.caption(f"Trains one network per N in {', '.join(map(str, SWEEP_POINTS))} ({memorization.SWEEP_STEPS} steps, "
               f"width {memorization.SWEEP_WIDTH}; each trained once per server, then stored) and measures the "
               f"rate at r = {fraction:g} × the data's scale for that N with {n_samples} samples, next "
               "to the rate of as many fresh draws of the true distribution (the baseline: how often "
               "a fresh draw lands that close by chance; the text under the chart gives its range). Each rate "
               f"is measured on {n_samples} samples of one network per N, so it carries sampling "
               "noise (the error bars) and the luck of one training run.")
    key = (shared.mixture_name, gmm.key(), fraction, n_samples, shared.seed, shared.device)
    if st.button("Run the sweep", icon=":material/play_arrow:") or st.session_state.get("memo_sweep_done") == key:
        bar = st.progress(0.0, text="Training…")
        rows = []
        for i, n in enumerate(SWEEP_POINTS):
            bar.progress(i / len(SWEEP_POINTS), text=f"Training on N = {n} points ({i + 1} of {len(SWEEP_POINTS)})…")
            r = memorization.sweep_point(gmm, n, fraction, n_samples, shared.seed, shared.device)
            rows.append((n, r["network"], r["truth"]))
        bar.empty()
        st.session_state["memo_sweep_done"] = key
        st.altair_chart(mfig.rate_sweep_chart(memorization.sweep_frame(rows, n_samples)), width="stretch")
        panel = ({"n": n_points, "rate": stats[NAMES["learned"]]["rate"], "steps": steps, "width": width}
                 if NAMES["learned"] in stats else None)
        st.markdown(memorization.sweep_text(rows, n_samples, panel=panel))
