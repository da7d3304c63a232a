import streamlit as st

st.title("8_memorization")
st.info("This page is being built.")
