"""The task view's parts: the steps as a timeline (artifacts as text: they are LLM output), the review actions."""

from __future__ import annotations

import json

import streamlit as st

from core.errors import HossError
from core.money.cents import dollars
from core.workforce.review import review_task
from core.workforce.views import StepView, TaskDetail, task_detail
from ui.context import app_context, current_actor
from ui.live import live_fragment
from ui.permits import permit
from ui.safe import md_escape

REFRESH_SECONDS = 3
_ICONS = {"done": ":material/check_circle:", "running": ":material/progress_activity:",
          "failed": ":material/error:", "superseded": ":material/history:"}


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def step_card(task_id: int, step: StepView) -> None:
    """One step: status, usage, cost, latency; its artifact as text with a download; the trace on demand."""
    with st.container(border=True):
        head, usage = st.columns([2, 3])
        head.markdown(f"{_ICONS.get(step.status, '')} **{step.idx + 1}. {md_escape(step.name)}** · "
                      f"{md_escape(step.status)} · revision {step.revision} · attempt {step.attempt}")
        usage.text(f"{step.input_tokens} in / {step.output_tokens} out tokens · {dollars(step.cost_cents)} · "
                   f"{step.latency_ms if step.latency_ms is not None else '–'} ms · {step.model or '–'}")
        if step.error:
            st.text(f"error: {step.error}")
        if step.lesson_ids:
            st.caption("What we had learned about this customer, carried by this step: lesson "
                       + ", ".join(f"#{n}" for n in step.lesson_ids))
        if step.artifact:
            # st.code shows every character as typed: no Markdown, HTML or links from the model's output.
            st.code(step.artifact, language="json" if _is_json(step.artifact) else None, wrap_lines=True)
            ext = "json" if _is_json(step.artifact) else "md"
            st.download_button("Download artifact", step.artifact, file_name=f"task-{task_id}-{step.idx + 1}-"
                               f"{step.name}-r{step.revision}.{ext}", key=f"dl_{step.id}")
        with st.expander("Trace (exact prompt and response)"):
            st.caption("Prompt")
            st.code(step.prompt or "(not sent yet)", language=None, wrap_lines=True)
            st.caption("Response")
            st.code(step.response or "(no response yet)", language=None, wrap_lines=True)


def summary_line(detail: TaskDetail) -> None:
    """The task's figures in one row of metrics."""
    cols = st.columns(5)
    cols[0].metric("Status", detail.status)
    cols[1].metric("Cost", dollars(detail.cost_cents), help="The sum of its steps, every revision and try.")
    cols[2].metric("Reward", dollars(detail.reward_cents))
    cols[3].metric("Tokens", f"{detail.input_tokens + detail.output_tokens}")
    cols[4].metric("Revision", detail.revision)


@live_fragment(REFRESH_SECONDS)
def live_steps(task_id: int) -> None:
    """The timeline, re-read every few seconds while the page is open (it moves as the workflow runs)."""
    with app_context().sessions() as session:
        detail = task_detail(session, task_id)
    summary_line(detail)
    if not detail.steps:
        st.text("No steps yet: the task runs " + ("as its worker's workflow once claimed." if detail.agent
                                                   else "as the Ops prompt's one step once claimed."))
    for step in detail.steps:
        step_card(task_id, step)


def _decide(task_id: int, decision: str) -> None:
    note = st.session_state.get(f"review_note_{task_id}") or None
    remember = bool(st.session_state.get(f"review_remember_{task_id}", True))
    try:
        with app_context().sessions() as session:
            outcome = review_task(session, task_id, decision, current_actor(), note=note, remember=remember)
            session.commit()
        st.session_state["task_review_flash"] = outcome.message
    except HossError as exc:
        st.session_state["task_review_flash"] = f"Not done: {exc}"


def review_actions(detail: TaskDetail) -> None:
    """Approve / request changes (with a note) / discard, for a task waiting in needs_review."""
    if message := st.session_state.pop("task_review_flash", None):
        st.text(message)
    if detail.status != "needs_review":
        return
    st.subheader("Review")
    st.text_area("Note for the worker (required to request changes)", key=f"review_note_{detail.id}")
    st.checkbox("Remember for this customer", value=True, key=f"review_remember_{detail.id}",
                help="The note becomes a lesson: every later task of this customer carries it in its prompts "
                     "(see What we have learned on the Customers page).")
    may = permit("review_task")
    if may.help:
        st.caption(may.help)
    a, r, d = st.columns(3)
    a.button("Approve", key="review_approve", type="primary", on_click=_decide, args=(detail.id, "approve"),
             disabled=may.disabled, help=may.help)
    r.button("Request changes", key="review_revise", on_click=_decide, args=(detail.id, "revise"),
             disabled=may.disabled, help=may.help)
    d.button("Discard", key="review_discard", on_click=_decide, args=(detail.id, "discard"),
             disabled=may.disabled, help=may.help)
