"""Guidance: classifier-free guidance on the sidebar mixture, exact and learned, over the scale w."""
import streamlit as st

from dashboard.figures import guidance as gfig
from dashboard import guidance, lessons
from dashboard.figures.common import figure_png
from dashboard import state

P = state.PERSIST_PREFIX + "guidance_"
N, STEPS = guidance.N, guidance.STEPS       # samples per w and sampler steps


@state.cache_data(max_entries=32)
def fields_png(gmm, lam, y, w, t, label) -> bytes:
    return figure_png(gfig.fields_figure(guidance.guidance_fields(gmm, lam, y, w, t), w, t, label,
                                        guidance.OTHER_LIKELY))


shared = state.settings()
gmm = state.current_mixture()
st.title("Guidance: trading diversity for fidelity")
trade_slot = st.empty()       # filled once the table is known: where this class shows no such trade
st.markdown(
    "Each mode of the sidebar's mixture is a **class** y. Classifier-free guidance samples with "
    "the score s + w (s(· | y) − s): w = 0 ignores the class, w = 1 is the exact conditional "
    "p(x | y), and w > 1 pushes further, towards where the class is most certain. Below: true "
    "samples of p(x | y) next to guided samples, three measures over w, and the guided field.")
st.latex(r"\tilde s_w(x,t\mid y) = \nabla_x\log p_t(x) + w\,\big(\nabla_x\log p_t(x\mid y) - \nabla_x\log p_t(x)\big)")
st.markdown(
    "**Diversity: spread**, the samples' root-mean-square distance from their own mean (per "
    "coordinate) divided by that of p(x | y): 1 is as varied as the class, below 1 the samples lie "
    "nearer their mean than the class's do (on a long, thin mode this distance is mostly along its "
    "long axis). **Fidelity: leak**, the share of samples where another class is more likely "
    "(p₀(y′ | x) > p₀(y | x)), and the **mean log p₀(x | y)** of the samples. The **truth** (the "
    "left panel, and green in the charts below) scores true samples of p(x | y); its band is "
    f"± {gfig.NOISE_K:g} standard deviations over "
    f"{guidance.TRUTH_REPEATS} independent sets of {N} true samples: a difference inside it is noise.")
if gmm.n_components < 2 or gmm.n_components > guidance.MAX_CLASSES:
    st.info(f"Guidance needs 2 to {guidance.MAX_CLASSES} classes (one per mode); "
            f"**{shared.mixture_name}** has {gmm.n_components} modes. Pick *tutorial* or *ring8* "
            "in the sidebar.")
    st.stop()

names = guidance.class_names(gmm)
if st.session_state.get(P + "class", 0) not in range(len(names)):
    st.session_state[P + "class"] = 0
c1, c2, c3, c4 = st.columns([1.6, 1.2, 1, 1], gap="medium")
y = c1.selectbox("Class y", range(len(names)), format_func=names.__getitem__,
                 key=state.init(P + "class"), help="The mode whose samples guidance asks for.")
w = state.widget(c2.slider, P + "w", step=0.5,
              help="0: unconditional, 1: conditional, above 1: over-guided.")
lam = state.widget(c3.slider, P + "lam", step=1.0,
                help="Noise growth of the VE process, g(t) = λᵗ. Learned CFG's network is trained at "
                     "this λ: a new λ trains a new network (once).")
learned = state.widget(c4.toggle, P + "learned",
                    help="A class-conditional score network (one embedding per class plus a null "
                         f"class, label dropout 15%), trained by our recipe on this distribution's "
                         f"VE process at this λ (now {lam:g}), once per mixture, λ and seed.")
cfg = lessons.recipe(shared.seed) if learned else None
if learned and not lessons.is_trained("cond", cfg, gmm, lam, shared.device):
    guidance.cond_net(cfg, gmm, float(lam), shared.device, progress=st.empty())

