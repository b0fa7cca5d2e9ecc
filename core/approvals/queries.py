"""Read side of the inbox: pending (most urgent first), history with filters, counts — all paginated in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from core.errors import NotFound
from db.models import ActionProposal, AuditLog, Execution
from db.statuses import PROPOSAL_STATUSES

MAX_PAGE = 200
# critical first; the partial index on pending rows keeps the scan small.
_URGENCY_RANK = case(
    {"critical": 0, "high": 1, "medium": 2, "low": 3}, value=ActionProposal.urgency, else_=4
)


@dataclass(frozen=True)
class ExecutionView:
    """The latest execution of a proposal, as the card shows it."""

    id: int
    status: str
    idempotency_key: str
    attempt: int
    started_at: datetime | None
    finished_at: datetime | None
    result: dict[str, Any]
    error: str | None


@dataclass(frozen=True)
class ProposalView:
    """One proposal with its latest execution (if any)."""

    id: int
    vertical: str
    action_type: str
    status: str
    urgency: str
    title: str
    reasoning: str
    payload: dict[str, Any]
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision_note: str | None
    execution: ExecutionView | None
    event_id: int | None = None  # the event that made it (Money graph), if any
    supersedes_id: int | None = None  # version 1, when this is a revised draft


def _page(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(int(limit), MAX_PAGE)), max(0, int(offset))


def _latest_execution():  # noqa: ANN202 - a lateral subquery
    e = aliased(Execution)
    return (
        select(e).where(e.proposal_id == ActionProposal.id).order_by(e.id.desc()).limit(1)
        .correlate(ActionProposal).lateral("latest_execution")
    )


def _select():  # noqa: ANN202
    latest = _latest_execution()
    cols = [latest.c[name].label(f"x_{name}") for name in _EXEC_COLS]
    stmt = select(ActionProposal, *cols).outerjoin(latest, latest.c.proposal_id == ActionProposal.id)
    return stmt, latest


_EXEC_COLS = ("id", "status", "idempotency_key", "attempt", "started_at", "finished_at", "result", "error")


def _view(p: ActionProposal, row: Any) -> ProposalView:
    execution = None
    if row.x_id is not None:
        execution = ExecutionView(
            id=row.x_id, status=row.x_status, idempotency_key=row.x_idempotency_key, attempt=row.x_attempt,
            started_at=row.x_started_at, finished_at=row.x_finished_at, result=row.x_result or {},
            error=row.x_error,
        )
    return ProposalView(
        id=p.id, vertical=p.vertical, action_type=p.action_type, status=p.status, urgency=p.urgency,
        title=p.title, reasoning=p.reasoning, payload=p.payload or {}, created_at=p.created_at,
        decided_at=p.decided_at, decided_by=p.decided_by, decision_note=p.decision_note, execution=execution,
        event_id=p.event_id, supersedes_id=p.supersedes_id,
    )


def _run(session: Session, stmt: Any) -> list[ProposalView]:
    return [_view(row[0], row) for row in session.execute(stmt).all()]


def list_pending(session: Session, *, limit: int = 50, offset: int = 0) -> list[ProposalView]:
    """Pending proposals: critical > high > medium > low, then oldest first."""
    limit, offset = _page(limit, offset)
    stmt, _ = _select()
    stmt = (stmt.where(ActionProposal.status == "pending")
            .order_by(_URGENCY_RANK, ActionProposal.created_at, ActionProposal.id).limit(limit).offset(offset))
    return _run(session, stmt)


def count_pending(session: Session) -> int:
    """How many proposals wait for a decision (the navigation badge)."""
    return session.execute(
        select(func.count()).select_from(ActionProposal).where(ActionProposal.status == "pending")
    ).scalar_one()


def _history_filter(stmt: Any, statuses: Sequence[str] | None, vertical: str | None, action_type: str | None) -> Any:
    if statuses:
        unknown = set(statuses) - set(PROPOSAL_STATUSES)
        if unknown:
            raise ValueError(f"unknown proposal status: {', '.join(sorted(unknown))}")
        stmt = stmt.where(ActionProposal.status.in_(list(statuses)))
    if vertical:
        stmt = stmt.where(ActionProposal.vertical == vertical)
    if action_type:
        stmt = stmt.where(ActionProposal.action_type == action_type)
    return stmt


def list_proposals(
    session: Session,
    *,
    statuses: Sequence[str] | None = None,
    vertical: str | None = None,
    action_type: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ProposalView]:
    """Proposals matching the filters, most recently decided (or created) first."""
    limit, offset = _page(limit, offset)
    stmt, _ = _select()
    stmt = _history_filter(stmt, statuses, vertical, action_type)
    stmt = stmt.order_by(func.coalesce(ActionProposal.decided_at, ActionProposal.created_at).desc(),
                         ActionProposal.id.desc()).limit(limit).offset(offset)
    return _run(session, stmt)


def count_proposals(
    session: Session, *, statuses: Sequence[str] | None = None, vertical: str | None = None,
    action_type: str | None = None,
) -> int:
    """How many proposals match the filters of `list_proposals`."""
    stmt = _history_filter(select(func.count()).select_from(ActionProposal), statuses, vertical, action_type)
    return session.execute(stmt).scalar_one()


def list_needing_attention(session: Session, *, limit: int = 50) -> list[ProposalView]:
    """Proposals whose execution is `unknown` (the process died mid-call) and waits for the operator."""
    limit, _ = _page(limit, 0)
    stmt, latest = _select()
    stmt = stmt.where(latest.c.status == "unknown").order_by(ActionProposal.id).limit(limit)
    return _run(session, stmt)


def get_proposal(session: Session, proposal_id: int) -> ProposalView:
    """One proposal with its latest execution; NotFound for an unknown id."""
    stmt, _ = _select()
    rows = _run(session, stmt.where(ActionProposal.id == proposal_id))
    if not rows:
        raise NotFound(f"proposal {proposal_id} not found")
    return rows[0]


def distinct_values(session: Session) -> dict[str, list[str]]:
    """The verticals and action types present, for the history filters."""
    verticals = session.execute(select(ActionProposal.vertical).distinct().order_by(ActionProposal.vertical)).scalars()
    types = session.execute(select(ActionProposal.action_type).distinct().order_by(ActionProposal.action_type)).scalars()
    return {"vertical": list(verticals), "action_type": list(types)}


def edit_of(session: Session, proposal_id: int) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(original, edited) payload of the operator's edit before approving, from its audit row; None if unedited."""
    row = session.execute(
        select(AuditLog.metadata_).where(AuditLog.entity == "proposal", AuditLog.entity_id == str(proposal_id),
                                         AuditLog.metadata_.has_key("edited_payload"))
        .order_by(AuditLog.id).limit(1)
    ).scalar_one_or_none()
    return None if row is None else (row.get("original_payload") or {}, row["edited_payload"])
