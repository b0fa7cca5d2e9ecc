"""Ops agent (SPEC §3). PLACEHOLDER: being built; replaced before this lands."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from core.runs import AgentResult
from core.settings import Settings


def run_ops_agent(session: Session, settings: Settings, *, trigger: str = "manual") -> AgentResult:
    """Claim the oldest claimable pending task and run it."""
    raise NotImplementedError


def run_ops_single_task(session: Session, settings: Settings, task_id: int, *, trigger: str = "manual") -> AgentResult:
    """Run one named task (it must be claimable)."""
    raise NotImplementedError


def run_ops_batch(
    sessions: sessionmaker[Session], settings: Settings, max_workers: int | None = None, *, trigger: str = "manual"
) -> AgentResult:
    """Run pending tasks with up to `max_workers` (default OPS_WORKER_COUNT) in flight until none is claimable."""
    raise NotImplementedError
