import streamlit as st

st.title("7_likelihood")
st.info("This page is being built.")
