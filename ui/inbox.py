"""Inbox widgets: proposal cards, batch actions, history. Every piece of data is rendered as text."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.approvals.executor import resolve_unknown_execution
from core.approvals.payloads import REVISABLE
from core.approvals.proposals import Decision, decide, decide_many
from core.approvals.queries import (
    ProposalView,
    count_pending,
    count_proposals,
    distinct_values,
    edit_of,
    get_proposal,
    list_needing_attention,
    list_pending,
    list_proposals,
)
from core.approvals.trust import mark_opened
from core.approvals.undo import rejection_undoable, undo_rejection
from core.config.context import AppContext
from core.errors import Forbidden, IllegalTransition, InvalidInput, NotFound
from core.present.cards import execution_text, is_dry_run, proposal_card, result_fields
from core.present.times import relative, when
from core.present.words import EMPTY, label, status_text
from db.statuses import PROPOSAL_STATUSES
from ui.confirm import confirmed
from ui.context import current_actor
from ui.decisions import edit_form, show_diff, time_left, trust_tab
from ui.permits import permit
from ui.text_popover import text_popover

__all__ = ["history_tab", "pending_tab", "show_flash", "trust_tab"]  # the Inbox page's tabs

PAGE_SIZE = 20
_URGENCY_COLOR = {"critical": "red", "high": "orange", "medium": "blue", "low": "gray"}
_FLASH = "inbox_flash"


def flash(messages: list[str]) -> None:
    """Keep messages for the next run (after st.rerun) and rerun."""
    st.session_state[_FLASH] = messages
    st.rerun()


def show_flash() -> None:
    """Show (once) what the last action did; the messages are ours (ids and statuses), shown as text."""
    for message in st.session_state.pop(_FLASH, []):
        st.text(message)


def outgoing_text(p: ProposalView) -> str:
    """The exact message or object that would go out, as plain text."""
    payload = p.payload
    if p.action_type in ("email", "deliver", "gmail_draft") and {"to", "subject", "body"} <= payload.keys():
        if p.action_type == "gmail_draft" or payload.get("channel") == "gmail_draft":
            sender = "(the connected Gmail account: saved as a draft there, not sent)"
        else:
            sender = payload.get("from") or "(configured BIZDEV_EMAIL_FROM)"
        return f"From: {sender}\nTo: {payload['to']}\nSubject: {payload['subject']}\n\n{payload['body']}"
    if p.action_type == "slack" and "text" in payload:
        return str(payload["text"])
    card = proposal_card(p.action_type, payload)
    lines = [card.headline, "", *(f"{name}: {value}" for name, value in card.fields)]
    return "\n".join(lines + (["", card.body] if card.body else []))


def _header(p: ProposalView) -> None:
    left, right = st.columns([5, 1])
    left.text(f"#{p.id}  {p.title}")
    right.badge(p.urgency.upper() if p.urgency in _URGENCY_COLOR else "?", color=_URGENCY_COLOR.get(p.urgency, "gray"))
    st.text(f"{label(p.vertical)} · {label(p.action_type)} · {status_text(p.status)} · created "
            f"{when(p.created_at, tz=_TZ())}")
    if p.reasoning:
        st.text(f"Why: {p.reasoning}")
    if p.event_id is not None:
        st.page_link("pages/events.py", label=f"Made from event #{p.event_id}: see Events & ledger",
                     icon=":material/receipt_long:")


def execution_block(p: ProposalView) -> None:
    """The decision and the execution result, as text."""
    if p.decided_by:
        note = f" — note: {p.decision_note}" if p.decision_note else ""
        st.text(f"{status_text(p.status)}: decided by {p.decided_by} {when(p.decided_at, tz=_TZ())}{note}"
                if p.decided_at else f"Decided by {p.decided_by}{note}")
    e = p.execution
    if e is None:
        return
    st.text(f"{execution_text(e.status, e.result)} (attempt {e.attempt})")
    if e.error:
        st.text(f"Error: {e.error}")
    if fields := result_fields(e.result):
        with st.expander("What happened, in detail"):
            st.text("\n".join(f"{name}: {value}" for name, value in fields))


def _decide_one(ctx: AppContext, proposal_id: int, decision: str, note: str | None,
                edited: dict[str, Any] | None = None) -> str:
    with ctx.sessions() as session:
        try:
            # No role from the session: the server looks the operator up itself (SPEC §19), whatever the page says.
            result = decide(session, proposal_id, decision, current_actor(), note=note, edited_payload=edited,
                            settings=ctx.settings)
        except (NotFound, InvalidInput) as exc:  # PayloadInvalid names each refused field
            details = "; ".join(f"{d['field']}: {d['message']}" for d in getattr(exc, "details", ()))
            return f"{exc} ({details})" if details else str(exc)
        session.commit()
    return result.message


def may_decide(ctx: AppContext) -> bool:
    """Whether the signed-in operator may decide at all (a viewer sees the cards without buttons)."""
    return not permit("decide_proposal").disabled


def outgoing(p: ProposalView) -> None:
    """What would go out, as text in a box: every character as typed, no Markdown or HTML. st.text, not st.code:
    the code block's highlighter is a 1.5 MB bundle the Inbox's first load fetched for plain text."""
    with st.container(border=True):
        st.text(outgoing_text(p))


def pending_card(ctx: AppContext, p: ProposalView, deciding: bool = True, focused: bool = False) -> None:
    """One pending proposal: what would go out, Approve / Edit / Reject / Request changes with a note, a batch
    checkbox; the focused card answers the keyboard (A approve, X reject; J moves to the next card)."""
    with st.container(border=True):
        _header(p)
        time_left(ctx, p)
        if p.supersedes_id is not None:
            st.text(f"Revised draft: replaces proposal #{p.supersedes_id}")
        st.text("What would go out:")
        outgoing(p)
        if not deciding:
            return
        if focused:
            st.caption("Keyboard: A approve · X reject · J next card")
        st.checkbox("Select for batch", key=f"sel_{p.id}")
        editing = st.toggle("Edit before approving", key=f"edit_{p.id}")
        edited = None
        if editing:
            edited = edit_form(p)
            if edited is not None:
                show_diff(p.payload, edited)
        revisable = p.action_type in REVISABLE
        # The note in a popover whose label shows it: no text input's bundle on the Inbox's cold load (issue 16).
        title = "Add a note" + (" (what to change, for Request changes)" if revisable else "")
        note = text_popover(f"note_box_{p.id}", title, {f"note_{p.id}": "Note"}, max_chars=None,
                            icon=":material/edit_note:")[f"note_{p.id}"] or None
        cols = st.columns(3 if revisable else 2)
        if cols[0].button("Approve" + (" edited" if editing else ""), key=f"approve_{p.id}", type="primary",
                          shortcut="A" if focused else None):
            if editing and edited is None:
                st.error("The edited payload does not validate; nothing was approved.")
                return
            flash([_decide_one(ctx, p.id, "approve", note, edited)])
        if confirmed(f"reject_{p.id}", "Reject", f"Reject “{p.title}”? Nothing goes out. You can undo a rejection "
                     "for 10 minutes.", "Yes, reject", where=cols[1], shortcut="X" if focused else None):
            flash([_decide_one(ctx, p.id, "reject", note)])
        if revisable and cols[2].button("Request changes", key=f"revise_{p.id}"):
            if not note:
                st.error("Write in the note what should change; nothing was done.")
                return
            flash([_decide_one(ctx, p.id, "revise", note)])


def batch_bar(ctx: AppContext, shown: list[ProposalView]) -> None:
    """Approve or reject every selected card at once."""
    selected = [p.id for p in shown if st.session_state.get(f"sel_{p.id}")]
    with st.container(border=True):
        st.text(f"{len(selected)} selected")
        note = text_popover("batch_note_box", "Add a note for the batch", {"batch_note": "Note"}, max_chars=None,
                            icon=":material/edit_note:")["batch_note"] or None
        a, r = st.columns(2)
        decision = "approve" if a.button("Approve selected", key="batch_approve", disabled=not selected) else None
        if confirmed("batch_reject", "Reject selected", f"Reject {len(selected)} selected proposal(s)? Nothing of "
                     "them goes out. You can undo each rejection for 10 minutes.", "Yes, reject them", where=r,
                     disabled=not selected):
            decision = "reject"
        if decision is not None:
            with ctx.sessions() as session:
                results: list[Decision] = decide_many(session, selected, decision, current_actor(), note)
                session.commit()
            for pid in selected:
                st.session_state.pop(f"sel_{pid}", None)
            flash([r.message for r in results])


def attention_section(ctx: AppContext) -> None:
    """Executions whose outcome is unknown (a crash mid-call): the operator says sent, retry or give up."""
    with ctx.sessions() as session:
        stuck = list_needing_attention(session)
    if not stuck:
        return
    st.subheader("Needs your decision: outcome unknown")
    for p in stuck:
        with st.container(border=True):
            _header(p)
            outgoing(p)
            execution_block(p)
            cols = st.columns(3)
            may = permit("decide_proposal")
            for col, resolution, label in zip(cols, ("sent", "retry", "give_up"),
                                              ("It went out", "Retry (same key)", "Give up"), strict=True):
                if col.button(label, key=f"resolve_{resolution}_{p.id}", disabled=may.disabled,
                              help=may.help) and p.execution is not None:
                    with ctx.sessions() as session:
                        try:
                            message = resolve_unknown_execution(session, p.execution.id, resolution, current_actor())
                            session.commit()
                        except (NotFound, IllegalTransition, Forbidden) as exc:
                            message = str(exc)
                    flash([message])


def undo_section(ctx: AppContext) -> None:
    """Rejections a person made in the last 10 minutes, each with Undo (back to pending: nothing had gone out)."""
    with ctx.sessions() as session:
        rejected = [p for p in list_proposals(session, statuses=["rejected"], limit=20)
                    if rejection_undoable(p.status, p.decided_by, p.decided_at)]
    if not rejected:
        return
    st.subheader("Rejected in the last 10 minutes")
    may = permit("decide_proposal")
    for p in rejected:
        left, right = st.columns([5, 1])
        left.text(f"#{p.id}  {p.title} (rejected by {p.decided_by})")
        if right.button("Undo", key=f"undo_reject_{p.id}", disabled=may.disabled, help=may.help):
            with ctx.sessions() as session:
                try:
                    message = undo_rejection(session, p.id, current_actor())
                    session.commit()
                except (NotFound, IllegalTransition, Forbidden) as exc:
                    message = f"Not undone: {exc}"
            flash([message])


def pending_tab(ctx: AppContext) -> None:
    """Pending proposals, most urgent first, paginated; then the latest decided ones with their results."""
    attention_section(ctx)
    with ctx.sessions() as session:
        total = count_pending(session)
    pages = max(1, -(-total // PAGE_SIZE))
    page = st.number_input("Page", min_value=1, max_value=pages, value=1, key="pending_page") if pages > 1 else 1
    with ctx.sessions() as session:
        shown = list_pending(session, limit=PAGE_SIZE, offset=(int(page) - 1) * PAGE_SIZE)
    st.text(f"{total} pending" + (f" · page {page} of {pages}" if pages > 1 else ""))
    if not shown:
        st.text("Nothing waits for a decision.")
    else:
        with ctx.sessions() as session:
            mark_opened(session, [p.id for p in shown])  # the trust ledger's open→decision clock
            session.commit()
        deciding = may_decide(ctx)
        focus = int(st.session_state.get("inbox_focus", 0)) % len(shown)
        if deciding:
            batch_bar(ctx, shown)
            if st.button("Next card", key="inbox_next", shortcut="J"):
                st.session_state["inbox_focus"] = focus + 1
                st.rerun()
        else:
            st.text(f"{permit('decide_proposal').help} You can see the proposals but not decide them.")
        for index, p in enumerate(shown):
            pending_card(ctx, p, deciding, focused=index == focus)
    undo_section(ctx)
    with ctx.sessions() as session:
        recent = list_proposals(session, statuses=["approved", "executing", "executed", "failed"], limit=10)
    if recent:
        st.subheader("Recently approved")
        for p in recent:
            with st.container(border=True):
                _header(p)
                execution_block(p)


def _shown_status(p: ProposalView) -> str:
    """A proposal's status in words; an executed dry run says it was recorded, not sent."""
    if p.status == "executed" and p.execution is not None and is_dry_run(p.execution.result):
        return "Recorded, not sent (dry run)"
    return status_text(p.status)


