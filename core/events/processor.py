"""The event processor: claim stored events one at a time (SKIP LOCKED), route them, record the outcome."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import Session

from core.audit import Actor
from core.config.settings import Settings
from core.errors import one_line
from core.events import sql
from core.events.graph import GraphOutcome
from core.tracing import spans
from core.transitions import transition
from db.models import Event

ACTOR = Actor.agent("events")
log = logging.getLogger("hoss.events")


@dataclass(frozen=True)
class ReceivedEvent:
    """One stored event as a handler sees it (claimed and locked by the processor)."""

    id: int
    type: str
    occurred_at: datetime
    payload: dict[str, Any]

    @property
    def obj(self) -> dict[str, Any]:
        """The Stripe object the event is about (`data.object`); ValueError when absent."""
        obj = (self.payload.get("data") or {}).get("object") if isinstance(self.payload, dict) else None
        if not isinstance(obj, dict):
            raise ValueError(f"event {self.id} has no data.object")
        return obj



# A handler whose final state holds this key could not use the event: it ends `ignored` with that reason as
# its error (recorded, not retried), e.g. a subscription for a price no plan has.
IGNORE_REASON = "ignore_reason"
# How far past a page's first row the Events view counts: enough for "page 3 of 40", never a full count of 1M rows.
COUNT_CAP = 10_000

Handler = Callable[[Session, Settings, ReceivedEvent], GraphOutcome]
# (source, type) -> handler; the events agent supplies them. Anything not routed is `ignored` and kept.
Routes = Mapping[tuple[str, str], Handler]



@dataclass(frozen=True)
class EventOutcome:
    """What processing one event did."""

    event_id: int
    type: str
    status: str
    line: str
    error: str | None = None
    proposal_ids: tuple[int, ...] = ()  # the proposals its graph drafted (on the event's trace span)


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
    """One page of events, newest first, and how many match: all of them, or at least `total` when `more`."""

    rows: tuple[EventRow, ...]
    total: int
    more: bool = False


def _claim(session: Session, settings: Settings, retry_before: datetime | None) -> Any:
    row = session.execute(sql.CLAIM_RECEIVED).one_or_none()
    if row is None:
        row = session.execute(
            sql.CLAIM_RETRY,
            {"max_attempts": settings.events_max_attempts, "base": settings.events_retry_base_seconds,
             "retry_before": retry_before},
        ).one_or_none()
    return row


def _finish(session: Session, row: Any, status: str, error: str | None) -> None:
    transition(session, "event", row.id, status, ACTOR,
               values={"error": error, "attempts": Event.attempts + 1, "processed_at": func.clock_timestamp()},
               metadata={"type": row.type, "error": error} if error else {"type": row.type})


def process_next_event(session: Session, settings: Settings, routes: Routes, *,
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
    external = row.payload.get("id") if isinstance(row.payload, dict) else None
    with spans.event_processing(row.source, external if isinstance(external, str) else None, row.type,
                                row.id) as span:
        result = _process(session, settings, routes, row)
        span.set_attribute("hoss.event.outcome", result.status)
        span.set_attribute("hoss.proposal.ids", list(result.proposal_ids))
        return result


def _process(session: Session, settings: Settings, routes: Routes, row: Any) -> EventOutcome:
    """Route one claimed event and commit its outcome."""
    handler = routes.get((row.source, row.type))
    if handler is None:
        _finish(session, row, "ignored", None)
        session.commit()
        return EventOutcome(row.id, row.type, "ignored", f"event {row.id} {row.type}: ignored (no route)")
    event = ReceivedEvent(row.id, row.type, row.occurred_at, row.payload)
    try:
        with session.begin_nested():  # the row lock is kept whatever happens inside
            outcome = handler(session, settings, event)
    except Exception as exc:  # outside any node: undo the handler's writes, then record the failure
        error = one_line(exc)
        log.warning("event %s %s failed outside its graph: %s", row.id, row.type, error, exc_info=True)
        _finish(session, row, "failed", error)
        session.commit()
        return EventOutcome(row.id, row.type, "failed", f"event {row.id} {row.type}: failed ({error})", error)
    if not outcome.ok:
        _finish(session, row, "failed", outcome.error)
        session.commit()
        return EventOutcome(row.id, row.type, "failed",
                            f"event {row.id} {row.type}: failed at {outcome.failed_node} ({outcome.error})",
                            outcome.error)
    if outcome.state.get(IGNORE_REASON):
        reason = str(outcome.state[IGNORE_REASON])[:500]
        _finish(session, row, "ignored", reason)
        session.commit()
        return EventOutcome(row.id, row.type, "ignored", f"event {row.id} {row.type}: ignored ({reason})", reason)
    _finish(session, row, "processed", None)
    session.commit()
    proposals = outcome.state.get("proposals") or []
    resumed = f"; resumed after {', '.join(outcome.resumed)}" if outcome.resumed else ""
    return EventOutcome(row.id, row.type, "processed",
                        f"event {row.id} {row.type}: processed (ran {', '.join(outcome.ran) or 'nothing'}{resumed}; "
                        f"proposals {proposals or 'none'})",
                        proposal_ids=tuple(int(p) for p in proposals if isinstance(p, int)))


def events_due(session: Session, settings: Settings) -> bool:
    """Whether an event waits: received, or failed with attempts left and its backoff passed."""
    return bool(session.execute(sql.EVENTS_DUE, {"max_attempts": settings.events_max_attempts,
                                                 "base": settings.events_retry_base_seconds}).scalar_one())


def list_events(session: Session, *, status: str | None = None, type_: str | None = None,
                limit: int = 50, offset: int = 0) -> EventPage:
    """A page of events, newest first, filtered in SQL, each with the proposals it made (or reused); the count
    stops `COUNT_CAP` rows past the page's start."""
    params = {"status": status or None, "type": type_ or None}
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    cap = offset + COUNT_CAP
    total = int(session.execute(sql.COUNT_EVENTS, {**params, "cap": cap + 1}).scalar_one())
    rows = session.execute(sql.LIST_EVENTS, {**params, "limit": limit, "offset": offset}).all()
    return EventPage(
        tuple(EventRow(r.id, r.source, r.type, r.status, r.occurred_at, r.received_at, int(r.age_seconds),
                       r.attempts, r.error, tuple(r.proposal_ids)) for r in rows),
        min(total, cap), total > cap,
    )
