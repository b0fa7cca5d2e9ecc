"""The console's router: page config, the app context, sign-in, and st.navigation over pages/."""

import streamlit as st

from core.approvals.queries import count_pending
from ui.auth import require_operator
from ui.context import app_context
from ui.guide import render_guide

# An emoji icon is drawn in the page as a data: URL; a `:material/…:` one is fetched from fonts.gstatic.com.
st.set_page_config(page_title="HossAgent", page_icon="🎛️", layout="wide")
ctx = app_context()  # validate settings and migrate before any page renders
require_operator(ctx)  # every page below is behind the sign-in (or the "open console" banner)


def _inbox_title() -> str:
    """"Inbox (n)" with the pending count as the badge, the one place the console shows it (read once per run, so
    it is as fresh as the page); a failed count never blocks the console."""
    try:
        with ctx.sessions() as session:
            n = count_pending(session)
    except Exception:
        return "Inbox"
    return f"Inbox ({n})" if n else "Inbox"


PAGES = [
    st.Page("pages/control_room.py", title="Control room", icon=":material/monitoring:", default=True),
    st.Page("pages/inbox.py", title=_inbox_title(), icon=":material/inbox:"),
    st.Page("pages/canvas.py", title="Canvas", icon=":material/query_stats:"),
    st.Page("pages/customers.py", title="Customers", icon=":material/groups:"),
    st.Page("pages/agents.py", title="Agents", icon=":material/smart_toy:"),
    st.Page("pages/workforce.py", title="Workforce", icon=":material/badge:"),
    # Reached from every task table's "open" link (?task=ID), so it needs no place in the sidebar.
    st.Page("pages/task.py", title="Task", icon=":material/task:", visibility="hidden"),
    st.Page("pages/events.py", title="Events & ledger", icon=":material/receipt_long:"),
    st.Page("pages/failures.py", title="Failures", icon=":material/error:"),
    st.Page("pages/audit.py", title="Audit", icon=":material/policy:"),
]

nav = st.navigation(PAGES)
render_guide()
nav.run()
