"""Action proposals: every outside side effect starts as one of these, waiting for an approval.

Lifecycle: pending → approved → executing → executed | failed; pending → rejected; pending → expired.
Approving writes the decision, its audit row and the queued execution (the outbox row) in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.approvals.policies import get_policy
from core.audit import Actor, record_audit
from core.errors import NotFound
from core.transitions import transition_proposal
from db.models import ActionProposal, Execution

DECISIONS = ("approve", "reject")
_AFTER_APPROVAL = ("approved", "executing", "executed", "failed")


class PayloadError(ValueError):
    """An edited payload that cannot be executed (not a JSON object)."""


@dataclass(frozen=True)
class Decision:
    """The answer to one approve/reject: whether it took effect, the proposal's status now, and why."""

    proposal_id: int
    ok: bool
    status: str
    message: str
    execution_id: int | None = None


def execution_key(proposal_id: int) -> str:
    """The idempotency key of a proposal's execution: one proposal, one execution, however often approved."""
    return f"proposal-{proposal_id}-v1"


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
    """Insert a `pending` proposal unless one with `dedupe_key` exists; return (id, created). No commit.

    When the action type's policy allows it, the proposal is approved at once by the policy
    (actor_type `policy`) in the same transaction, so an approval record exists either way.
    """
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
    policy = get_policy(session, action_type)
    if policy.allows_auto(payload):
        approve_proposal(session, new_id, Actor.policy(f"policy.{action_type}"),
                         note=f"approved by policy ({policy.describe()})")
    return new_id, True


def _lock(session: Session, proposal_id: int) -> ActionProposal:
    row = session.execute(
        select(ActionProposal).where(ActionProposal.id == proposal_id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"proposal {proposal_id} not found")
    return row


def _not_pending(proposal: ActionProposal, wanted: str) -> Decision:
    if proposal.status in _AFTER_APPROVAL:
        message = f"proposal {proposal.id} is already approved (now {proposal.status}); nothing was done"
    else:
        message = f"proposal {proposal.id} is already {proposal.status}; it cannot be {wanted}"
    return Decision(proposal.id, False, proposal.status, message)


def approve_proposal(
    session: Session,
    proposal_id: int,
    actor: Actor,
    *,
    note: str | None = None,
    edited_payload: dict[str, Any] | None = None,
) -> Decision:
    """Approve a pending proposal and queue its one execution, in the caller's transaction (no commit).

    The row is locked first, so of two simultaneous approvals one wins and the other gets
    `ok=False` with "already approved". An edited payload replaces the proposal's payload; the audit
    row keeps both. Raises NotFound for an unknown id, PayloadError for a payload that is not an object.
    """
    if edited_payload is not None and not isinstance(edited_payload, dict):
        raise PayloadError("the edited payload must be a JSON object")
    proposal = _lock(session, proposal_id)
    if proposal.status != "pending":
        return _not_pending(proposal, "approved")
    metadata: dict[str, Any] = {"action_type": proposal.action_type}
    values: dict[str, Any] = {"decided_at": func.now(), "decided_by": actor.label, "decision_note": note}
    if note:
        metadata["note"] = note
    if edited_payload is not None and edited_payload != proposal.payload:
        metadata["original_payload"] = proposal.payload
        metadata["edited_payload"] = edited_payload
        values["payload"] = edited_payload
    transition_proposal(session, proposal_id, "approved", actor, values=values, metadata=metadata)
    key = execution_key(proposal_id)
    # The proposal's row lock makes this the only insert of its key; the unique index is the database's guard.
    execution_id = session.execute(
        insert(Execution).values(proposal_id=proposal_id, idempotency_key=key).returning(Execution.id)
    ).scalar_one()
    session.expire(proposal)
    return Decision(proposal_id, True, "approved", f"proposal {proposal_id} approved; execution queued", execution_id)


def reject_proposal(session: Session, proposal_id: int, actor: Actor, *, note: str | None = None) -> Decision:
    """Reject a pending proposal (no execution is ever queued for it). No commit; NotFound for an unknown id."""
    proposal = _lock(session, proposal_id)
    if proposal.status != "pending":
        return _not_pending(proposal, "rejected")
    transition_proposal(
        session, proposal_id, "rejected", actor,
        values={"decided_at": func.now(), "decided_by": actor.label, "decision_note": note},
        metadata={"note": note} if note else {"action_type": proposal.action_type},
    )
    session.expire(proposal)
    return Decision(proposal_id, True, "rejected", f"proposal {proposal_id} rejected")


def decide(
    session: Session,
    proposal_id: int,
    decision: str,
    actor: Actor,
    *,
    note: str | None = None,
    edited_payload: dict[str, Any] | None = None,
) -> Decision:
    """Approve or reject one proposal by name of the decision (`approve` | `reject`). No commit."""
    if decision == "approve":
        return approve_proposal(session, proposal_id, actor, note=note, edited_payload=edited_payload)
    if decision == "reject":
        return reject_proposal(session, proposal_id, actor, note=note)
    raise ValueError(f"decision must be approve or reject (got {decision!r})")


def decide_many(
    session: Session, ids: Iterable[int], decision: str, actor: Actor, note: str | None = None
) -> list[Decision]:
    """Approve or reject several proposals in one transaction; one result per id, a bad id spoils none. No commit."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be approve or reject (got {decision!r})")
    wanted = list(dict.fromkeys(ids))  # keep order, drop repeats
    by_id: dict[int, Decision] = {}
    for proposal_id in sorted(wanted):  # lock in id order, so two overlapping batches cannot deadlock
        try:
            with session.begin_nested():
                by_id[proposal_id] = decide(session, proposal_id, decision, actor, note=note)
        except NotFound as exc:
            by_id[proposal_id] = Decision(proposal_id, False, "missing", str(exc))
    return [by_id[proposal_id] for proposal_id in wanted]


def expire_stale_proposals(
    session: Session, max_age: timedelta, actor: Actor | None = None, *, limit: int = 500
) -> list[int]:
    """Move pending proposals older than `max_age` to `expired` (never `rejected`); return their ids. No commit."""
    actor = actor or Actor.system("expiry")
    ids = session.execute(
        select(ActionProposal.id)
        .where(ActionProposal.status == "pending", ActionProposal.created_at < func.now() - max_age)
        .order_by(ActionProposal.created_at, ActionProposal.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # a proposal being decided right now is left to that decision
    ).scalars().all()
    hours = max_age.total_seconds() / 3600
    for proposal_id in ids:
        transition_proposal(session, proposal_id, "expired", actor,
                            values={"decided_at": func.now(), "decided_by": actor.label},
                            metadata={"reason": f"pending for more than {hours:g} hours"})
    return list(ids)
