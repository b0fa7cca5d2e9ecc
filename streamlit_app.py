"""The console's router: page config, the app context, and st.navigation over pages/."""

import streamlit as st

from ui.context import app_context

st.set_page_config(page_title="HossAgent", page_icon=":material/hub:", layout="wide")
app_context()  # validate settings and migrate before any page renders

PAGES = [
    st.Page("pages/control_room.py", title="Control room", icon=":material/monitoring:", default=True),
    st.Page("pages/canvas.py", title="Canvas", icon=":material/query_stats:"),
]

st.navigation(PAGES).run()
