"""Failures (SPEC §16): failed tasks, failed events, failed and unknown executions; bulk retry and event replay."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
import streamlit as st

from core.console import failures as fl
from core.errors import Forbidden, HossError
from ui.context import app_context, current_actor
from ui.permits import permit
from ui.safe import md_escape
from ui.tables import page_for_filter, pager, selection_key
from ui.text_popover import text_popover

ctx = app_context()
BETWEEN = "between dates"

st.title("Failures")
st.caption("Failed tasks, failed events, and failed or unknown executions, newest last attempt first. "
           "A retry is one audited move per row, with you as the actor: a task is pending again with fresh "
           "attempts, an event is due again, an execution is queued again with its idempotency key.")


def _filter() -> fl.FailureFilter:
    """The filter the widgets hold now (the actions' callbacks read it too, so a click acts on what is shown)."""
    state = st.session_state
    when = state.get("failures_when") or "any time"
    if when == BETWEEN:
        dates = tuple(state.get("failures_dates") or ())
        since, until = fl.between(dates[0], dates[-1]) if dates else (None, None)
    else:
        since, until = fl.window(when, datetime.now(timezone.utc))
    return fl.FailureFilter(tuple(state.get("failures_kinds", fl.KINDS)), state.get("failures_error", ""),
                            since, until)


def _keep(report: fl.RetryReport | str) -> None:
    st.session_state["failures_report"] = report


def _retry_selected(keys: tuple[str, ...]) -> None:
    try:
        with ctx.sessions() as session:
            _keep(fl.retry_failures(session, keys, current_actor()))
    except Forbidden as exc:
        st.session_state["failures_refused"] = str(exc)


def _retry_matching() -> None:
    try:
        with ctx.sessions() as session:
            _keep(fl.retry_matching(session, _filter(), current_actor()))
    except Forbidden as exc:
        st.session_state["failures_refused"] = str(exc)


def _replay() -> None:
    event_id, node = st.session_state.get("failures_replay_event"), st.session_state.get("failures_replay_node")
    try:
        with ctx.sessions() as session:
            _keep(fl.replay_event_from(session, int(event_id), str(node), current_actor()))
    except HossError as exc:
        _keep(fl.RetryReport(skipped=[(f"event:{event_id}", str(exc))]))


# Pills and a popover rather than a multiselect, a select box and a text input: a person sees the same filter, and a
# cold load carries none of those three widgets' frontend bundles (issue 16).
f1, f2 = st.columns([1, 2])
f1.pills("Type", fl.KINDS, selection_mode="multi", default=list(fl.KINDS), key="failures_kinds")
f2.pills("Last attempt", [*fl.WINDOWS, BETWEEN], default="any time", required=True, key="failures_when")
text_popover("failures_search_box", "Search the error text", {"failures_error": "Error text"},
             placeholders={"failures_error": "e.g. timeout"})
if st.session_state.get("failures_when") == BETWEEN:
    today = datetime.now(timezone.utc).date()
    st.date_input("Dates (UTC)", value=(today - timedelta(days=7), today), key="failures_dates")
try:
    flt = _filter()
except HossError as exc:
    st.error("Filter not applied.")
    st.text(str(exc))
    st.stop()

# A new filter starts at its first page (compared by the inputs: a window's start moves with the clock).
inputs = tuple(repr(st.session_state.get(k)) for k in ("failures_kinds", "failures_error", "failures_when",
                                                       "failures_dates"))
with ctx.sessions() as session:
    page = fl.list_failures(session, flt, page=page_for_filter("failures", inputs))

if refused := st.session_state.pop("failures_refused", None):
    st.error(refused)
report = st.session_state.pop("failures_report", None)
if isinstance(report, str):
    st.success(md_escape(report))
elif report is not None:
    if report.retried:
        st.success(f"Retried {len(report.retried)} row(s).")
    elif not report.skipped:
        st.info("Nothing to retry.")
    if report.skipped:
        st.warning(f"Skipped {len(report.skipped)} row(s):")
        st.text("\n".join(f"{key}: {reason}" for key, reason in report.skipped))

st.caption(f"{page.total} matching row(s); page {page.page}.")
table = st.dataframe(
    pd.DataFrame(
        [{"kind": r.kind, "id": r.id, "view": f"task?task={r.id}" if r.kind == "task" else None, "status": r.status,
          "what": r.what, "error": r.error or "", "last attempt": r.at, "attempts": r.attempts,
          "failed at": r.step or ""} for r in page.rows],
        columns=["kind", "id", "view", "status", "what", "error", "last attempt", "attempts", "failed at"],
    ),
    hide_index=True, width="stretch", key=selection_key("failures_table", (r.key for r in page.rows)),
    on_select="rerun", selection_mode="multi-row",
    column_config={"last attempt": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                   "view": st.column_config.LinkColumn("view", display_text="open")},
)
selected = tuple(page.rows[i].key for i in table.selection.rows if i < len(page.rows))
pager("failures", page.page, page.has_next)

retrying = permit("run_agent")
c1, c2, c3 = st.columns([1, 1, 2], vertical_alignment="center")
c1.button(f"Retry selected ({len(selected)})", key="failures_retry_selected", on_click=_retry_selected,
          args=(selected,), disabled=retrying.disabled or not selected, help=retrying.help, type="primary",
          width="stretch")
# The popover is the confirmation: a bulk retry takes opening it, reading what it covers, and a second click.
with c2.popover("Retry all matching…", disabled=not page.total, width="stretch", key="failures_all_box"):
    st.caption(f"Acts on all {page.total} row(s) the filter matches, not only this page. It skips executions "
               "whose outcome is unknown and that could go out twice (email, Slack): tick those to retry them on "
               "purpose.")
    st.button(f"Retry all {page.total} matching row(s)", key="failures_retry_all", on_click=_retry_matching,
              disabled=retrying.disabled or not page.total, help=retrying.help, type="primary")
c3.caption(retrying.help or "Tick rows in the table to retry them.")

replayable = {r.id: r for r in page.rows if r.kind == "event" and r.nodes}
if replayable:
    with st.popover("Replay an event from a graph node…", key="failures_replay_box"):
        st.caption("Clears the event's checkpoints from that node on and makes it due again: the nodes before "
                   "it are taken from their checkpoints, the rest run again.")
        chosen = st.selectbox("Event", list(replayable), key="failures_replay_event",
                              format_func=lambda i: f"event #{i} · {replayable[i].what}"
                              + (f" · failed at {replayable[i].step}" if replayable[i].step else ""))
        nodes = replayable[chosen].nodes
        step = replayable[chosen].step
        st.selectbox("From node", nodes, index=nodes.index(step) if step in nodes else 0,
                     key="failures_replay_node")
        st.button("Replay", key="failures_replay", on_click=_replay, type="primary", disabled=retrying.disabled,
                  help=retrying.help)

st.caption("A retried worker task resumes at its first unfinished step: the steps it finished are kept and never "
           "called again (open it to see them). A task of the Ops prompt is one LLM call, so a retry reruns it.")
