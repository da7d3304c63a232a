"""Entry point: navigation over the pages, the shared sidebar, and the home page."""
import contextlib
import importlib
import logging
import os
import threading
import time

import streamlit as st

from dashboard import sharing, sidebar, state

st.set_page_config(page_title="Diffusion dashboard", page_icon="🌫️", layout="wide")


class Activity:
    """Script runs in progress in this server, all sessions together."""

    def __init__(self):
        self.cond = threading.Condition()
        self.running = 0
        self.last_end = time.monotonic()

    @contextlib.contextmanager
    def run(self):
        with self.cond:
            self.running += 1
        try:
            yield
        finally:
            with self.cond:
                self.running -= 1
                self.last_end = time.monotonic()
                self.cond.notify_all()

    def wait_idle(self, quiet: float = 2.0):
        """Return once no script has run for `quiet` seconds."""
        with self.cond:
            while True:
                left = quiet - (time.monotonic() - self.last_end)
                if self.running == 0 and left <= 0:
                    return
                self.cond.wait(timeout=max(left, 0.05) if self.running == 0 else None)


@st.cache_resource(show_spinner=False)
def activity() -> Activity:
    return Activity()


# What the pages import, loaded by the warm-up after the first page: Home's first run on a fresh
# server imports none of them (torch alone takes about 1 s), so that the first visitor sees it soon.
HEAVY_MODULES = ("dashboard.compute", "diffusion_core.training", "diffusion_core.sampling",
                 "dashboard.figures.common", "dashboard.figures.home", "dashboard.models")


def _warm_up(act: Activity):
    """What a server does once, in the background, whenever no page is being run: import what
    the pages need (HEAVY_MODULES: torch, matplotlib, pandas, Altair), then
    torch._dynamo (the first optimizer step of a process imports it, 1.5-5 s), then train the
    models the lesson shows at default settings (dashboard.models.train_defaults: the Train page's,
    and ours on ring8; then the Memorization and Loss weighting networks), so that the first
    class does not wait for them. Each step waits until no script has run for 2 s, so the
    pages students open go first (and the browser of the first visitor gets its pictures)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)   # Linux: this thread only
    except (AttributeError, OSError):
        pass
    try:
        act.wait_idle()
        for name in HEAVY_MODULES:
            importlib.import_module(name)
        act.wait_idle()
        importlib.import_module("torch._dynamo")
        from dashboard import memorization, models, weighting
        for train in (models.train_defaults, memorization.train_defaults, weighting.train_defaults):
            train(before_each=act.wait_idle)
    except Exception:   # a warm-up that fails costs only time: the pages train on demand
        logging.getLogger(__name__).exception("background warm-up failed")


@st.cache_resource(show_spinner=False)
def start_warm_up() -> threading.Thread:
    """The server's warm-up thread, started once per server by its first script run."""
    thread = threading.Thread(target=_warm_up, args=(activity(),), name="warm-up", daemon=True)
    thread.start()
    return thread


@state.cache_data(max_entries=4)
def home_picture(gmm) -> bytes:
    """The sidebar's distribution blurred by the tutorial's process (VE, lambda = 25)."""
    from dashboard.figures import home as hfig
    return hfig.home_png(gmm)


def home_image() -> bytes | None:
    """The Home picture of the sidebar's distribution (None for a 1D one). The tutorial's is a
    committed file (tools/home_picture.py writes it, tests/test_home_picture.py keeps it
    current): a fresh server shows it without loading torch or matplotlib."""
    from dashboard.home_asset import tutorial_png
    if state.settings().mixture_name == "tutorial":
        png = tutorial_png()
        if png is not None:
            return png
    gmm = state.current_mixture()
    return home_picture(gmm) if gmm.dim == 2 else None


def home():
    st.title("Diffusion models, hands on")
    st.markdown(
        "A diffusion model learns to **turn noise into data** by reversing a process that turns "
        "data into noise. The forward process blurs a distribution p₀ with growing Gaussian noise; "
        "the **score** ∇ₓ log pₜ(x) of every blurred version tells which way is more likely; "
        "following it backwards in time, with the right amount of noise, walks samples from pure "
        "noise back to the data.")
    st.latex(r"\text{forward: } dx = g(t)\,dw \qquad "
             r"\text{reverse: } dx = -g(t)^2\,\nabla_x \log p_t(x)\,dt + g(t)\,d\bar w")
    picture = home_image()
    if picture is not None:
        st.image(picture, width="stretch",
                 caption=f"The sidebar's distribution, {state.settings().mixture_name}, blurred by the "
                         "tutorial's forward process (λ = 25): red points are samples xₜ, blue the density pₜ.")
    st.markdown(
        "**How to use it.** Pick a distribution, a device and a seed in the sidebar; they apply to "
        "every page. Then walk through the pages in order:\n"
        "1. **Forward diffusion**: how noise blurs data, with the noise growth λ as a slider.\n"
        "2. **Score field**: the score of a 2D Gaussian mixture, split into its modes.\n"
        "3. **Exact-score reversal**: the reverse SDE with the exact score turns noise into data.\n"
        "4. **Train & sample**: learn the score by denoising, then sample with it.\n\n"
        "The **classroom lab** goes further: edit the distribution, race samplers against each "
        "other, compute likelihoods, watch a network memorize its training set, compare loss "
        "weightings, guide samples towards a class, follow straight flow-matching paths, and "
        "turn your own drawing into the distribution.\n\n"
        "*Reset to tutorial defaults* in the sidebar puts every setting back.")


PAGES = [
    st.Page(home, title="Home", icon=":material/home:", default=True),
    st.Page("views/1_forward.py", title="Forward diffusion", icon=":material/blur_on:", url_path="forward"),
    st.Page("views/2_score_field.py", title="Score field", icon=":material/explore:", url_path="score"),
    st.Page("views/3_reversal.py", title="Exact-score reversal", icon=":material/fast_rewind:", url_path="reversal"),
    st.Page("views/4_train.py", title="Train & sample", icon=":material/model_training:", url_path="train"),
]
LAB = [
    st.Page("views/5_mixture_editor.py", title="Mixture editor", icon=":material/edit:", url_path="editor"),
    st.Page("views/6_sampler_lab.py", title="Sampler lab", icon=":material/speed:", url_path="samplers"),
    st.Page("views/7_likelihood.py", title="Likelihood", icon=":material/show_chart:", url_path="likelihood"),
    st.Page("views/8_memorization.py", title="Memorization", icon=":material/memory:", url_path="memorization"),
    st.Page("views/9_weighting_lab.py", title="Loss weighting lab", icon=":material/balance:", url_path="weighting"),
    st.Page("views/10_guidance.py", title="Guidance", icon=":material/tune:", url_path="guidance"),
    st.Page("views/11_flow.py", title="Flow matching", icon=":material/trending_flat:", url_path="flow"),
    st.Page("views/12_your_data.py", title="Your data", icon=":material/draw:", url_path="yours"),
    st.Page("views/13_digits.py", title="Digits", icon=":material/grid_on:", url_path="digits"),
]

with activity().run():
    start_warm_up()
    state.keep_widget_state()
    nav = st.navigation({"Tutorial": PAGES, "Classroom lab": LAB}, expanded=True)   # 14 pages: no "View more"
    sharing.open_linked_page(PAGES + LAB)
    sidebar.sidebar(nav.url_path)
    if nav.url_path:          # every page but Home: torch with its threads set, before it computes
        importlib.import_module("dashboard.compute")
    nav.run()
