"""Status transitions: one locked, checked, audited move per call, for every entity with a status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.audit import Actor, record_audit
from core.errors import IllegalTransition, NotFound
from db.models import ActionProposal, Customer, Event, Execution, Invoice, Lead, Task

# entity -> from_status -> the statuses it may move to. Anything else is refused.
ALLOWED: dict[str, dict[str, frozenset[str]]] = {
    "lead": {
        "new": frozenset({"contacted", "responded", "qualified_candidate", "lost"}),
        "contacted": frozenset({"responded", "qualified_candidate", "lost"}),
        "responded": frozenset({"qualified", "qualified_candidate", "lost"}),
        "qualified_candidate": frozenset({"qualified", "lost"}),
        "qualified": frozenset(),
        "lost": frozenset({"new"}),
    },
    "customer": {
        "trial": frozenset({"active", "churned"}),
        "active": frozenset({"trial", "churned"}),
        "churned": frozenset({"active"}),
    },
    "task": {
        "pending": frozenset({"running", "failed"}),
        # running → running: a lapsed lease reclaimed by another worker (the Ops claim writes it in SQL).
        "running": frozenset({"running", "done", "failed", "pending", "needs_review"}),
        "failed": frozenset({"pending"}),
        # The review gate (SPEC §12): approve → done, request changes → pending, discard → failed.
        "needs_review": frozenset({"pending", "done", "failed"}),
        "done": frozenset(),
        # held: over the plan's monthly cap (SPEC §13); released to pending when the allowance grows, or discarded.
        "held": frozenset({"pending", "failed"}),
    },
    "invoice": {
        "draft": frozenset({"sent", "paid", "void"}),
        "sent": frozenset({"paid", "void"}),
        "paid": frozenset(),
        "void": frozenset(),
    },
    "proposal": {
        # pending → superseded: the operator asked for changes and version 2 replaced it (proposals.revise_proposal).
        "pending": frozenset({"approved", "rejected", "expired", "superseded"}),
        "approved": frozenset({"executing", "failed"}),
        # executing → approved: the operator chose "retry" for an execution whose outcome is unknown.
        "executing": frozenset({"executed", "failed", "approved"}),
        "failed": frozenset({"approved"}),
        "rejected": frozenset(),
        "expired": frozenset(),
        "executed": frozenset(),
        "superseded": frozenset(),
    },
    "execution": {
        "queued": frozenset({"started", "failed"}),
        "started": frozenset({"succeeded", "failed", "unknown"}),
        # The operator's answer to an unknown outcome: it went out, queue it again, or give up.
        "unknown": frozenset({"succeeded", "queued", "failed"}),
        "succeeded": frozenset(),
        # failed → queued: the operator's retry (Failures page). The same row, so the same idempotency key;
        # its proposal moves failed → approved beside it (core.approvals.executor.retry_execution).
        "failed": frozenset({"queued"}),
    },
    "event": {
        "received": frozenset({"processed", "ignored", "failed"}),
        # failed → failed: a retry that failed again (attempts counts them). failed → received: the operator's
        # retry or replay from a graph node (core.events.replay), so the processor takes it again at once.
        "failed": frozenset({"processed", "ignored", "failed", "received"}),
        "processed": frozenset(),
        "ignored": frozenset(),
    },
}

MODELS = {"lead": Lead, "customer": Customer, "task": Task, "invoice": Invoice, "proposal": ActionProposal,
          "execution": Execution, "event": Event}


def can_transition(entity: str, from_status: str, to_status: str) -> bool:
    """Whether `entity` may move from `from_status` to `to_status`."""
    return to_status in ALLOWED[entity].get(from_status, frozenset())


def transition(
    session: Session,
    entity: str,
    entity_id: int,
    to_status: str,
    actor: Actor,
    *,
    values: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
) -> str:
    """Lock the row, refuse an illegal move, set the status (and `values`), audit it; return the old status.

    Runs in the caller's transaction and does not commit, so the change and its audit row land together.
    """
    model = MODELS[entity]
    current = session.execute(
        select(model.status).where(model.id == entity_id).with_for_update()
    ).scalar_one_or_none()
    if current is None:
        raise NotFound(f"{entity} {entity_id} not found")
    if not can_transition(entity, current, to_status):
        raise IllegalTransition(f"{entity} {entity_id} is {current}; it cannot become {to_status}")
    session.execute(update(model).where(model.id == entity_id).values(status=to_status, **(values or {})))
    record_audit(session, actor, entity, entity_id, current, to_status, metadata)
    return current


def transition_lead(session: Session, lead_id: int, to_status: str, actor: Actor, **kw: Any) -> str:
    """Move a lead (see ALLOWED['lead'])."""
    return transition(session, "lead", lead_id, to_status, actor, **kw)


def transition_task(session: Session, task_id: int, to_status: str, actor: Actor, **kw: Any) -> str:
    """Move a task (see ALLOWED['task'])."""
    return transition(session, "task", task_id, to_status, actor, **kw)


def transition_invoice(session: Session, invoice_id: int, to_status: str, actor: Actor, **kw: Any) -> str:
    """Move an invoice (see ALLOWED['invoice'])."""
    return transition(session, "invoice", invoice_id, to_status, actor, **kw)


def transition_proposal(session: Session, proposal_id: int, to_status: str, actor: Actor, **kw: Any) -> str:
    """Move an action proposal (see ALLOWED['proposal'])."""
    return transition(session, "proposal", proposal_id, to_status, actor, **kw)
