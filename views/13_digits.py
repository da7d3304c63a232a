"""Digits: a class-conditional score network trained live on scikit-learn's 8×8 digits."""
import streamlit as st

import diffusion_core as dc
from dashboard import digits as dd
from dashboard import state, vocabulary
from dashboard.figures import digits as dfig
from dashboard.figures.common import figure_png

P = state.PERSIST_PREFIX + "digits_"


@state.cache_data(max_entries=64)
def png(kind: str, *args) -> bytes:
    return figure_png(getattr(dfig, kind)(*args), dpi=dfig.DPI)


@state.cache_data(max_entries=64)
def mosaic(kind: str, *args) -> bytes:
    """An image mosaic drawn with numpy and Pillow (dfig.grid_png, dfig.film_png): a w move
    redraws the grid and the film, and no matplotlib figure."""
    return getattr(dfig, kind)(*args)


shared = state.settings()
base = dd.config(state.sio.SCHEMA[P + "steps"].default, shared.seed)
facts = dd.facts(base.lam, base.test_fraction, base.split_seed)
st.title("Digits: diffusion on real 8×8 images")
st.markdown(dd.intro_sentence(facts, base.lam))
for msg in dd.bad_settings(P, own_message=(P + "steps", P + "budget")):
    st.error(msg)

steps = state.number_field(st, P + "steps", step=100, help="Optimizer steps of the recipe "
                           "(batch 256, Adam, EMA); one training per setting for the whole server.")
cfg = dd.config(steps if steps is not None else state.sio.SCHEMA[P + "steps"].default, shared.seed)
if not dd.is_trained(cfg, shared.device):
    dd.model(cfg, shared.device, progress=st.empty())
net, history = dd.model(cfg, shared.device)
if not dd.finite(net):
    st.error("The training diverged (the loss became NaN): this network cannot sample. Change the "
             "training steps or the sidebar's seed.")
    st.stop()
n_train = cfg.train.n_data
st.caption(f"Trained {int(history['step'].iloc[-1]):,} steps on {n_train:,} training images in "
           f"{history['seconds'].iloc[-1]:.1f} s on {shared.device}; last DSM loss "
           f"{history['train_loss'].iloc[-1]:.2f}. {len(cfg.data().x_test):,} digits are held out.")
clf_acc, held = dd.judge(cfg.test_fraction, cfg.split_seed)[1:]


def sample_grid():     # not a fragment: its w also sets the film's
    heading = st.empty()
    c1, c2, c3 = st.columns([1.2, 1.4, 1], gap="medium")
    w = state.widget(c1.slider, P + "w", step=dd.W_STEP, help="0: the class is ignored; 1: conditional; "
                     "above 1: guided further towards what the class looks like.")
    method = state.widget(c2.selectbox, P + "method", format_func=vocabulary.short,
                          help="Short names, as the quality chart's legend below uses them.")
    budget = state.number_field(c3, P + "budget", step=5, help="Score evaluations per sample; "
                                "steps follow from the sampler's cost per step.",
                                **dd.budget_bounds(st.session_state.get(P + "budget"), P + "budget"))
    if budget is None:
        return
    least = dc.nfe(method, dc.SAMPLERS[method].min_steps)
    if budget < least:
        st.error(f"**{state.label(P + 'budget')}**: {vocabulary.short(method)} needs at least "
                 f"{least} score evaluations; got {budget}.")
        return
    head, rows = dd.grid_labels(float(w))
    heading.subheader(head)
    pix, m, nfe = dd.samples(cfg, shared.device, float(w), method, int(budget), shared.seed)
    st.image(mosaic("grid_png", pix, tuple(rows)), width="content")
    per = dd.PER_CLASS_MEASURED
    st.caption(f"{dd.PER_ROW} of {per} samples per class at w = {w:g}, {nfe} score evaluations each; "
               + dd.grid_sentence(float(w), m, nfe, 10 * per))
    c = st.columns(4)
    c[0].metric("class accuracy of the samples", f"{m['accuracy']:.1%}")
    c[1].metric("classifier on held-out digits", f"{clf_acc:.1%}")
    c[2].metric("NN distance ratio", f"{m['nn_ratio']:.2f}", help="Mean distance of the samples "
                "to their nearest training image ÷ the same for held-out real digits.")
    c[3].metric("Fréchet distance (pixel space)", f"{m['frechet']:.2f}")
    st.caption(f"Judge: a support-vector classifier fitted on the training split. Distances are in "
               f"data units ([−1, 1] pixels): these {10 * per} samples' mean distance to their "
               f"nearest training image is {m['nn_mean']:.2f}, the held-out digits' is {held:.2f}. The Fréchet "
               "distance compares Gaussians fitted to the samples and to the held-out digits in "
               "pixel space (64 dimensions, no feature network). "
               + dd.frechet_size_note(10 * per))


