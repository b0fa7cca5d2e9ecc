"""The proposal executor: runs each queued execution once; a crash mid-call leaves it `unknown`, never resent.

Protocol per execution: claim the queued row (SKIP LOCKED) and take a session advisory lock on its id on a
separate connection; mark it `started` (proposal `executing`) and COMMIT; call the outside service; record
the result in a second transaction; release the lock. A `started` row whose lock nobody holds belongs to a
process that died mid-call: it becomes `unknown` for the operator (sent / retry / give up).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session

from core.approvals import sql
from core.approvals.acting import check
from core.approvals.executors import RESEND_SAFE, PermanentError, TransientError, adapter_for
from core.approvals.policies import get_policy
from core.approvals.proposals import approval_count
from core.audit import Actor
from core.config.settings import Settings
from core.errors import IllegalTransition, NotFound, one_line
from core.transitions import transition, transition_proposal
from db.models import ActionProposal, AuditLog, Execution

log = logging.getLogger("hoss.executor")

LOCK_NAMESPACE = 48_531  # first key of pg_advisory_lock(int, int): "executions"
RESOLUTIONS = ("sent", "retry", "give_up")
EXECUTOR = Actor.system("executor")


@dataclass(frozen=True)
class ExecutionOutcome:
    """What happened to one execution."""

    execution_id: int
    proposal_id: int
    action_type: str
    status: str  # succeeded | failed | unknown
    detail: str


def _lock_key(execution_id: int) -> int:
    return execution_id % 2_147_483_647  # the int4 second key; ids beyond 2^31 share keys harmlessly


def _move(session: Session, actor: Actor, execution_id: int, proposal_id: int, to_status: str,
          values: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> str:
    """Move an execution through core.transitions (checked against ALLOWED['execution'], audited)."""
    return transition(session, "execution", execution_id, to_status, actor, values=values,
                      metadata={"proposal_id": proposal_id, **(extra or {})})


def mark_orphans_unknown(session: Session) -> list[int]:
    """`started` executions whose worker is gone (its advisory lock is free) become `unknown`. Commits."""
    rows = session.execute(
        select(Execution.id, Execution.proposal_id).where(Execution.status == "started")
        .order_by(Execution.id).with_for_update(skip_locked=True)
    ).all()
    orphans = []
    for execution_id, proposal_id in rows:
        free = session.execute(
            sql.TRY_EXECUTION_XACT_LOCK, {"ns": LOCK_NAMESPACE, "key": _lock_key(execution_id)}
        ).scalar_one()
        if not free:
            continue  # a live worker is mid-call
        _move(session, EXECUTOR, execution_id, proposal_id, "unknown",
              {"error": "the process died between 'started' and the result; outcome unknown"})
        log.warning("execution %s (proposal %s) left started by a dead process: now unknown", execution_id, proposal_id)
        orphans.append(execution_id)
    session.commit()
    return orphans


def _has_approval(session: Session, proposal_id: int) -> bool:
    return session.execute(
        select(AuditLog.id).where(AuditLog.entity == "proposal", AuditLog.entity_id == str(proposal_id),
                                  AuditLog.to_status == "approved").limit(1)
    ).first() is not None


def _fail_before_start(session: Session, execution_id: int, proposal: ActionProposal, reason: str) -> ExecutionOutcome:
    _move(session, EXECUTOR, execution_id, proposal.id, "failed", {"error": reason, "finished_at": func.now()},
          {"error": reason})
    if proposal.status == "approved":
        transition_proposal(session, proposal.id, "failed", EXECUTOR, metadata={"error": reason})
    session.commit()
    return ExecutionOutcome(execution_id, proposal.id, proposal.action_type, "failed", reason)


def execute_next(session: Session, settings: Settings) -> ExecutionOutcome | None:
    """Claim and run the oldest queued execution; None when there is none to claim."""
    row = session.execute(
        select(Execution.id, Execution.proposal_id, Execution.idempotency_key)
        .where(Execution.status == "queued").order_by(Execution.id).limit(1).with_for_update(skip_locked=True)
    ).first()
    if row is None:
        session.rollback()
        return None
    execution_id, proposal_id, key = row
    proposal = session.execute(
        select(ActionProposal).where(ActionProposal.id == proposal_id).with_for_update()
    ).scalar_one()
    adapter = adapter_for(proposal.action_type)
    # No outside write without an approval record, whatever queued this row.
    if proposal.status != "approved" or not _has_approval(session, proposal_id):
        return _fail_before_start(session, execution_id, proposal, f"proposal is {proposal.status} without an approval record")
    # The two-person rule holds here too, whatever path queued the row (SPEC §14).
    required = get_policy(session, proposal.action_type).required_approvals(dict(proposal.payload or {}))
    if required > 1 and (count := approval_count(session, proposal_id)) < required:
        return _fail_before_start(session, execution_id, proposal,
                                  f"proposal has {count} of the {required} approvals its policy requires")
    if adapter is None:
        return _fail_before_start(session, execution_id, proposal, f"no executor for action type {proposal.action_type!r}")
    payload = dict(proposal.payload or {})
    lock_conn = session.get_bind().connect()
    try:
        lock_conn.execute(sql.EXECUTION_LOCK, {"ns": LOCK_NAMESPACE, "key": _lock_key(execution_id)})
        lock_conn.commit()
        _move(session, EXECUTOR, execution_id, proposal_id, "started",
              {"started_at": func.now(), "attempt": Execution.attempt + 1}, {"idempotency_key": key})
        transition_proposal(session, proposal_id, "executing", EXECUTOR)
        session.commit()  # "started" is durable before anything leaves the building
        return _call_and_record(session, settings, adapter, execution_id, proposal_id, proposal.action_type, payload, key)
    finally:
        _release(lock_conn, execution_id)


def _release(lock_conn: Connection, execution_id: int) -> None:
    try:
        lock_conn.execute(sql.EXECUTION_UNLOCK, {"ns": LOCK_NAMESPACE, "key": _lock_key(execution_id)})
        lock_conn.commit()
        lock_conn.close()
    except Exception:  # the connection is gone, and the lock with it: drop it from the pool
        lock_conn.invalidate()


def _call_and_record(session: Session, settings: Settings, adapter: Any, execution_id: int, proposal_id: int,
                     action_type: str, payload: dict[str, Any], key: str) -> ExecutionOutcome:
    result: dict[str, Any] = {}
    error: str | None = None
    try:
        # An adapter that reads our tables (a stored Google grant) says so; it gets the session between transactions.
        extra = {"session": session} if getattr(adapter, "NEEDS_SESSION", False) else {}
        result = adapter.execute(settings, payload, idempotency_key=key, **extra)
        status = "succeeded"
    except (PermanentError, TransientError) as exc:
        status, error = "failed", str(exc)[:2000]
    except Exception as exc:  # we cannot tell whether it went out: the operator decides, nothing is resent
        status, error = "unknown", one_line(exc)
    _move(session, EXECUTOR, execution_id, proposal_id, status, {"finished_at": func.now(), "result": result, "error": error},
          {"error": error} if error else None)
    if status != "unknown":
        transition_proposal(session, proposal_id, "executed" if status == "succeeded" else "failed", EXECUTOR,
                            metadata={"execution_id": execution_id, **({"error": error} if error else {})})
    if status == "succeeded":
        _apply(session, adapter, payload, result, execution_id)
    session.commit()
    detail = error or _describe(result)
    log.info("execution %s (proposal %s, %s): %s — %s", execution_id, proposal_id, action_type, status, detail)
    return ExecutionOutcome(execution_id, proposal_id, action_type, status, detail)


def _apply(session: Session, adapter: Any, payload: dict[str, Any], result: dict[str, Any], execution_id: int) -> None:
    """Record the side effect's consequences in our tables; a failure here never hides that the call happened."""
    try:
        with session.begin_nested():
            adapter.apply(session, payload, result, EXECUTOR)
    except Exception as exc:
        log.exception("execution %s succeeded but recording its consequences failed", execution_id)
        session.execute(update(Execution).where(Execution.id == execution_id).values(
            result={**result, "apply_error": one_line(exc)}))


