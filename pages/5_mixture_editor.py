import streamlit as st

st.title("5_mixture_editor")
st.info("This page is being built.")
