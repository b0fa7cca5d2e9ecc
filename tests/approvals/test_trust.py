"""The trust ledger: counts, edit distance, open→decision times, and the two suggestions as policy_change proposals."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.approvals.executor import execute_next
from core.approvals.policies import get_policy, update_policy
from core.approvals.proposals import decide
from core.approvals.trust import mark_opened, suggest_policy_changes, trust_ledger
from core.audit import Actor
from core.config.settings import Settings
from tests.inbox_data import email_proposal, make_lead

ANA = Actor.user("ana")


def _emails(session: Session, n: int) -> list[int]:
    return [email_proposal(session, make_lead(session, f"l{i}@x.test"), f"l{i}@x.test") for i in range(n)]


def test_ledger_counts_edits_and_open_to_decision_times(session: Session) -> None:
    a, b, c, d = _emails(session, 4)
    mark_opened(session, [a, b])
    session.execute(text("UPDATE action_proposals SET opened_at = now() - interval '10 seconds' WHERE id = :i"),
                    {"i": a})
    decide(session, a, "approve", ANA)
    decide(session, b, "approve", ANA, edited_payload={"to": "l1@x.test", "subject": "S", "body": "B"})
    decide(session, c, "reject", ANA)
    (row,) = trust_ledger(session)
    assert (row.proposed, row.approved_as_is, row.approved_edited, row.rejected, row.decisions) == (4, 1, 1, 1, 3)
    assert row.mean_edit_distance and row.mean_edit_distance > 0
    assert row.p50_seconds is not None and row.p90_seconds is not None and row.p90_seconds >= row.p50_seconds


def test_twenty_clean_approvals_suggest_auto_below_and_approving_it_changes_the_policy(
    session: Session, settings: Settings
) -> None:
    for pid in _emails(session, 20):
        decide(session, pid, "approve", ANA)
    (suggested,) = suggest_policy_changes(session)
    assert suggest_policy_changes(session) == []  # once per policy
    assert decide(session, suggested, "approve", ANA).ok
    session.commit()
    while execute_next(session, settings) is not None:
        pass
    policy = get_policy(session, "email")
    assert (policy.mode, policy.limit_cents) == ("auto_below", 1)
    row = session.execute(text("SELECT to_status FROM audit_log WHERE entity = 'setting' ORDER BY id DESC")).first()
    assert row is not None and row.to_status == "auto below $0.01"


def test_mostly_edited_approvals_under_an_auto_policy_suggest_manual(session: Session) -> None:
    ids = _emails(session, 3)
    for pid in ids:
        payload = session.execute(text("SELECT payload FROM action_proposals WHERE id = :i"), {"i": pid}).scalar_one()
        decide(session, pid, "approve", ANA, edited_payload={**payload, "body": "rewritten entirely"})
    update_policy(session, "email", ANA, mode="auto")
    (suggested,) = suggest_policy_changes(session)
    payload = session.execute(text("SELECT payload FROM action_proposals WHERE id = :i"), {"i": suggested}).scalar_one()
    assert payload["mode"] == "manual"
