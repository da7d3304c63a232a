"""Memorization: a score network trained on a handful of points, against the empirical score."""
import numpy as np
import pandas as pd
import streamlit as st
import torch

import diffusion_core as dc
from diffusion_core import memorization as mem
from dashboard.figures import memo as mfig
from dashboard.figures.common import auto_limits, density_grid
from dashboard import downloads, models, state

P = state.PERSIST_PREFIX + "memo_"
LAM = 25.0
SAMPLER_STEPS = 200
SWEEP_POINTS = (2, 5, 10, 20, 50)
SWEEP_STEPS, SWEEP_WIDTH = 1000, 128
NAMES = {"learned": "Network (learned score)", "empirical": "Empirical score (exact)",
         "truth": "True mixture (fresh draws)"}
COLORS = {NAMES["learned"]: mfig.LEARNED_COLOR, NAMES["empirical"]: mfig.EXACT_COLOR,
          NAMES["truth"]: mfig.TRUTH_COLOR}

settings = state.settings()
gmm = state.current_mixture()


@state.cache_data
def training_points(gmm, n: int, seed: int) -> np.ndarray:
    return mem.training_points(gmm, n, seed + 31).numpy()


@state.cache_data
def distance_stats(sets: dict, points: np.ndarray, radius: float) -> dict:
    """Per sample set: nearest-training-point distances, memorization rate, median distance."""
    out = {}
    for name, x in sets.items():
        d = mem.nearest_distances(x, points).numpy()
        out[name] = {"d": d, "rate": mem.memorization_rate(x, points, radius), "median": float(np.median(d))}
    return out


@state.cache_data(max_entries=16)
def samples_png(sets: dict, points: np.ndarray, radius: float, gmm, titles: tuple) -> bytes:
    xlim, ylim = auto_limits(gmm)
    xx, yy, logp = density_grid(gmm, xlim, ylim, n=100)
    fig = mfig.memorization_figure([(title, x, COLORS[name]) for (name, x), title in zip(sets.items(), titles)],
                                   points, radius, xlim, ylim, xx, yy, logp)
    return downloads.png_bytes(fig, dpi=100)


@state.cache_data
def data_scales(gmm, n: int) -> tuple:
    """(narrowest mode's std, typical distance between n fresh draws, the smaller of the two)."""
    return mem.mode_scale(gmm), mem.spacing(gmm, n), mem.data_scale(gmm, n)


@state.cache_data(max_entries=64)
def sweep_point(gmm, n: int, fraction: float, n_samples: int, seed: int, device: str) -> dict:
    """Train on n points (SWEEP_STEPS steps, width SWEEP_WIDTH), sample, and measure: the rates of
    the network's samples and of fresh draws from the true mixture, at the radius fraction x the
    data's scale for n points."""
    radius = fraction * data_scales(gmm, n)[2]
    pts = mem.training_points(gmm, n, seed + 31)
    sde = dc.VESDE(LAM)
    cfg = mem.memorization_config(n, SWEEP_STEPS, SWEEP_WIDTH, seed=seed)
    net, _ = mem.train_on_points(pts, sde, cfg, device=device)
    g = torch.Generator().manual_seed(seed + 21)
    with torch.inference_mode():
        x = dc.sample(lambda x, t: net(x.to(device), t.to(device)).cpu(), sde, n_samples,
                      SAMPLER_STEPS, generator=g).x
    truth, _ = gmm.sample(n_samples, generator=torch.Generator().manual_seed(seed + 22))
    return {"network": mem.memorization_rate(x, pts, radius), "truth": mem.memorization_rate(truth, pts, radius)}


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
                                 "narrowest mode's standard deviation (0.15 on ring8) and the typical "
                                 "distance between N fresh draws. So the same setting means the same "
                                 "thing on every distribution and for every N: fresh draws rarely "
                                 "land that close to a training point by chance.")
    n_samples = state.widget(c2.slider, P + "samples",
                             step=100)
    c3.caption(f"Reverse SDE with {SAMPLER_STEPS} steps, λ = {LAM:g}; distribution "
               f"**{settings.mixture_name}**, seed **{settings.seed}**, device **{settings.device}** "
               "(sidebar). Training takes a few seconds, once per setting.")

mode_std, gap, scale = data_scales(gmm, n_points)
radius = fraction * scale
points = training_points(gmm, n_points, settings.seed)
emp = mem.empirical_mixture(points, mem.DEFAULT_DELTA)
cfg = mem.memorization_config(n_points, steps, width, seed=settings.seed)
model = models.trained_model(cfg, emp, LAM, settings.device, _progress=st.empty())

sets = {}
if model.diverged:
    st.error("**Training diverged**: the loss became NaN or infinite. Try fewer **training steps** "
             "or another seed; the exact scores below are unaffected.")
