import streamlit as st

st.title("6_sampler_lab")
st.info("This page is being built.")
