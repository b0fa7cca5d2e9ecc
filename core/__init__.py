"""The HossAgent domain: agents, pipeline, inbox, canvas, scheduler and adapters. Never imports Streamlit."""
