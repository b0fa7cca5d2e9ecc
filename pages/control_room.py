import streamlit as st
st.title("Control room")
st.text("stub for local browser run; the lead owns this page")
