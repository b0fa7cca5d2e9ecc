"""The event processor: claim stored events one at a time (SKIP LOCKED), route them, record the outcome."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.audit import Actor, record_audit
from core.graphs.money import MONEY_EVENT_TYPES, MoneyEvent, run_money_graph
from core.graphs.runner import GraphOutcome
from core.runs import AgentResult, agent_run
from core.settings import Settings

ACTOR = Actor.agent("events")
Handler = Callable[[Session, Settings, MoneyEvent], GraphOutcome]

# (source, type) -> handler. Anything not here is marked `ignored` and kept for the record.
ROUTES: dict[tuple[str, str], Handler] = {("stripe", t): run_money_graph for t in MONEY_EVENT_TYPES}

_CLAIM_RECEIVED = text(
    "SELECT id, source, type, occurred_at, payload, status, attempts FROM events "
    "WHERE status = 'received' ORDER BY received_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
)
# processed_at is the time of the last attempt; the wait doubles with each attempt.
_CLAIM_RETRY = text(
    "SELECT id, source, type, occurred_at, payload, status, attempts FROM events "
    "WHERE status = 'failed' AND attempts < :max_attempts "
    "AND processed_at <= now() - make_interval(secs => :base * power(2, GREATEST(attempts - 1, 0))) "
    "AND (CAST(:retry_before AS timestamptz) IS NULL OR processed_at < :retry_before) "
    "ORDER BY processed_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
)


@dataclass(frozen=True)
class EventOutcome:
    """What processing one event did."""

    event_id: int
    type: str
    status: str
    line: str
    error: str | None = None


@dataclass(frozen=True)
class EventRow:
    """One row of the Events view."""

    id: int
    source: str
    type: str
    status: str
    occurred_at: datetime
    received_at: datetime
    age_seconds: int
    attempts: int
    error: str | None
    proposal_ids: tuple[int, ...]


@dataclass(frozen=True)
class EventPage:
    """One page of events, newest first, and how many match in all."""

    rows: tuple[EventRow, ...]
    total: int


def _claim(session: Session, settings: Settings, retry_before: datetime | None) -> Any:
    row = session.execute(_CLAIM_RECEIVED).one_or_none()
    if row is None:
        row = session.execute(
            _CLAIM_RETRY,
            {"max_attempts": settings.events_max_attempts, "base": settings.events_retry_base_seconds,
             "retry_before": retry_before},
        ).one_or_none()
    return row


def _finish(session: Session, row: Any, status: str, error: str | None) -> None:
    session.execute(
        text("UPDATE events SET status = :status, error = :error, attempts = attempts + 1, "
             "processed_at = clock_timestamp() WHERE id = :id"),
        {"status": status, "error": error, "id": row.id},
    )
    record_audit(session, ACTOR, "event", row.id, row.status, status, {"type": row.type, "error": error} if error
                 else {"type": row.type})


def process_next_event(session: Session, settings: Settings, *,
                       retry_before: datetime | None = None) -> EventOutcome | None:
    """Claim one due event, route it, and commit its outcome; None when nothing is due.

    Failed events are retried only when last attempted before `retry_before` (when given): one run
    never retries an event it has just failed.

    The claim, the graph and the outcome share one short transaction holding the row lock, so a
    crash leaves the event as it was; a node failure is recorded (graph step and event) and committed.
    """
    row = _claim(session, settings, retry_before)
    if row is None:
        session.rollback()
        return None
    handler = ROUTES.get((row.source, row.type))
    if handler is None:
        _finish(session, row, "ignored", None)
        session.commit()
        return EventOutcome(row.id, row.type, "ignored", f"event {row.id} {row.type}: ignored (no route)")
    event = MoneyEvent(row.id, row.type, row.occurred_at, row.payload)
    try:
        with session.begin_nested():  # the row lock is kept whatever happens inside
            outcome = handler(session, settings, event)
    except Exception as exc:  # outside any node: undo the handler's writes, then record the failure
        error = f"{type(exc).__name__}: {exc}"[:2000]
        _finish(session, row, "failed", error)
        session.commit()
        return EventOutcome(row.id, row.type, "failed", f"event {row.id} {row.type}: failed ({error})", error)
    if not outcome.ok:
        _finish(session, row, "failed", outcome.error)
        session.commit()
        return EventOutcome(row.id, row.type, "failed",
                            f"event {row.id} {row.type}: failed at {outcome.failed_node} ({outcome.error})",
                            outcome.error)
    _finish(session, row, "processed", None)
    session.commit()
    proposals = outcome.state.get("proposals") or []
    resumed = f"; resumed after {', '.join(outcome.resumed)}" if outcome.resumed else ""
    return EventOutcome(row.id, row.type, "processed",
                        f"event {row.id} {row.type}: processed (ran {', '.join(outcome.ran) or 'nothing'}{resumed}; "
                        f"proposals {proposals or 'none'})")


def _due_count(session: Session, settings: Settings) -> int:
    return session.execute(
        text("SELECT (SELECT count(*) FROM (SELECT 1 FROM events WHERE status = 'received' LIMIT 1) r) + "
             "(SELECT count(*) FROM (SELECT 1 FROM events WHERE status = 'failed' AND attempts < :m LIMIT 1) f)"),
        {"m": settings.events_max_attempts},
    ).scalar_one()


def run_event_processor(session: Session, settings: Settings, *, trigger: str = "manual") -> AgentResult:
    """Process due events (received, or failed and due for a retry) up to EVENTS_BATCH_SIZE; one line each.

    A scheduled run with nothing waiting returns a skipped result without an agent_runs row, so a
    poll every few seconds does not flood the run history; manual runs are always recorded.
    """
    if trigger == "schedule" and not _due_count(session, settings):
        session.rollback()
        return AgentResult("events", 0, "skipped", 0, "no events waiting")
    with agent_run(session, "events", trigger) as run:
        failed = 0
        started = session.execute(text("SELECT clock_timestamp()")).scalar_one()
        for _ in range(settings.events_batch_size):
            outcome = process_next_event(session, settings, retry_before=started)
            if outcome is None:
                break
            failed += outcome.status == "failed"
            run.did(outcome.line)
        if run.items == 0:
            run.skip("no events waiting")
        else:
            run.summary = f"{run.items} event(s), {failed} failed"
    return run.result()


def list_events(session: Session, *, status: str | None = None, type_: str | None = None,
                limit: int = 50, offset: int = 0) -> EventPage:
    """A page of events, newest first, filtered in SQL, each with the proposals it made (or reused)."""
    where = "WHERE (CAST(:status AS text) IS NULL OR e.status = :status) AND (CAST(:type AS text) IS NULL OR e.type = :type)"
    params = {"status": status or None, "type": type_ or None}
    total = session.execute(text(f"SELECT count(*) FROM events e {where}"), params).scalar_one()
    rows = session.execute(
        text(
            "SELECT e.id, e.source, e.type, e.status, e.occurred_at, e.received_at, e.attempts, e.error, "
            "CAST(EXTRACT(EPOCH FROM now() - e.received_at) AS bigint) AS age_seconds, "
            "COALESCE((SELECT array_agg(DISTINCT x ORDER BY x) FROM ("
            "  SELECT p.id AS x FROM action_proposals p WHERE p.event_id = e.id"
            "  UNION SELECT CAST(jsonb_array_elements_text(g.state -> 'proposals') AS bigint) FROM graph_steps g"
            "  WHERE g.event_id = e.id AND g.node = 'draft_proposal' AND g.status = 'succeeded'"
            f") s), '{{}}') AS proposal_ids FROM events e {where} ORDER BY e.id DESC LIMIT :limit OFFSET :offset"
        ),
        {**params, "limit": max(1, min(limit, 500)), "offset": max(0, offset)},
    ).all()
    return EventPage(
        tuple(EventRow(r.id, r.source, r.type, r.status, r.occurred_at, r.received_at, int(r.age_seconds),
                       r.attempts, r.error, tuple(r.proposal_ids)) for r in rows),
        int(total),
    )