else:
    sets[NAMES["learned"]] = models.learned_samples(cfg, emp, LAM, settings.device, "sde",
                                                    SAMPLER_STEPS, n_samples, settings.seed)
sets[NAMES["empirical"]] = models.exact_samples(emp, LAM, "sde", SAMPLER_STEPS, n_samples, settings.seed)
sets[NAMES["truth"]] = models.true_samples(gmm, n_samples, settings.seed)
stats = distance_stats(sets, points, radius)

base = stats[NAMES["truth"]]["rate"]
st.caption(f"Memorized: within r = {fraction:g} × {scale:.3g} = **{radius:.3g}** of a training point, "
           f"where {scale:.3g} is the data's scale: the smaller of the narrowest mode's standard "
           f"deviation ({mode_std:.3g}) and the typical distance between {n_points} fresh draws "
           f"({gap:.3g}). Fresh draws of the true distribution land that close by chance "
           f"**{base:.0%}** of the time: the baseline every rate is compared with.")
cols = st.columns(len(sets))
for col, (name, s) in zip(cols, stats.items()):
    col.metric(name, f"{s['rate']:.0%}",
               help=f"Memorization rate: the fraction of {n_samples} samples within r = {radius:.3g} "
                    "of a training point.")
    if name == NAMES["truth"]:
        col.caption(f"the baseline: fresh data this close by chance · median distance to the "
                    f"nearest training point **{s['median']:.3g}**")
    else:
        col.caption(f"vs **{base:.0%}** for fresh draws (baseline) · median distance to the "
                    f"nearest training point **{s['median']:.3g}**")
titles = tuple(f"{name}\n{s['rate']:.0%} within r" + ("  (the baseline)" if name == NAMES["truth"]
                                                      else f"  (fresh draws: {base:.0%})")
               for name, s in stats.items())

png = samples_png(sets, points, radius, gmm, titles)
st.image(png, width="stretch")
st.altair_chart(mfig.distance_histogram({k: v["d"] for k, v in stats.items()}, radius, COLORS),
                width="stretch")

st.markdown(
    "**Why the exact score memorizes.** For a finite data set the optimum of the denoising loss *is* "
    "the empirical score above: near t = 0 it points every x at its nearest training point, so a "
    "perfect learner can only reproduce the training set. A network generalizes because it is "
    "*imperfect*: limited width, finite training and smooth functions blur the N spikes into a "
    "density. With few points and many steps it comes closer to the optimum and memorizes more; "
    "with more points it cannot, and its samples look like fresh draws.")

d1, d2, d3 = st.columns(3)
with d1:
    downloads.download_csv(points, "training_points.csv", "Training points (CSV)")
with d2:
    if NAMES["learned"] in sets:
        downloads.download_csv(sets[NAMES["learned"]], "network_samples.csv", "Network samples (CSV)")
with d3:
    st.download_button("Figure (PNG)", png, file_name="memorization.png", mime="image/png",
                       on_click="ignore", icon=":material/download:")

with st.expander("Sweep: memorization rate against the number of training points"):
    st.caption(f"Trains one network per N in {', '.join(map(str, SWEEP_POINTS))} ({SWEEP_STEPS} steps, "
               f"width {SWEEP_WIDTH}; about 3 s each on a laptop CPU, then cached) and measures the "
               f"rate at r = {fraction:g} × the data's scale for that N with {n_samples} samples, next "
               "to the rate of as many fresh draws of the true distribution (the baseline, which "
               "stays low for every N because r shrinks with the spacing of the points). With few "
               "points the network's samples sit on the training points far more often than fresh "
               "data would; with many points it cannot reach the optimum, and its rate comes down "
               "towards the baseline.")
    key = (settings.mixture_name, gmm.key(), fraction, n_samples, settings.seed, settings.device)
    if st.button("Run the sweep", icon=":material/play_arrow:") or st.session_state.get("memo_sweep_done") == key:
        bar = st.progress(0.0, text="Training…")
        rows = []
        for i, n in enumerate(SWEEP_POINTS):
            bar.progress(i / len(SWEEP_POINTS), text=f"Training on N = {n} points ({i + 1} of {len(SWEEP_POINTS)})…")
            r = sweep_point(gmm, n, fraction, n_samples, settings.seed, settings.device)
            rows += [{"n_points": n, "rate": r["network"], "series": NAMES["learned"]},
                     {"n_points": n, "rate": r["truth"], "series": NAMES["truth"]}]
        bar.empty()
        st.session_state["memo_sweep_done"] = key
        st.altair_chart(mfig.rate_sweep_chart(pd.DataFrame(rows)), width="stretch")
