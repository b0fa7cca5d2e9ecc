"""PLACEHOLDER so the router runs on the canvas branch; the console slice owns the real page (take theirs at merge)."""

import streamlit as st

st.title("Control room")
st.text("The control room is built on the console branch.")
