"""Ops agent (SPEC §3): claim tasks with a lease, run them through the LLM (or the mock), record cost and profit."""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session, sessionmaker

from core.ops_pool import OpsPool
from core.ops_tasks import (
    budget_exhausted, claim_next, claim_task, daily_budget_cents, propose_budget_increase, spend_today_cents,
)
from core.ops_worker import LeaseKeeper, TaskRunner, new_worker_id
from core.runs import AgentResult, RunRecorder, agent_run
from core.settings import Settings


def run_ops_agent(session: Session, settings: Settings, *, trigger: str = "manual") -> AgentResult:
    """Claim the oldest claimable pending task (or a lapsed lease) and run it; skip when there is none."""
    return _run_single(session, settings, None, trigger)


def run_ops_single_task(session: Session, settings: Settings, task_id: int, *, trigger: str = "manual") -> AgentResult:
    """Run one named task (it must be due-pending, or running with a lapsed lease)."""
    return _run_single(session, settings, task_id, trigger)


def run_ops_batch(
    sessions: sessionmaker[Session], settings: Settings, max_workers: int | None = None, *, trigger: str = "manual",
    stop_event: threading.Event | None = None,
) -> AgentResult:
    """Run pending tasks with up to `max_workers` (default OPS_WORKER_COUNT) in flight until none is claimable.

    Setting `stop_event` (SIGTERM in the scheduler) stops claiming, lets in-flight tasks finish for a bounded
    time and hands back the leases still held.
    """
    with sessions() as session:
        with agent_run(session, "ops_batch", trigger) as rec:
            summary = OpsPool(sessions, settings, "batch", max_workers=max_workers).run_until_idle(stop_event)
            rec.items = summary.finished
            rec.lines.extend(summary.lines)
            parts = [f"{n} {k}" for k, n in sorted(summary.counts.items())] or ["no claimable task"]
            rec.summary = (f"{', '.join(parts)}; cost {summary.cost_cents}¢, profit {summary.profit_cents}¢"
                           + ("; daily LLM budget reached" if summary.budget_exhausted else ""))
            if not summary.counts:
                rec.status = "skipped"
        return rec.result()


def _run_single(session: Session, settings: Settings, task_id: int | None, trigger: str) -> AgentResult:
    with agent_run(session, "ops", trigger) as rec:
        if _budget_stops(session, settings, rec):
            return rec.result()
        worker = new_worker_id("ops")
        lease = settings.ops_lease_seconds
        claim = (claim_next(session, worker, lease) if task_id is None
                 else claim_task(session, task_id, worker, lease))
        if claim is None:
            rec.skip("no claimable pending task" if task_id is None else f"task {task_id} is not claimable")
            return rec.result()
        factory = sessionmaker(bind=session.get_bind(), expire_on_commit=False)
        with LeaseKeeper(factory, lease) as keeper:
            keeper.hold(claim)
            report = TaskRunner(settings).run(session, claim)
            keeper.drop(claim)
        if report.status == "done":
            rec.did(report.line)
        else:
            rec.note(report.line)
            rec.summary = report.line
            if report.status == "failed":
                rec.status, rec.error = "failed", report.line
    return rec.result()


def _budget_stops(session: Session, settings: Settings, rec: RunRecorder) -> bool:
    if not budget_exhausted(session, settings):
        session.rollback()
        return False
    spent = spend_today_cents(session)
    proposal_id, created = propose_budget_increase(session, settings, spent)
    rec.skip(f"daily LLM budget reached ({spent} of {daily_budget_cents(session, settings)} cents today); "
             f"no new LLM calls; proposal {proposal_id}{' drafted' if created else ' already in the inbox'}")
    return True
