"""Action proposals: every outside side effect starts as one of these, waiting for an approval."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.audit import Actor, record_audit
from db.models import ActionProposal


def draft_proposal(
    session: Session,
    actor: Actor,
    *,
    vertical: str,
    action_type: str,
    title: str,
    reasoning: str,
    payload: dict[str, Any],
    dedupe_key: str,
    urgency: str = "medium",
    event_id: int | None = None,
) -> tuple[int, bool]:
    """Insert a `pending` proposal unless one with `dedupe_key` exists; return (id, created). No commit."""
    new_id = session.execute(
        insert(ActionProposal)
        .values(
            vertical=vertical, action_type=action_type, title=title, reasoning=reasoning,
            payload=payload, dedupe_key=dedupe_key, urgency=urgency, event_id=event_id,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(ActionProposal.id)
    ).scalar_one_or_none()
    if new_id is None:
        existing = session.execute(
            select(ActionProposal.id).where(ActionProposal.dedupe_key == dedupe_key)
        ).scalar_one()
        return existing, False
    record_audit(session, actor, "proposal", new_id, None, "pending",
                 {"action_type": action_type, "vertical": vertical, "title": title})
    return new_id, True