truth = guidance.guidance_truth(gmm, y, N, shared.seed)[1]
table = guidance.guidance_table(gmm, float(lam), y, N, STEPS, shared.seed, cfg, shared.device)
at = table.set_index("w")
leak1 = truth["leak"][0]
if trade := guidance.trade_text(at, truth):
    trade_slot.info(trade)
st.markdown(guidance.question_text(leak1, N))
row = guidance.guidance_row(gmm, float(lam), y, float(w), N, STEPS, shared.seed, cfg, shared.device)
spec, out = guidance.samples_spec(gmm, float(lam), y, float(w), N, STEPS, shared.seed, cfg, shared.device)
st.vega_lite_chart(spec, width="content")
st.download_button("Figure (PNG)", lambda: guidance.guidance_samples_png(
    gmm, float(lam), y, float(w), N, STEPS, shared.seed, cfg, shared.device)[0],
    file_name="guidance_samples.png", mime="image/png", on_click="ignore", icon=":material/download:")
zoom = " of the class (zoomed in: the class is small against the mixture)" if guidance.class_zoomed(gmm, y) else ""
digits = guidance.band_digits([row[c] for c in ("spread_ratio", "learned_spread_ratio") if c in row],
                              truth["spread_ratio"])
msg = (f"{N} samples each, over the contours of log p₀(x | y); the panels reach at least {guidance.PAD:g} standard "
       f"deviations beyond every mode{zoom}. {guidance.leak_region_text(gmm, y)} "
       f"Truth: {guidance.measures_text({k: v[0] for k, v in truth.items()}, digits=digits)}. "
       f"Exact CFG at w = {row['w']:g}: {guidance.measures_text(row, digits=digits)}")
off = guidance.off_truth(row, truth)
msg += (f"; beyond the truth's noise level in {', '.join(off)}." if off else
        "; within the truth's noise level in every measure.")
if learned:
    msg += guidance.learned_caption(row, guidance.guidance_truth_sw2(gmm, y, N, shared.seed), truth["spread"][0], digits)
msg += guidance.outside_text({k: v for k, v in out.items() if v}, row, gmm, y)
st.caption(msg)
if learned and row["far"] > 0.01:
    st.warning(guidance.far_warning_text(row) + guidance.panels_left_out_text(row, gmm, y))

st.subheader("Diversity and fidelity over w")
st.vega_lite_chart(gfig.at_w(guidance.sweep_spec(table, truth, learned), float(w)), width="content")
msg = (guidance.sweep_summary(at, truth, guidance.start_far(gmm, float(lam)), row) + guidance.thin_band_text(table, truth, learned)
       + guidance.clipped_text(at, truth) + guidance.hollow_text(table, learned))
if learned:
    msg += " " + guidance.learned_spread_story(at, truth, stds=guidance.class_stds(gmm, y))
st.caption(msg + f" {gfig.W_WORDS} (now w = {float(w):g}).")


@st.fragment
def field_section():
    st.subheader("The guided field against the conditional field")
    c1, c2 = st.columns([1.2, 1], gap="large")
    with c2:
        t = state.widget(st.slider, P + "t", step=0.05,
                         help="Where in the reverse process the two fields are compared.")
        st.markdown("Blue: the **conditional score** ∇ log pₜ(x | y), which samples the class exactly. "
                    f"Red: the **guided score** at w = {w:g}. "
                    + guidance.field_text(guidance.guidance_fields(gmm, float(lam), y, float(w), float(t)),
                                          float(w), float(t)))
    label = names[y].split(":")[0]
    c1.vega_lite_chart(guidance.fields_spec(gmm, float(lam), y, float(w), float(t), label), width="content")
    c1.download_button("Figure (PNG)", lambda: fields_png(gmm, float(lam), y, float(w), float(t), label),
                       file_name="guidance_field.png", mime="image/png", on_click="ignore",
                       icon=":material/download:")
    c1.caption("Arrows share one scale (the longer field's 90th-percentile arrow length = one grid "
               "spacing); grey: log pₜ(x | y).")


field_section()
