"""Small read-only queries the console shell and the Agents page need (all paginated or counted in SQL)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from core.agents.runs import run_history_query
from db.models import AgentRun

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
    q = run_history_query(agent)
    if before_id is not None:
        q = q.where(AgentRun.id < before_id)
    rows = session.execute(q.limit(limit + 1)).mappings().all()
    more = len(rows) > limit
    rows = rows[:limit]
    out = tuple(
        {**r, "duration_s": None if r["duration_s"] is None else round(float(r["duration_s"]), 3)} for r in rows
    )
    return RunPage(out, rows[-1]["id"] if more and rows else None)
