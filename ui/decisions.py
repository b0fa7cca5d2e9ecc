"""Inbox pieces of SPEC §14: the payload edit form from the action type's model, the diff of an edit, the
SLA's time left, the Trust tab, and the Operators section (owner only). All data is rendered as text."""

from __future__ import annotations

import difflib
import json
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from core.approvals.operators import add_operator, deactivate_operator, list_operators
from core.approvals.payloads import PAYLOAD_MODELS, PayloadInvalid, validate_payload
from core.approvals.policies import get_policy, time_left_text
from core.approvals.queries import ProposalView
from core.approvals.trust import trust_ledger
from core.config.context import AppContext
from core.errors import Forbidden, InvalidInput, NotFound
from core.money.cents import cents_from_dollars, to_dollars
from core.present.cards import diff_lines
from core.present.words import label as field_label
from db.statuses import OPERATOR_ROLES
from ui.context import current_actor
from ui.permits import permit

_LONG_FIELDS = ("body", "text", "description")


def payload_diff(original: dict[str, Any], edited: dict[str, Any]) -> str:
    """A unified diff of two payloads' JSON, line by line ('' when they are equal)."""
    a = json.dumps(original, indent=2, ensure_ascii=False, sort_keys=True, default=str).splitlines()
    b = json.dumps(edited, indent=2, ensure_ascii=False, sort_keys=True, default=str).splitlines()
    return "\n".join(difflib.unified_diff(a, b, "original", "edited", lineterm=""))


def edit_form(p: ProposalView) -> dict[str, Any] | None:
    """Fields generated from the action type's payload model (JSON for a type without one); the payload, or None
    with the errors shown when it does not validate."""
    model = PAYLOAD_MODELS.get(p.action_type)
    if model is None:
        raw = st.text_area("Payload (JSON)", value=json.dumps(p.payload, indent=2, ensure_ascii=False),
                           key=f"payload_{p.id}", height=220)
        try:
            edited = json.loads(raw)
        except ValueError as exc:
            st.error(f"The payload is not valid JSON ({exc.msg} at line {exc.lineno}).")
            return None
        if not isinstance(edited, dict):
            st.error("The payload must be a JSON object ({...}).")
            return None
        return edited
    edited = dict(p.payload)
    for name, info in model.model_fields.items():
        key, current = f"field_{p.id}_{name}", p.payload.get(name, info.default)
        shown = field_label(name)
        if name.endswith("_cents") and (info.annotation is int or info.annotation == (int | None)):
            amount = st.number_input(f"{shown} ($)", value=to_dollars(int(current or 0)), step=1.0, format="%.2f",
                                     key=key)
            edited[name] = cents_from_dollars(amount)
        elif info.annotation is int or info.annotation == (int | None):
            edited[name] = int(st.number_input(shown, value=int(current or 0), step=1, key=key))
        elif name in _LONG_FIELDS:
            edited[name] = st.text_area(shown, value=str(current or ""), key=key, height=180)
        else:
            edited[name] = st.text_input(shown, value=str(current or ""), key=key)
    try:
        checked = validate_payload(p.action_type, edited)
    except PayloadInvalid as exc:
        for detail in exc.details:
            st.error(f"{detail['field']}: {detail['message']}")
        return None
    return {**p.payload, **checked}


def show_diff(original: dict[str, Any], edited: dict[str, Any], label: str = "Changes") -> None:
    """The diff of an edit, in words: one line per changed field (core.present.cards.diff_lines)."""
    lines = diff_lines(original, edited)
    if lines:
        st.text(f"{label}:\n" + "\n".join(f"• {line}" for line in lines))


def time_left(ctx: AppContext, p: ProposalView) -> None:
    """The SLA's time left on a pending card, when its policy has one."""
    with ctx.sessions() as session:
        policy = get_policy(session, p.action_type)
    text = time_left_text(policy, p.created_at, datetime.now(UTC))
    if text:
        st.text(f"⏱ {text}")


def _fmt_seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} s" if value < 120 else f"{value / 60:.1f} min"


def trust_tab(ctx: AppContext) -> None:
    """The trust ledger over the last 30 days, one row per action type."""
    with ctx.sessions() as session:
        rows = trust_ledger(session)
    st.text("Last 30 days. Time is from a card's first opening (console, Slack button, email link) to its decision.")
    if not rows:
        st.text("No proposals in the window.")
        return
    st.dataframe(pd.DataFrame([{
        "action": r.action_type, "proposed": r.proposed, "approved as-is": r.approved_as_is,
        "approved edited": r.approved_edited,
        "mean edit distance": None if r.mean_edit_distance is None else round(r.mean_edit_distance, 1),
        "revised": r.revised, "rejected": r.rejected, "expired / timed out": r.timed_out, "failed": r.failures,
        "as-is share": "—" if r.as_is_share is None else f"{r.as_is_share:.0%}",
        "p50 open→decision": _fmt_seconds(r.p50_seconds), "p90 open→decision": _fmt_seconds(r.p90_seconds),
    } for r in rows]), hide_index=True, width="stretch")
    st.text("With 20+ decisions, 95%+ approved as-is and none rejected, a policy change to auto_below is proposed "
            "in the Inbox; under 50% approved as-is, a change back to manual. You still decide.")


def is_owner(ctx: AppContext) -> bool:
    """Whether the signed-in operator may manage operators (the Operators section is theirs alone)."""
    return not permit("manage_operators").disabled


def operators_section(ctx: AppContext) -> None:
    """Owners add, change and deactivate operators (audited); others see nothing here."""
    if not is_owner(ctx):
        return
    st.subheader("Operators")
    with ctx.sessions() as session:
        operators = list_operators(session)
    if operators:
        st.dataframe(pd.DataFrame([{"name": o.name, "role": o.role, "email": o.email, "slack user": o.slack_user_id,
                                    "active": o.active} for o in operators]), hide_index=True, width="stretch")
    else:
        st.text("No operators yet: everyone signed in decides as the owner until the first one is added.")
    with st.form("operator_add"):
        c1, c2, c3, c4 = st.columns(4)
        name = c1.text_input("Name", max_chars=64)
        role = c2.selectbox("Role", OPERATOR_ROLES, index=1)
        email = c3.text_input("Email (OIDC sign-in, approval emails)") or None
        slack_user = c4.text_input("Slack user id") or None
        if st.form_submit_button("Add or change"):
            _save(ctx, lambda s: add_operator(s, name.strip(), role, current_actor(), email=email,
                                              slack_user_id=slack_user))
    active = [o.name for o in operators if o.active]
    if active:
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        who = c1.selectbox("Deactivate", active, key="operator_deactivate")
        if c2.button("Deactivate", key="operator_deactivate_go"):
            _save(ctx, lambda s: deactivate_operator(s, who, current_actor()))


def _save(ctx: AppContext, change: Any) -> None:
    with ctx.sessions() as session:
        try:
            saved = change(session)
            session.commit()
        except (InvalidInput, NotFound, Forbidden) as exc:
            st.error(str(exc))
            return
    st.text(f"Saved: {saved.name} is {saved.role}{'' if saved.active else ' (inactive)'}")
