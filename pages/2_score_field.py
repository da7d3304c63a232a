import streamlit as st

st.title("2_score_field")
st.info("This page is being built.")
