"""Small read-only queries the console shell and the Agents page need (all paginated or counted in SQL)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import ActionProposal, AgentRun

MAX_PAGE = 200


@dataclass(frozen=True)
class RunPage:
    """Agent runs, newest first, with the id to pass as `before_id` for older ones (None at the end)."""

    rows: tuple[dict[str, Any], ...]
    next_before_id: int | None


def agent_run_page(
    session: Session, *, agent: str | None = None, limit: int = 25, before_id: int | None = None
) -> RunPage:
    """One keyset page of agent_runs with duration in seconds, items, summary and error."""
    limit = max(1, min(int(limit), MAX_PAGE))
    duration = func.extract("epoch", AgentRun.finished_at - AgentRun.started_at)
    q = select(
        AgentRun.id, AgentRun.agent, AgentRun.trigger, AgentRun.status, AgentRun.started_at,
        duration.label("duration_s"), AgentRun.items, AgentRun.summary, AgentRun.error, AgentRun.host,
    )
    if agent:
        q = q.where(AgentRun.agent == agent)
    if before_id is not None:
        q = q.where(AgentRun.id < before_id)
    rows = session.execute(q.order_by(AgentRun.id.desc()).limit(limit + 1)).mappings().all()
    more = len(rows) > limit
    rows = rows[:limit]
    out = tuple(
        {**r, "duration_s": None if r["duration_s"] is None else round(float(r["duration_s"]), 3)} for r in rows
    )
    return RunPage(out, rows[-1]["id"] if more and rows else None)
