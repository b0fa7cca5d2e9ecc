"""The Failures page (SPEC §16): failed tasks, failed events, failed and `unknown` executions in one place.

Reads are filtered and paginated in SQL (core.console.sql). The actions belong to each entity's package —
core.ops.claims.requeue_failed_task, core.events.replay, core.approvals.executor.retry_execution — and this
module only walks the rows: each row is one audited move (or two, for an execution and its proposal) with
the operator as actor, in its own savepoint, so a row that cannot be retried is skipped with its reason and
never undoes the others. A batch of rows is committed together.

Retrying a task from a chosen step waits for tasks that have steps (the workforce, SPEC §12): a task is one
LLM call today, so a retry reruns it whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy.orm import Session

from core.agents.events import GRAPHS
from core.approvals.acting import check
from core.approvals.executor import retry_execution
from core.audit import Actor
from core.console import sql
from core.errors import HossError, InvalidInput, NotFound
from core.events.replay import replay_event, retry_event
from core.ops.claims import requeue_failed_task

KINDS = ("task", "event", "execution")
PAGE_SIZE = 50
BATCH = 200
# Time windows the page offers, by name: how far back from now the last attempt may be (None: any time).
WINDOWS: dict[str, timedelta | None] = {
    "any time": None, "last hour": timedelta(hours=1), "last 24 hours": timedelta(days=1),
    "last 7 days": timedelta(days=7), "last 30 days": timedelta(days=30),
}


@dataclass(frozen=True)
class FailureFilter:
    """Which failures to show or retry: kinds, a piece of the error text, and a range of last-attempt times."""

    kinds: tuple[str, ...] = KINDS
    error: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        unknown = sorted(set(self.kinds) - set(KINDS))
        if unknown:
            raise InvalidInput(f"unknown kind {unknown[0]!r}; choose from {', '.join(KINDS)}")
        if self.since is not None and self.until is not None and self.since >= self.until:
            raise InvalidInput("the start of the time range must be before its end")

    def params(self) -> dict[str, object]:
        text_ = self.error.strip()
        return {"kinds": list(self.kinds), "since": self.since, "until": self.until,
                "error": f"%{_escape_like(text_)}%" if text_ else None}


def window(name: str, now: datetime) -> tuple[datetime | None, datetime | None]:
    """(since, until) for one of WINDOWS; InvalidInput for another name."""
    if name not in WINDOWS:
        raise InvalidInput(f"unknown time window {name!r}; choose from {', '.join(WINDOWS)}")
    span = WINDOWS[name]
    return (None, None) if span is None else (now - span, None)


def between(start: date, end: date) -> tuple[datetime, datetime]:
    """(since, until) covering the UTC days `start` to `end`, both included."""
    return (datetime.combine(start, time.min, tzinfo=timezone.utc),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=timezone.utc))


@dataclass(frozen=True)
class FailureRow:
    """One failed thing. `step` is the graph node an event failed at; `nodes` the nodes it can replay from."""

    kind: str
    id: int
    status: str
    what: str
    error: str | None
    at: datetime
    attempts: int
    step: str | None
    graph: str | None
    nodes: tuple[str, ...]

    @property
    def key(self) -> str:
        """`kind:id`, what retry_failures takes."""
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class FailurePage:
    """One page of failures, newest first, and how many rows the filter matches in all."""

    rows: tuple[FailureRow, ...]
    total: int
    page: int
    has_next: bool


@dataclass
class RetryReport:
    """What a retry did: the keys moved, and each key skipped with the reason."""

    retried: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def list_failures(session: Session, flt: FailureFilter, *, page: int = 1, page_size: int = PAGE_SIZE) -> FailurePage:
    """One page of what `flt` matches, newest last attempt first, with the total."""
    page, page_size = max(int(page), 1), max(1, min(int(page_size), 500))
    params = flt.params()
    rows = session.execute(sql.LIST_FAILURES, {**params, "limit": page_size, "offset": (page - 1) * page_size}).all()
    total = int(session.execute(sql.COUNT_FAILURES, params).scalar_one())
    out = []
    for r in rows:
        graph, nodes = GRAPHS.get((r.source, r.what), (None, ())) if r.kind == "event" else (None, ())
        out.append(FailureRow(r.kind, r.id, r.status, r.what, r.error, r.at, r.attempts, r.step, graph, nodes))
    return FailurePage(tuple(out), total, page, (page - 1) * page_size + len(rows) < total)


def parse_key(key: str) -> tuple[str, int]:
    """("task", 12) from "task:12"; InvalidInput for anything else."""
    kind, _, ident = key.partition(":")
    if kind not in KINDS or not ident.isascii() or not ident.isdigit() or len(ident) > 18:
        raise InvalidInput(f"not a failure key: {key[:40]!r} (expected kind:id, kind one of {', '.join(KINDS)})")
    return kind, int(ident)


def _retry_one(session: Session, kind: str, ident: int, actor: Actor, *, bulk: bool) -> None:
    if kind == "task":
        requeue_failed_task(session, ident, actor)
    elif kind == "event":
        retry_event(session, ident, actor)
    else:
        retry_execution(session, ident, actor, bulk=bulk)


def _retry_rows(session: Session, keys: Iterable[tuple[str, int]], actor: Actor, report: RetryReport, *,
                bulk: bool) -> None:
    for kind, ident in keys:
        key = f"{kind}:{ident}"
        try:
            with session.begin_nested():
                _retry_one(session, kind, ident, actor, bulk=bulk)
        except HossError as exc:  # not failed any more, gone, or not safe to resend: say so, go on
            report.skipped.append((key, str(exc)))
        else:
            report.retried.append(key)
    session.commit()


def retry_failures(session: Session, keys: Iterable[str], actor: Actor) -> RetryReport:
    """Retry the chosen rows ("kind:id"), each one audited move by `actor`; commits.

    A chosen `unknown` execution is retried whatever its action type: choosing it is the deliberate act.
    InvalidInput (nothing done) when a key is malformed.
    """
    check(session, actor, "run_agent")
    parsed = list(dict.fromkeys(parse_key(k) for k in keys))
    report = RetryReport()
    for start in range(0, len(parsed), BATCH):
        _retry_rows(session, parsed[start:start + BATCH], actor, report, bulk=False)
    return report


def retry_matching(session: Session, flt: FailureFilter, actor: Actor) -> RetryReport:
    """Retry every row `flt` matches, in batches of BATCH committed one by one; the report says what was skipped.

    `unknown` emails and Slack messages are skipped (they may have gone out; retry them one by one).
    """
    check(session, actor, "run_agent")
    report = RetryReport()
    after: tuple[str, int] = ("", 0)
    params = flt.params()
    while True:
        batch = [(r.kind, r.id) for r in session.execute(
            sql.MATCHING_FAILURES, {**params, "after_kind": after[0], "after_id": after[1], "batch": BATCH})]
        if not batch:
            session.rollback()
            return report
        _retry_rows(session, batch, actor, report, bulk=True)
        after = batch[-1]


def replay_event_from(session: Session, event_id: int, from_node: str, actor: Actor) -> str:
    """Replay a failed event from one node of its graph (core.events.replay.replay_event); commits.

    InvalidInput when the event's type runs no graph or the node is not one of its nodes; NotFound;
    IllegalTransition when the event is not `failed`.
    """
    check(session, actor, "run_agent")
    route = session.execute(sql.EVENT_ROUTE, {"e": event_id}).first()
    if route is None:
        raise NotFound(f"event {event_id} not found")
    graph = GRAPHS.get((route.source, route.type))
    if graph is None:
        raise InvalidInput(f"event {event_id} ({route.type}) runs no graph; retry it instead")
    line = replay_event(session, event_id, graph[0], graph[1], from_node, actor)
    session.commit()
    return line


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
