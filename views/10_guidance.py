"""Guidance: classifier-free guidance on the sidebar mixture, exact and learned, over the scale w."""
import streamlit as st

from dashboard.figures import guidance as gfig
from dashboard import lessons
from diffusion_core import guidance as gd
from dashboard.figures.common import auto_limits, density_grid, figure_png
from dashboard import state

P = state.PERSIST_PREFIX + "guidance_"
N, STEPS = 600, 60            # samples per w and reverse-SDE steps (first visit < 3 s)


@state.cache_data(max_entries=32)
def samples_png(gmm, lam, y, w, seed, cfg, device) -> bytes:
    exact = lessons.guided_samples(gmm, lam, y, w, N, STEPS, seed)
    panels = [(f"exact CFG, w = {w:g}", exact, gfig.SOURCE_COLORS["exact CFG"])]
    if cfg is not None:
        learned = lessons.learned_guided_samples(cfg, gmm, lam, device, y, w, N, STEPS, seed)
        panels.append((f"learned CFG, w = {w:g}", learned, gfig.SOURCE_COLORS["learned CFG"]))
    xlim, ylim = auto_limits(gmm)
    xx, yy, logp = density_grid(gd.class_mixture(gmm, None, y), xlim, ylim, n=100)
    return figure_png(gfig.samples_figure(panels, xx, yy, logp, xlim, ylim))


@state.cache_data(max_entries=32)
def fields_png(gmm, lam, y, w, t, label) -> bytes:
    return figure_png(gfig.fields_figure(lessons.guidance_fields(gmm, lam, y, w, t), w, t, label))


settings = state.settings()
gmm = state.current_mixture()
st.title("Guidance: trading diversity for fidelity")
st.markdown(
    "Each mode of the sidebar's mixture is a **class** y. Classifier-free guidance samples with "
    "the score s + w (s(· | y) − s): w = 0 ignores the class, w = 1 is the exact conditional "
    "p(x | y), and w > 1 pushes further, towards where the class is most certain. Below: samples "
    "of the guided reverse SDE over the class's true density, how their spread and their "
    "faithfulness move with w, and the guided field itself.")
st.latex(r"\tilde s_w(x,t\mid y) = \nabla_x\log p_t(x) + w\,\big(\nabla_x\log p_t(x\mid y) - \nabla_x\log p_t(x)\big)")
st.markdown("**Question:** at w = 1 the samples follow p(x | y) exactly, yet some still land where "
            "another class is more likely (the modes overlap). What does w = 4 do to that leak, and "
            "what does the class pay for it in spread?")
if gmm.n_components < 2 or gmm.n_components > lessons.MAX_CLASSES:
    st.info(f"Guidance needs 2 to {lessons.MAX_CLASSES} classes (one per mode); "
            f"**{settings.mixture_name}** has {gmm.n_components} modes. Pick *tutorial* or *ring8* "
            "in the sidebar.")
    st.stop()

names = lessons.class_names(gmm)
if st.session_state.get(P + "class", 0) not in range(len(names)):
    st.session_state[P + "class"] = 0
c1, c2, c3, c4 = st.columns([1.6, 1.2, 1, 1], gap="medium")
y = c1.selectbox("Class y", range(len(names)), format_func=names.__getitem__,
                 key=state.init(P + "class"), help="The mode whose samples guidance asks for.")
w = state.widget(c2.slider, P + "w", step=0.5,
              help="0: unconditional, 1: conditional, above 1: over-guided.")
lam = state.widget(c3.slider, P + "lam", step=1.0,
                help="Noise growth of the VE process, g(t) = λᵗ.")
learned = state.widget(c4.toggle, P + "learned",
                    help="A class-conditional score network (one embedding per class plus a null "
                         "class, label dropout 15%), trained once per settings by our recipe.")
cfg = lessons.recipe(settings.seed) if learned else None
if learned and not lessons.is_trained("cond", cfg, gmm, lam, settings.device):
    lessons.cond_net(cfg, gmm, float(lam), settings.device, progress=st.empty())

table = lessons.guidance_table(gmm, float(lam), y, N, STEPS, settings.seed, cfg, settings.device)
row = table.iloc[(table["w"] - w).abs().argmin()]
st.image(samples_png(gmm, float(lam), y, float(w), settings.seed, cfg, settings.device), width="stretch")
msg = (f"{N} samples from the same noise at w = {w:g}, over the contours of log p₀(x | y). "
       f"Exact: spread {row['spread_ratio']:.2f}× the class's, {row['leak']:.1%} in other classes.")
if learned:
    msg += (f" Learned: {row['learned_spread_ratio']:.2f}× and {row['learned_leak']:.1%}; sliced "
            f"W2 between learned and exact samples {row['sw2_learned_exact']:.3f}.")
st.caption(msg)
if learned and row["far"] > 0.01:
    st.warning(f"At w = {row['w']:g} the learned network's guidance breaks down: {row['far']:.0%} "
               "of its samples land far outside the data (the difference s(· | y) − s of two "
               "learned scores is noisy, and w multiplies the noise). Those samples are left "
               "out of the learned numbers; the exact field has no such problem.")

st.subheader("Diversity and fidelity over w")
st.altair_chart(gfig.sweep_chart(table, float(w), learned, width=350, height=150), width="content")
at = table.set_index("w")
best = float(at["logp_class"].idxmax())
msg = (f"Dashed: the chosen w. Exact CFG: spread {at['spread_ratio'].iloc[0]:.2f}× the "
       f"class's at w = 0, {at.loc[1.0, 'spread_ratio']:.2f}× at w = 1, "
       f"{at['spread_ratio'].iloc[-1]:.2f}× at w = 10; leak into other classes "
       f"{at['leak'].iloc[0]:.0%} → {at.loc[1.0, 'leak']:.0%} → {at['leak'].iloc[-1]:.0%}; "
       f"mean log p₀(x | y) highest at w = {best:g}.")
if learned:
    msg += (f" Learned CFG: spread {at['learned_spread_ratio'].iloc[-1]:.2f}× at w = 10, "
            "samples outside the data’s box (4 stds around every mode) left out.")
st.caption(msg)

st.subheader("The guided field against the conditional field")
c1, c2 = st.columns([1.2, 1], gap="large")
with c2:
    t = state.widget(st.slider, P + "t", step=0.05,
                  help="Where in the reverse process the two fields are compared.")
    st.markdown(
        "Blue: the **conditional score** ∇ log pₜ(x | y), which samples the class exactly. Red: the "
        f"**guided score** at w = {w:g}. Near the class the two agree; between classes guidance "
        "adds w − 1 times the pull away from the other modes, so the red arrows are longer there "
        "and point more sharply into the class. At w = 1 they coincide everywhere.")
c1.image(fields_png(gmm, float(lam), y, float(w), float(t), names[y].split(":")[0]), width="stretch")
c1.caption("Arrows share one scale (90th percentile of the conditional field's length = one grid "
           "spacing); grey: log pₜ(x | y).")
