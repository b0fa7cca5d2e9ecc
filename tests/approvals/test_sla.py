"""SLAs: past sla_minutes a proposal is expired or rejected as configured (never confused); escalation audited."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.agents.executor import run_proposal_executor
from core.approvals.executor import executor_work_due
from core.approvals.operators import add_operator
from core.approvals.policies import get_policy, time_left_text, update_policy
from core.audit import Actor
from core.config.settings import Settings
from tests.inbox_data import audit_rows, email_proposal, make_lead

SYSTEM = Actor.system("test")


def _age(session: Session, minutes: int) -> None:
    session.execute(text("UPDATE action_proposals SET created_at = now() - make_interval(mins => :m)"), {"m": minutes})
    session.commit()


@pytest.mark.parametrize(("on_timeout", "status"), [("expire", "expired"), ("reject", "rejected")])
def test_sla_timeout_moves_to_the_configured_status(session: Session, settings: Settings, on_timeout: str,
                                                    status: str) -> None:
    update_policy(session, "email", SYSTEM, sla_minutes=30, on_timeout=on_timeout)
    pid = email_proposal(session, make_lead(session))
    _age(session, 31)
    assert executor_work_due(session, settings)
    run_proposal_executor(session, settings, trigger="schedule")
    assert session.execute(text("SELECT status, decided_by FROM action_proposals")).one() == (status, "system:sla")
    assert audit_rows(session, "proposal", pid)[-1].metadata["on_timeout"] == on_timeout


def test_before_the_sla_nothing_moves_and_the_card_shows_time_left(session: Session, settings: Settings) -> None:
    update_policy(session, "email", SYSTEM, sla_minutes=30)
    email_proposal(session, make_lead(session))
    _age(session, 10)
    run_proposal_executor(session, settings)
    assert session.execute(text("SELECT status FROM action_proposals")).scalar_one() == "pending"
    created = session.execute(text("SELECT created_at FROM action_proposals")).scalar_one()
    left = time_left_text(get_policy(session, "email"), created, session.execute(text("SELECT now()")).scalar_one())
    assert left is not None and left.startswith(("19 min", "20 min")) and "expire" in left


def test_escalation_renotifies_then_tells_the_owner(session: Session, settings: Settings) -> None:
    add_operator(session, "ana", "owner", SYSTEM)
    update_policy(session, "email", SYSTEM, escalate_after_minutes=10)
    pid = email_proposal(session, make_lead(session))
    _age(session, 11)
    run_proposal_executor(session, settings)
    _age(session, 21)
    run_proposal_executor(session, settings)
    run_proposal_executor(session, settings)
    levels = [r.metadata.get("to") for r in audit_rows(session, "proposal", pid) if "escalation" in r.metadata]
    assert levels == ["the approvers", "the owner"]