def _TZ() -> str:  # noqa: N802 - the operator's zone, read when a card renders
    from ui.context import app_context

    return app_context().settings.hoss_timezone


def history_tab(ctx: AppContext) -> None:
    """Every proposal, filtered by status, vertical and action type, paginated in SQL."""
    with ctx.sessions() as session:
        options = distinct_values(session)
    c1, c2, c3 = st.columns(3)
    statuses = c1.multiselect("Status", PROPOSAL_STATUSES, key="hist_status", format_func=status_text)
    vertical = c2.selectbox("Vertical", ["(all)", *options["vertical"]], key="hist_vertical")
    action_type = c3.selectbox("Action type", ["(all)", *options["action_type"]], key="hist_type")
    filters = {"statuses": statuses or None, "vertical": None if vertical == "(all)" else vertical,
               "action_type": None if action_type == "(all)" else action_type}
    with ctx.sessions() as session:
        total = count_proposals(session, **filters)
        pages = max(1, -(-total // PAGE_SIZE))
        page = st.number_input("History page", min_value=1, max_value=pages, value=1, key="hist_page")
        rows = list_proposals(session, **filters, limit=PAGE_SIZE, offset=(int(page) - 1) * PAGE_SIZE)
    st.text(f"{total} proposal(s) · page {page} of {pages}")
    st.dataframe(pd.DataFrame([{
        "#": p.id, "created": relative(p.created_at), "status": _shown_status(p), "urgency": label(p.urgency),
        "area": label(p.vertical), "action": label(p.action_type), "title": p.title,
        "decided by": p.decided_by or EMPTY, "decided": relative(p.decided_at),
        "outcome": execution_text(p.execution.status, p.execution.result) if p.execution else EMPTY,
        "error": (p.execution.error if p.execution else None) or EMPTY,
    } for p in rows]), hide_index=True, width="stretch")
    ids = [p.id for p in rows]
    if ids:
        chosen = st.selectbox("Details of proposal", ids, key="hist_detail")
        with ctx.sessions() as session:
            p = get_proposal(session, int(chosen))
            edit = edit_of(session, p.id)
        with st.container(border=True):
            _header(p)
            if p.supersedes_id is not None:
                st.text(f"Revised draft: replaces proposal #{p.supersedes_id}")
            outgoing(p)
            if edit is not None:
                show_diff(*edit, label="Edited before approval")
            execution_block(p)
