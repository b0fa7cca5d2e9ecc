"""Inbox: every outside side effect waits here for Approve / Edit / Reject; History shows what happened."""

import streamlit as st

from ui.context import app_context
from ui.inbox import history_tab, pending_tab, show_flash, trust_tab

ctx = app_context()
st.title("Inbox")
st.text("Nothing leaves HossAgent (email, Slack, Stripe) without an approval here or by a policy on the Agents page.")
show_flash()
# Lazy tabs: only the open tab runs and renders (a closed tab cost the first render as much as an open one).
pending, history, trust = st.tabs(["Pending", "History", "Trust"], key="inbox_tab", on_change="rerun")
for tab, render in ((pending, pending_tab), (history, history_tab), (trust, trust_tab)):
    if tab.open:
        with tab:
            render(ctx)
