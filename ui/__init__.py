"""Streamlit-side helpers shared by the pages: the cached app context and small rendering pieces."""
