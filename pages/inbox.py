"""Inbox: every outside side effect waits here for Approve / Edit / Reject; History shows what happened."""

import streamlit as st

from ui.context import app_context
from ui.inbox import history_tab, pending_tab, show_flash, trust_tab

ctx = app_context()
st.title("Inbox")
st.text("Nothing leaves HossAgent (email, Slack, Stripe) without an approval here or by a policy on the Agents page.")
show_flash()
pending, history, trust = st.tabs(["Pending", "History", "Trust"])
with pending:
    pending_tab(ctx)
with history:
    history_tab(ctx)
with trust:
    trust_tab(ctx)
