"""The task view's parts: the steps as a timeline (artifacts as text: they are LLM output), the review actions."""

from __future__ import annotations

import json

import streamlit as st

from core.errors import HossError
from core.memory.lessons import UsedLesson
from core.money.cents import dollars
from core.present.cards import artifact_fields
from core.present.times import local_time, relative
from core.present.words import count_words, status_badge
from core.workforce.review import review_task
from core.workforce.views import StepView, TaskDetail, task_detail
from ui.confirm import confirmed
from ui.context import app_context, current_actor
from ui.live import live_fragment
from ui.permits import permit
from ui.safe import md_escape

REFRESH_SECONDS = 3
_ICONS = {"done": ":material/check_circle:", "running": ":material/progress_activity:",
          "failed": ":material/error:", "superseded": ":material/history:"}


def _tz() -> str:
    return app_context().settings.hoss_timezone


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def step_card(task_id: int, step: StepView, lessons: tuple[UsedLesson, ...] = ()) -> None:
    """One step: status, usage, cost, latency; its artifact as text with a download; the trace on demand (the
    lessons its prompt carried, in words, then the exact prompt and response)."""
    with st.container(border=True):
        head, usage = st.columns([2, 3])
        head.markdown(f"**{step.idx + 1}. {md_escape(step.name)}** · "
                      f"{status_badge(step.status)} · revision {step.revision} · attempt {step.attempt}")
        usage.text(f"{step.input_tokens} in / {step.output_tokens} out tokens · {dollars(step.cost_cents)} · "
                   f"{step.latency_ms if step.latency_ms is not None else '–'} ms · {step.model or '–'}")
        if step.error:
            st.text(f"Error: {step.error}")
        if step.lesson_ids:
            st.caption(f"Carried {count_words(len(step.lesson_ids), 'lesson')} of what we have learned about this "
                       "customer (in the trace).")
        if step.artifact:
            # As text: every character as typed, no Markdown, HTML or links from the model's output; a JSON
            # artifact (a brief, a plan) as its labelled fields.
            fields = artifact_fields(step.artifact)
            with st.container(border=True):
                st.text("\n\n".join(f"{name}:\n{value}" if "\n" in value else f"{name}: {value}"
                                      for name, value in fields) if fields else step.artifact)
            ext = "json" if _is_json(step.artifact) else "md"
            st.download_button("Download artifact", step.artifact, file_name=f"task-{task_id}-{step.idx + 1}-"
                               f"{step.name}-r{step.revision}.{ext}", key=f"dl_{step.id}")
        with st.expander("Trace (exact prompt and response)"):
            if step.lesson_ids:
                st.caption("Lessons this step's prompt carried, newest first")
                # As text: a lesson is an operator's or a reviewer's words.
                st.text("\n".join(f"• {lesson.words}" for lesson in lessons) or
                        "(the lessons it carried are no longer stored)")
            st.caption("Prompt")
            st.code(step.prompt or "(not sent yet)", language=None, wrap_lines=True)
            st.caption("Response")
            st.code(step.response or "(no response yet)", language=None, wrap_lines=True)


def summary_line(detail: TaskDetail) -> None:
    """The task's figures in one row of metrics."""
    cols = st.columns(5)
    cols[0].markdown(f"**Status**  \n{status_badge(detail.status)}")
    cols[1].metric("Cost", dollars(detail.cost_cents), help="The sum of its steps, every revision and try.")
    cols[2].metric("Reward", dollars(detail.reward_cents))
    cols[3].metric("Tokens", f"{detail.input_tokens + detail.output_tokens:,}")
    cols[4].metric("Revision", detail.revision)


@live_fragment(REFRESH_SECONDS)
def live_steps(task_id: int) -> None:
    """The timeline, re-read every few seconds while the page is open (it moves as the workflow runs)."""
    with app_context().sessions() as session:
        detail = task_detail(session, task_id)
    summary_line(detail)
    if not detail.steps:
        how = f"as {detail.agent}'s workflow" if detail.agent else "as the Ops prompt's one step"
        if detail.off_duty and detail.starts_at is not None:
            st.text(f"No steps yet: {detail.agent} is off duty now; the task starts {relative(detail.starts_at)} "
                    f"({local_time(detail.starts_at, _tz())}), when {detail.agent}'s next shift begins, {how}.")
        elif detail.starts_at is not None and detail.status == "pending":
            st.text(f"No steps yet: the task starts {relative(detail.starts_at)}, {how}.")
        else:
            st.text(f"No steps yet: the task runs {how}.")
    for step in detail.steps:
        step_card(task_id, step, detail.lessons_of(step))


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
                help="Ticked, the note (with Approve or Request changes) becomes a lesson: every later task of this "
                     "customer carries it in its prompts (see What we have learned on the Customers page).")
    may = permit("review_task")
    if may.help:
        st.caption(may.help)
    a, r, d = st.columns(3)
    a.button("Approve", key="review_approve", type="primary", on_click=_decide, args=(detail.id, "approve"),
             disabled=may.disabled, help=may.help)
    r.button("Request changes", key="review_revise", on_click=_decide, args=(detail.id, "revise"),
             disabled=may.disabled, help=may.help)
    if confirmed("review_discard", "Discard", "Discard this work? The task is closed as discarded: never delivered, "
                 "never invoiced, and it cannot be retried.", "Yes, discard it", where=d, disabled=may.disabled,
                 help=may.help):
        _decide(detail.id, "discard")
        st.rerun()
