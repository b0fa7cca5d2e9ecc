"""The proposal executor as an agent: one recorded pass expires, resolves orphans and executes (core.approvals)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from core.agents.runs import AgentResult, agent_run
from core.approvals.executor import execute_next, executor_work_due, mark_orphans_unknown
from core.approvals.notify import announce_new, sync_slack_outcomes
from core.approvals.proposals import expire_stale_proposals
from core.approvals.sla import apply_slas
from core.approvals.trust import suggest_policy_changes
from core.audit import Actor
from core.config.settings import Settings


def run_proposal_executor(session: Session, settings: Settings, *, trigger: str = "manual", limit: int = 50,
                          actor: Actor | None = None) -> AgentResult:
    """One executor pass: expire stale proposals, announce new ones, apply SLAs, mark orphans unknown, run up to
    `limit` queued executions.

    A scheduled pass with nothing to do returns a skipped result without an agent_runs row, so polling every
    few seconds does not flood the run history; manual runs are always recorded.
    """
    if trigger == "schedule" and not executor_work_due(session, settings):
        session.rollback()
        return AgentResult("executor", 0, "skipped", 0, "nothing queued")
    with agent_run(session, "executor", trigger, actor, heartbeat_seconds=settings.hoss_heartbeat_seconds) as run:
        expired = expire_stale_proposals(session, timedelta(hours=settings.proposal_expiry_hours))
        session.commit()
        for proposal_id in expired:
            run.did(f"proposal {proposal_id} expired (pending more than {settings.proposal_expiry_hours:g} h)")
        announce_new(session, settings)  # Slack posts and approval emails of new proposals (SPEC §14)
        for proposal_id in sync_slack_outcomes(session, settings):  # decided elsewhere: the message says so
            run.did(f"proposal {proposal_id}: its Slack message shows the outcome")
        for line in apply_slas(session, settings):
            run.did(line)
        for execution_id in mark_orphans_unknown(session):
            run.did(f"execution {execution_id} is unknown (its process died mid-call); the operator decides")
        done = 0
        while done < limit and (outcome := execute_next(session, settings)) is not None:
            done += 1
            run.did(f"execution {outcome.execution_id} proposal {outcome.proposal_id} "
                    f"({outcome.action_type}): {outcome.status} — {outcome.detail}")
        if done:  # decisions were carried out: the trust ledger may now suggest a policy change (SPEC §14)
            for pid in suggest_policy_changes(session):
                run.did(f"trust ledger: policy change suggested in proposal {pid}")
            session.commit()
        if run.items == 0:
            run.summary = "nothing queued"
    return run.result()
