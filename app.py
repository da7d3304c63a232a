"""Entry point, the router: the navigation over the pages (views/), the shared sidebar, and the
server's background warm-up (dashboard/warmup.py)."""
import importlib

import streamlit as st

from dashboard import sharing, sidebar, state, warmup

st.set_page_config(page_title="Diffusion dashboard", page_icon="🌫️", layout="wide")

PAGES = [
    st.Page("views/0_home.py", title="Home", icon=":material/home:", default=True),
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

with warmup.activity().run():
    warmup.start()
    state.keep_widget_state()
    nav = st.navigation({"Tutorial": PAGES, "Classroom lab": LAB}, expanded=True)   # 14 pages: no "View more"
    sharing.open_linked_page(PAGES + LAB)
    state.note_page(nav.url_path)
    sidebar.sidebar(nav.url_path)
    if nav.url_path:          # every page but Home: torch with its threads set, before it computes
        importlib.import_module("dashboard.compute")
    nav.run()
