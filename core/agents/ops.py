"""Ops agent (SPEC §3): claim tasks with a lease, run them through the LLM (or the mock), record cost and profit."""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session, sessionmaker

from core.agents.runs import AgentResult, RunRecorder, agent_run
from core.audit import Actor
from core.config.settings import Settings
from core.ops.budget import stop_for_budget
from core.ops.claims import claim_next, claim_task
from core.ops.leases import LeaseKeeper, new_worker_id
from core.ops.pool import OpsPool
from core.ops.runner import TaskRunner
from core.present.words import money, status_text


def run_ops_agent(session: Session, settings: Settings, *, trigger: str = "manual",
                  actor: Actor | None = None) -> AgentResult:
    """Claim the oldest claimable pending task (or a lapsed lease) and run it; skip when there is none."""
    return _run_single(session, settings, None, trigger, actor)


def run_ops_single_task(session: Session, settings: Settings, task_id: int, *, trigger: str = "manual",
                        actor: Actor | None = None) -> AgentResult:
    """Run one named task (it must be due-pending, or running with a lapsed lease)."""
    return _run_single(session, settings, task_id, trigger, actor)


def run_ops_batch(
    sessions: sessionmaker[Session], settings: Settings, max_workers: int | None = None, *, trigger: str = "manual",
    stop_event: threading.Event | None = None, actor: Actor | None = None,
) -> AgentResult:
    """Run pending tasks with up to `max_workers` (default OPS_WORKER_COUNT) in flight until none is claimable.

    Setting `stop_event` (SIGTERM in the scheduler) stops claiming, lets in-flight tasks finish for a bounded
    time and hands back the leases still held.
    """
    with sessions() as session:
        with agent_run(session, "ops_batch", trigger, actor, heartbeat_seconds=settings.hoss_heartbeat_seconds) as rec:
            summary = OpsPool(sessions, settings, "batch", max_workers=max_workers).run_until_idle(stop_event)
            rec.items = summary.finished
            rec.lines.extend(summary.lines)
            parts = [f"{n} {status_text(k).lower()}" for k, n in sorted(summary.counts.items())] or ["no claimable task"]
            rec.summary = (f"{', '.join(parts)}; cost {money(summary.cost_cents)}, "
                           f"profit {money(summary.profit_cents)}"
                           + ("; daily LLM budget reached" if summary.budget_exhausted else ""))
            if not summary.counts:
                rec.status = "skipped"
        return rec.result()


def _run_single(session: Session, settings: Settings, task_id: int | None, trigger: str,
                actor: Actor | None) -> AgentResult:
    with agent_run(session, "ops", trigger, actor, heartbeat_seconds=settings.hoss_heartbeat_seconds) as rec:
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
    stop = stop_for_budget(session, settings)
    if stop is None:
        session.rollback()
        return False
    rec.skip(stop.line)
    return True