sample_grid()

st.subheader("The denoising film")
y = state.widget(st.slider, P + "class", step=1, help="The class of the sample followed here.")
f = dd.film(cfg, shared.device, float(st.session_state[P + "w"]), int(y), shared.seed)
titles = [f"σ = {dd.sigma_text(s)}" for s in f["sigma"]]
st.image(mosaic("film_png", [("xₜ", f["xt"]), ("D(xₜ, σ)", f["denoised"]),
                                 ("real digit\n+ noise", f["forward"])], titles), width="stretch")
st.caption(dd.film_sentence(f, int(y), float(st.session_state[P + "w"])))

st.subheader("Memorization made visible")
mem = dd.memorization(cfg, shared.device, shared.seed)
ex, nw = mem["exact"]["d"].mean(), mem["network"]["d"].mean()
st.image(png("pairs_figure", [("exact score of the training set", mem["exact"]["x"],
                               mem["exact"]["nearest"], mem["exact"]["d"]),
                              ("the network (w = 1)", mem["network"]["x"],
                               mem["network"]["nearest"], mem["network"]["d"])]), width="content")
verdict = "copies of training images" if ex < 0.1 * mem["held"] else "not copies"
r = nw / mem["held"]
net_verdict = ("it begins to memorize (closer to training images than new digits are)" if r < 0.9 else
               "it generalizes (as far from training images as new real digits are)" if r <= 1.5
               else "it is not trained enough (much farther from every training image than real digits)")
st.caption(f"Digits 0 to {dd.MEMO_N - 1}. The exact score of each class's training images (one "
           f"small Gaussian of width {dc.digits.EXACT_WIDTH} per image, {n_train:,} in all) samples "
           f"digits at mean distance {ex:.3f} from a training image: "
           f"{ex / mem['held']:.3f}× the held-out digits' {mem['held']:.2f}, {verdict}. The network's "
           f"{dd.MEMO_N} samples here (w = 1, {dd.EXACT_BUDGET} evaluations) sit at {nw:.2f} "
           f"({nw / mem['held']:.2f}×): {net_verdict}. The grid above draws its own samples at its own "
           "w and budget, so its distance differs.")

st.subheader("Quality per score evaluation")
st.markdown("Does the 2D ranking of the samplers hold in 64 dimensions? "
            f"{len(dd.QUALITY_METHODS)} samplers × {len(dd.QUALITY_BUDGETS)} budgets, "
            f"{10 * dd.QUALITY_PER_CLASS} samples each, at the chosen w.")
if st.button("Measure", key="digits_quality") or st.session_state.get("digits_quality_done"):
    st.session_state["digits_quality_done"] = True
    rows, ref, spread = dd.quality(cfg, shared.device, float(st.session_state[P + "w"]), shared.seed)
    st.altair_chart(dfig.quality_chart(rows, ref, {m: vocabulary.short(m) for m in dd.QUALITY_METHODS},
                                       {m: vocabulary.color(m) for m in dd.QUALITY_METHODS},
                                       dd.QUALITY_BUDGETS), width="content")
    st.caption(dd.quality_sentence(rows, ref, spread))