def _describe(result: dict[str, Any]) -> str:
    if result.get("dry_run"):
        return "dry run: " + ", ".join(f"{k}={v!r}"[:80] for k, v in result.get("would_send", {}).items() if k != "body")
    if result.get("skipped"):
        return str(result.get("message", "skipped"))
    if result.get("detail"):
        return str(result["detail"])
    if result.get("url"):
        return f"checkout session {result.get('session_id')}: {result['url']}"
    sent = result.get("sent", {})
    return f"sent via {result.get('provider')}" + (f" to {sent['to']}" if "to" in sent else "")




def executor_work_due(session: Session, settings: Settings) -> bool:
    """Whether an execution is queued or started, a pending proposal is old enough to expire, a new one waits to be
    announced, a posted Slack message shows an older status, or one is past its SLA or escalation time."""
    return bool(session.execute(sql.EXECUTOR_WORK_DUE, {"expiry_s": settings.proposal_expiry_hours * 3600}).scalar_one())


def resolve_unknown_execution(session: Session, execution_id: int, resolution: str, actor: Actor) -> str:
    """Operator's answer for an `unknown` execution: `sent` (it went out), `retry` (queue it again), `give_up`.

    Retry reuses the same execution and idempotency key, so Stripe still dedupes. No commit; NotFound
    for an unknown id; IllegalTransition when the execution is not `unknown`.
    """
    check(session, actor, "decide_proposal")
    if resolution not in RESOLUTIONS:
        raise ValueError(f"resolution must be one of {', '.join(RESOLUTIONS)} (got {resolution!r})")
    row = session.execute(
        select(Execution.status, Execution.proposal_id).where(Execution.id == execution_id).with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"execution {execution_id} not found")
    status, proposal_id = row
    if status != "unknown":
        raise IllegalTransition(f"execution {execution_id} is {status}, not unknown; nothing to resolve")
    meta = {"resolution": resolution}
    if resolution == "sent":
        _move(session, actor, execution_id, proposal_id, "succeeded",
              {"finished_at": func.now(), "result": {"resolved_as_sent_by": actor.id}}, meta)
        transition_proposal(session, proposal_id, "executed", actor, metadata=meta)
        proposal = session.get(ActionProposal, proposal_id)
        adapter = adapter_for(proposal.action_type) if proposal else None
        if proposal is not None and adapter is not None:
            _apply(session, adapter, dict(proposal.payload or {}), {"resolved_as_sent": True}, execution_id)
        return f"execution {execution_id} recorded as sent"
    if resolution == "retry":
        _move(session, actor, execution_id, proposal_id, "queued", {"started_at": None, "finished_at": None, "error": None},
              meta)
        transition_proposal(session, proposal_id, "approved", actor, metadata=meta)
        return f"execution {execution_id} queued again (same idempotency key)"
    _move(session, actor, execution_id, proposal_id, "failed",
          {"finished_at": func.now(), "error": f"outcome unknown; {actor.id} gave up"}, meta)
    transition_proposal(session, proposal_id, "failed", actor, metadata=meta)
    return f"execution {execution_id} given up"


