"""Status transitions: one locked, checked, audited move per call, for every entity with a status."""

from __future__ import annotations

from typing import Any, Literal, get_args

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.audit import Actor, record_audit
from core.errors import IllegalTransition, NotFound
from db import statuses as st
from db.models import (
    ActionProposal,
    AgentRun,
    Customer,
    Event,
    Execution,
    GraphStep,
    Integration,
    Invoice,
    Lead,
    Task,
    TaskStep,
)

# The decisions an operator (or a policy) makes; each becomes one of the moves below.
OneClickDecision = Literal["approve", "reject"]  # what an email link, a Slack button or a bulk decision carries
ProposalDecision = Literal[OneClickDecision, "revise"]  # revise: version 2 drafted with the note (pending → superseded)
ReviewDecision = Literal["approve", "revise", "discard"]  # the review gate (SPEC §12): → done, → pending, → discarded
ONE_CLICK_DECISIONS: tuple[OneClickDecision, ...] = get_args(OneClickDecision)
PROPOSAL_DECISIONS: tuple[ProposalDecision, ...] = get_args(ProposalDecision)
REVIEW_DECISIONS: tuple[ReviewDecision, ...] = get_args(ReviewDecision)

# entity -> from_status -> the statuses it may move to: every move the code makes, and nothing it does not. Anything
# else is refused by transition() here and, for the entities in GUARDED, by a trigger in the database itself.
ALLOWED: dict[str, dict[str, frozenset[str]]] = {
    "lead": {
        # new → contacted: a real email went out (core.approvals.executors.email); → responded: the operator marked
        # it (core.console.control_room); → qualified: onboarding made it a customer (core.agents.onboarding).
        "new": frozenset({"contacted", "responded"}),
        "contacted": frozenset({"responded"}),
        "responded": frozenset({"qualified"}),
        "qualified_candidate": frozenset({"qualified"}),  # only inserted so (demo data); onboarded like responded
        "qualified": frozenset(),
        "lost": frozenset(),  # inserted so; nothing moves a lead to or from it yet
    },
    # Nothing moves a customer's status yet: onboarding creates it `active`, and churn is Stripe's subscription_status.
    "customer": {
        "trial": frozenset(),
        "active": frozenset(),
        "churned": frozenset(),
    },
    "task": {
        "pending": frozenset({"running"}),
        # running → running: a lapsed lease reclaimed by another worker (the Ops claim writes it in SQL).
        "running": frozenset({"running", "done", "failed", "pending", "needs_review"}),
        "failed": frozenset({"pending"}),  # the operator's retry (core.ops.claims.requeue_failed_task)
        # The review gate (SPEC §12): approve → done, request changes → pending, discard → discarded (SPEC §21: its
        # own status, not a failure, so neither the Failures page nor a retry ever takes it).
        "needs_review": frozenset({"pending", "done", "discarded"}),
        "discarded": frozenset(),
        "done": frozenset(),
        # held: over the plan's monthly cap (SPEC §13); released to pending when the allowance grows.
        "held": frozenset({"pending"}),
    },
    "invoice": {
        # draft → sent: its Checkout link went out; → paid: Stripe (or the operator) says so. Void is inserted so.
        "draft": frozenset({"sent", "paid"}),
        "sent": frozenset({"paid"}),
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
        # rejected → pending: the operator undid the rejection within core.approvals.undo.UNDO_WINDOW (nothing had
        # gone out: a rejected proposal never has an execution).
        "rejected": frozenset({"pending"}),
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
    "agent_run": {
        # start_run inserts it running; finish_run writes the outcome; the reaper marks a silent one abandoned
        # (core.agents.heartbeat). record_failed_run inserts a failed run directly.
        "running": frozenset({"succeeded", "failed", "skipped", "abandoned"}),
        # A run reaped while its process was only stalled (three missed beats) still writes its outcome when it
        # ends: finish_run is keyed by the run's id alone.
        "abandoned": frozenset({"succeeded", "failed", "skipped"}),
        "succeeded": frozenset(),
        "failed": frozenset(),
        "skipped": frozenset(),
    },
    "task_step": {
        # A workflow step (core/ops/sql.py BEGIN_STEP, RECORD_CALL, FAIL_STEP): running → running while a JSON retry
        # follows; a failed step starts again on the task's next try; a done step is never restarted. A revision
        # (core.workforce.review) supersedes the steps it re-runs, whatever their status; a superseded row is kept.
        "running": frozenset({"running", "done", "failed", "superseded"}),
        "failed": frozenset({"running", "superseded"}),
        "done": frozenset({"superseded"}),
        "superseded": frozenset(),
    },
    "graph_step": {
        # An event graph's checkpoint (core.events.graph) is saved once its node succeeded or failed; `started` is
        # the column default, which no code writes. A failed node runs again on the event's retry; a succeeded one
        # is skipped (a replay deletes the rows it re-runs rather than moving them).
        "started": frozenset(),
        "failed": frozenset({"failed", "succeeded"}),
        "succeeded": frozenset(),
    },
    "integration": {
        # The Google connection (core.integrations.connection): Google refused the grant → needs_reconnect; the
        # consent flow's callback (a first connect, a reconnect) → connected. Disconnect deletes the row.
        "connected": frozenset({"connected", "needs_reconnect"}),
        "needs_reconnect": frozenset({"connected"}),
    },
}

# Each entity's statuses: the Literal type its CHECK constraint is made from (db.statuses), as a tuple.
STATUSES: dict[str, tuple[str, ...]] = {
    "lead": st.LEAD_STATUSES, "customer": st.CUSTOMER_STATUSES, "task": st.TASK_STATUSES,
    "invoice": st.INVOICE_STATUSES, "proposal": st.PROPOSAL_STATUSES, "execution": st.EXECUTION_STATUSES,
    "event": st.EVENT_STATUSES, "agent_run": st.RUN_STATUSES, "task_step": st.TASK_STEP_STATUSES,
    "graph_step": st.GRAPH_STEP_STATUSES, "integration": st.INTEGRATION_STATUSES,
}

MODELS = {"lead": Lead, "customer": Customer, "task": Task, "invoice": Invoice, "proposal": ActionProposal,
          "execution": Execution, "event": Event, "agent_run": AgentRun, "task_step": TaskStep,
          "graph_step": GraphStep, "integration": Integration}

# The entities whose table refuses, by trigger, any status change outside ALLOWED: those an UPDATE in SQL moves
# (the Ops statements) or whose moves carry money. Migration `status_move_triggers` installs them.
GUARDED = ("task", "proposal", "invoice", "execution")


def move_check_name(entity: str) -> str:
    """The trigger function (and trigger) guarding `entity`'s status, e.g. tasks_status_move."""
    return f"{MODELS[entity].__tablename__}_status_move"


def move_check_body(entity: str) -> str:
    """The plpgsql body that refuses a status change of `entity` outside ALLOWED[entity]: one CASE, no table read.

    An unknown status (either side) is refused here too, before the CHECK constraint would be. SQLSTATE 23514
    (check_violation, so an IntegrityError), constraint `<table>_status_move`, and a message naming the move.
    """
    arms = []
    for source in STATUSES[entity]:
        targets = [s for s in STATUSES[entity] if s in ALLOWED[entity][source]]
        allowed = "NEW.status IN (" + ", ".join(f"'{t}'" for t in targets) + ")" if targets else "false"
        arms.append(f"        WHEN '{source}' THEN {allowed}")
    table, name = MODELS[entity].__tablename__, move_check_name(entity)
    return "\n".join([
        "",
        "BEGIN",
        "    IF (CASE OLD.status",
        *arms,
        "        ELSE false END) IS NOT TRUE THEN",
        f"        RAISE EXCEPTION '{entity} %: % → % is not an allowed move', OLD.id, OLD.status, NEW.status",
        f"            USING ERRCODE = 'check_violation', CONSTRAINT = '{name}', TABLE = '{table}', COLUMN = 'status';",
        "    END IF;",
        "    RETURN NEW;",
        "END;",
        "",
    ])


def move_check_sql(entity: str) -> str:
    """CREATE OR REPLACE FUNCTION for `entity`'s move check: the literal a migration carries (see GUARDED)."""
    return (f"CREATE OR REPLACE FUNCTION {move_check_name(entity)}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f"{move_check_body(entity)}$$;\n")


def task_move_check_sql() -> str:
    """The tasks table's move check (ALLOWED['task']), the one SPEC §18 names."""
    return move_check_sql("task")


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
