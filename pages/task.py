"""Task view (SPEC §12): one task's workflow as a live timeline of steps, its artifacts, trace and review."""

from __future__ import annotations

import streamlit as st

from core.errors import NotFound
from core.workforce.views import task_detail
from ui.context import app_context
from ui.task_view import live_steps, review_actions

ctx = app_context()
st.title("Task")
raw = st.query_params.get("task", "")
chosen = st.number_input("Task id", min_value=1, step=1, value=int(raw) if raw.isascii() and raw.isdigit()
                         and 0 < int(raw) < 2**63 else None, key="task_view_id")
if chosen is None:
    st.text("Open a task from a task table (the Control room's Tasks tab, the Workforce page) or enter its id.")
    st.stop()
task_id = int(chosen)
st.query_params["task"] = str(task_id)
try:
    with ctx.sessions() as session:
        detail = task_detail(session, task_id)
except NotFound as exc:
    st.text(str(exc))
    st.stop()
st.text(f"#{detail.id} · {detail.agent or 'Ops pool prompt'} for {detail.company}: {detail.description}")
if detail.review_note:
    st.text(f"Reviewer's note (revision {detail.revision}): {detail.review_note}")
if detail.last_error:
    st.text(f"Last error: {detail.last_error}")
review_actions(detail)
live_steps(task_id)