def retry_execution(session: Session, execution_id: int, actor: Actor, *, bulk: bool = False) -> str:
    """The Failures page's retry of an execution: queue it again on the same row, so with the same idempotency key.

    `unknown`: resolve_unknown_execution(..., "retry"). `failed`: its proposal moves failed → approved with
    `actor` (that audit row is the approval the executor requires) and the execution failed → queued. Stripe
    dedupes the call on the key and an email keeps its Message-ID. With `bulk`, an `unknown` execution whose
    action type is not RESEND_SAFE (email, Slack) is refused: it may have gone out, so only a deliberate
    retry of that one row may send it again. No commit. NotFound; IllegalTransition when the execution is
    neither failed nor unknown or its proposal is not `failed` (e.g. it was refused before it ever started).
    """
    check(session, actor, "run_agent")
    row = session.execute(
        select(Execution.status, Execution.proposal_id, Execution.error, ActionProposal.action_type)
        .join(ActionProposal, ActionProposal.id == Execution.proposal_id)
        .where(Execution.id == execution_id).with_for_update(of=Execution)
    ).first()
    if row is None:
        raise NotFound(f"execution {execution_id} not found")
    status, proposal_id, error, action_type = row
    if status == "unknown":
        if bulk and action_type not in RESEND_SAFE:
            raise IllegalTransition(f"execution {execution_id} ({action_type}) may have gone out: "
                                    "select it to retry it on its own, or resolve it in the Inbox")
        return resolve_unknown_execution(session, execution_id, "retry", actor)
    if status != "failed":
        raise IllegalTransition(f"execution {execution_id} is {status}; only failed or unknown executions are retried")
    meta = {"action": "retry", "previous_error": (error or "")[:500]}
    transition_proposal(session, proposal_id, "approved", actor, metadata={"execution_id": execution_id, **meta})
    _move(session, actor, execution_id, proposal_id, "queued", {"started_at": None, "finished_at": None, "error": None},
          meta)
    return f"execution {execution_id} queued again (same idempotency key)"
