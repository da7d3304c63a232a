import streamlit as st

st.title("3_reversal")
st.info("This page is being built.")
