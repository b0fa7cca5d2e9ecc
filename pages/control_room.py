"""PLACEHOLDER so the router runs on the inbox branch; the console branch owns this page (take theirs at merge)."""

import streamlit as st

st.title("Control room")
st.text("The control room lands with the console branch.")
