import streamlit as st

st.title("1_forward")
st.info("This page is being built.")
