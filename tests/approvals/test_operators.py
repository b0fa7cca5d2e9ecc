"""Operators and roles, the two-person rule, and the executor's count of approvals (SPEC §14)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.app.cli import main
from core.approvals.executor import execute_next
from core.approvals.operators import add_operator, deactivate_operator, role_of, signin_identity
from core.approvals.policies import PolicyError, get_policy, update_policy
from core.approvals.proposals import decide
from core.audit import Actor
from core.config.settings import Settings
from tests.inbox_data import audit_rows, checkout_proposal, email_proposal, make_invoice, make_lead

OWNER = Actor.system("test")


def _status(session: Session, pid: int) -> str:
    return session.execute(text("SELECT status FROM action_proposals WHERE id = :i"), {"i": pid}).scalar_one()


def _team(session: Session) -> None:
    add_operator(session, "ana", "owner", OWNER, email="ana@example.test")
    add_operator(session, "bo", "approver", OWNER, slack_user_id="U0BO")
    add_operator(session, "vi", "viewer", OWNER, email="vi@example.test")


def test_roles_come_from_operators_and_unknown_people_are_viewers_once_any_exist(session: Session) -> None:
    assert role_of(session, Actor.user("anyone")) == "owner"  # nobody added yet: a one-operator install
    _team(session)
    assert [role_of(session, Actor.user(n)) for n in ("ana", "bo", "vi", "stranger")] == [
        "owner", "approver", "viewer", "viewer"]
    assert role_of(session, Actor.system("api")) == "integration"  # the shared HOSS_API_TOKEN (SPEC §19)
    assert role_of(session, Actor.system("executor")) == "owner"
    deactivate_operator(session, "bo", OWNER)
    assert role_of(session, Actor.user("bo")) == "viewer"


def test_oidc_email_maps_to_its_operator_and_an_unknown_one_to_no_one(session: Session) -> None:
    _team(session)
    found = signin_identity(session, "ANA@example.test")
    assert found is not None and (found.name, found.role) == ("ana", "owner")
    assert signin_identity(session, "new@example.test") is None
    assert signin_identity(session, None) is None


def test_a_viewer_decision_changes_nothing(session: Session) -> None:
    _team(session)
    pid = email_proposal(session, make_lead(session))
    result = decide(session, pid, "approve", Actor.user("vi"))
    assert not result.ok and result.forbidden and _status(session, pid) == "pending"
    assert not decide(session, pid, "reject", Actor.user("vi")).ok


def test_policy_approvers_can_exclude_approvers(session: Session) -> None:
    _team(session)
    update_policy(session, "email", OWNER, approvers=("owner",))
    pid = email_proposal(session, make_lead(session))
    assert decide(session, pid, "approve", Actor.user("bo")).forbidden
    assert decide(session, pid, "approve", Actor.user("ana")).status == "approved"


def test_two_person_proposal_waits_for_a_second_different_operator(session: Session) -> None:
    _team(session)
    update_policy(session, "stripe_checkout", OWNER, two_person_above_cents=10_000)
    cid, iid = make_invoice(session, 15_000)
    pid = checkout_proposal(session, iid, cid, 15_000)
    first = decide(session, pid, "approve", Actor.user("ana"))
    assert first.ok and first.status == "pending" and _status(session, pid) == "pending"
    again = decide(session, pid, "approve", Actor.user("ana"))
    assert not again.ok and _status(session, pid) == "pending"
    second = decide(session, pid, "approve", Actor.user("bo"))
    assert second.status == "approved" and second.execution_id
    assert [r.to_status for r in audit_rows(session, "proposal", pid)][-2:] == ["pending", "approved"]


def test_no_amount_counts_as_zero_so_threshold_zero_means_always_two(session: Session) -> None:
    _team(session)
    update_policy(session, "email", OWNER, two_person_above_cents=0, mode="auto")
    pid = email_proposal(session, make_lead(session))
    assert _status(session, pid) == "pending"  # auto never approves what needs two people
    assert decide(session, pid, "approve", Actor.user("ana")).status == "pending"


def test_executor_refuses_an_approved_proposal_with_fewer_approvals_than_required(
    session: Session, settings: Settings
) -> None:
    pid = email_proposal(session, make_lead(session))
    decide(session, pid, "approve", Actor.user("ana"))
    update_policy(session, "email", OWNER, two_person_above_cents=0)  # the rule tightened after the approval
    session.commit()
    outcome = execute_next(session, settings)
    assert outcome is not None and outcome.status == "failed" and "1 of the 2 approvals" in outcome.detail


def test_invalid_policy_fields_are_refused(session: Session) -> None:
    for changes in ({"approvers": ("viewer",)}, {"sla_minutes": 0}, {"on_timeout": "explode"},
                    {"two_person_above_cents": -1}):
        with pytest.raises(PolicyError):
            update_policy(session, "email", OWNER, **changes)
    assert get_policy(session, "email").describe() == "manual"


def test_cli_adds_operators_and_sets_policies_audited(
    db_url: str, session: Session, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["operator", "add", "olga", "--role", "owner"]) == 0  # the shell is the install's owner
    assert main(["operator", "add", "ana", "--role", "approver", "--email", "ana@example.test",
                 "--slack-user", "U1"]) == 0
    assert main(["policy", "set", "email", "--two-person-above-cents", "0", "--approvers", "owner,approver",
                 "--sla-minutes", "30", "--on-timeout", "reject", "--escalate-after-minutes", "10"]) == 0
    assert main(["operator", "deactivate", "ana"]) == 0
    assert main(["operator", "list"]) == 0
    out = capsys.readouterr().out
    assert "ana\tapprover\tana@example.test\tU1\tinactive" in out
    policy = get_policy(session, "email")
    assert (policy.two_person_above_cents, policy.sla_minutes, policy.on_timeout, policy.escalate_after_minutes) == (
        0, 30, "reject", 10)
    assert audit_rows(session, "setting", "policy.email")  # type: ignore[arg-type]
    assert [r.to_status for r in audit_rows(session, "operator", "ana")] == ["approver", "inactive"]  # type: ignore[arg-type]


def test_cli_refuses_a_bad_role_with_exit_2(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    with pytest.raises(SystemExit) as exc:
        main(["operator", "add", "ana", "--role", "boss"])
    assert exc.value.code == 2
