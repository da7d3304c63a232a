import streamlit as st

st.title("4_train")
st.info("This page is being built.")
