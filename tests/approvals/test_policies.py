"""Approval policies: manual by default, auto approves as `policy`, auto_below approves small amounts only."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.approvals.policies import PolicyError, get_policy, list_policies, set_policy
from core.approvals.queries import get_proposal
from core.audit import Actor
from tests.inbox_data import audit_rows, checkout_proposal, email_proposal, make_invoice, make_lead

OPERATOR = Actor.user("ana")


def test_without_a_policy_a_proposal_waits_for_a_human(session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    assert get_policy(session, "email").mode == "manual"
    assert get_proposal(session, pid).status == "pending"


def test_auto_policy_approves_as_policy_and_queues_the_execution(session: Session) -> None:
    set_policy(session, "email", "auto", None, OPERATOR)
    pid = email_proposal(session, make_lead(session))
    view = get_proposal(session, pid)
    assert view.status == "approved" and view.execution is not None and view.execution.status == "queued"
    approval = audit_rows(session, "proposal", pid)[-1]
    assert (approval.actor_type, approval.actor_id, approval.to_status) == ("policy", "policy.email", "approved")


def test_auto_below_approves_under_the_limit_only(session: Session) -> None:
    set_policy(session, "stripe_checkout", "auto_below", 20_000, OPERATOR)
    cid, small = make_invoice(session, 19_999)
    _, big = make_invoice(session, 20_000)
    assert get_proposal(session, checkout_proposal(session, small, cid, 19_999)).status == "approved"
    assert get_proposal(session, checkout_proposal(session, big, cid, 20_000)).status == "pending"


def test_setting_a_policy_stores_it_in_settings_with_an_audit_row(session: Session) -> None:
    set_policy(session, "stripe_checkout", "auto_below", 20_000, OPERATOR)
    value = session.execute(text("SELECT value FROM settings WHERE key = 'policy.stripe_checkout'")).scalar_one()
    assert value == {"mode": "auto_below", "limit_cents": 20_000}
    row = audit_rows(session, "setting", "policy.stripe_checkout")[-1]  # type: ignore[arg-type]
    assert (row.actor_id, row.from_status, row.to_status) == ("ana", "manual", "auto below $200.00")
    assert {p.action_type: p.mode for p in list_policies(session)}["stripe_checkout"] == "auto_below"


@pytest.mark.parametrize(("mode", "limit"), [("sometimes", None), ("auto_below", None), ("auto_below", -5)])
def test_invalid_policy_is_refused(session: Session, mode: str, limit: int | None) -> None:
    with pytest.raises(PolicyError):
        set_policy(session, "email", mode, limit, OPERATOR)
    assert get_policy(session, "email").mode == "manual"
