import streamlit as st

st.title("9_weighting_lab")
st.info("This page is being built.")
