"""Task view (SPEC §12): one task's workflow as a live timeline of steps, its artifacts, trace and review."""

from __future__ import annotations

import streamlit as st

from core.errors import NotFound
from core.workforce.views import task_detail
from db.ids import as_id
from ui.context import app_context
from ui.task_view import live_steps, review_actions

ctx = app_context()
st.title("Task")
BROWSER_MAX = 2**53 - 1  # the largest whole number a browser's number input holds exactly (Streamlit's bound)
linked = as_id(st.query_params.get("task", ""))  # ?task=99999999999999999999 is no task: the input starts empty
chosen = st.number_input("Task id", min_value=1, max_value=BROWSER_MAX, step=1, key="task_view_id",
                         value=linked if linked is not None and linked <= BROWSER_MAX else None)
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
