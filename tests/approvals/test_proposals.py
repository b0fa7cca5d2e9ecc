"""The proposal lifecycle: approve (one transaction, one execution), edit, reject, batch, expiry, listings."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.approvals.proposals import (
    PayloadError,
    approve_proposal,
    decide_many,
    expire_stale_proposals,
    reject_proposal,
)
from core.approvals.queries import count_pending, count_proposals, get_proposal, list_pending, list_proposals
from core.audit import Actor
from core.config.context import AppContext
from core.errors import NotFound
from tests.inbox_data import audit_rows, email_proposal, make_lead, slack_proposal

OPERATOR = Actor.user("ana")


def _executions(session: Session, pid: int) -> list:
    return session.execute(
        text("SELECT status, idempotency_key FROM executions WHERE proposal_id = :p"), {"p": pid}
    ).all()


def test_approval_moves_to_approved_writes_audit_and_queues_one_execution(session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    decision = approve_proposal(session, pid, OPERATOR, note="looks good")
    session.commit()
    assert decision.ok and decision.status == "approved" and decision.execution_id
    row = session.execute(text("SELECT status, decided_by, decision_note, decided_at FROM action_proposals")).one()
    assert (row.status, row.decided_by, row.decision_note) == ("approved", "ana", "looks good")
    assert row.decided_at is not None
    assert _executions(session, pid) == [("queued", f"proposal-{pid}-v1")]
    approval = audit_rows(session, "proposal", pid)[-1]
    assert (approval.actor_type, approval.actor_id, approval.from_status, approval.to_status) == (
        "user", "ana", "pending", "approved")


def test_second_approval_answers_already_approved_and_queues_nothing(session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    approve_proposal(session, pid, OPERATOR)
    session.commit()
    again = approve_proposal(session, pid, OPERATOR)
    assert not again.ok and "already approved" in again.message
    assert len(_executions(session, pid)) == 1


def test_two_simultaneous_approvals_make_one_execution(ctx: AppContext) -> None:
    with ctx.sessions() as s:
        pid = email_proposal(s, make_lead(s))
        s.commit()
    barrier = threading.Barrier(2)
    answers = []

    def approve(name: str) -> None:
        with ctx.sessions() as s:
            barrier.wait()
            answers.append(approve_proposal(s, pid, Actor.user(name)))
            s.commit()

    threads = [threading.Thread(target=approve, args=(n,)) for n in ("ana", "ben")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.ok for a in answers) == [False, True]
    assert "already approved" in next(a.message for a in answers if not a.ok)
    with ctx.sessions() as s:
        assert len(_executions(s, pid)) == 1
        assert [r.to_status for r in audit_rows(s, "proposal", pid)].count("approved") == 1


def test_edited_payload_replaces_the_original_and_audit_keeps_both(session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    original = get_proposal(session, pid).payload
    edited = {**original, "subject": "A better subject"}
    approve_proposal(session, pid, OPERATOR, edited_payload=edited)
    session.commit()
    assert get_proposal(session, pid).payload["subject"] == "A better subject"
    meta = audit_rows(session, "proposal", pid)[-1].metadata
    assert meta["original_payload"]["subject"] == original["subject"]
    assert meta["edited_payload"]["subject"] == "A better subject"


def test_payload_that_is_not_an_object_is_refused_and_proposal_stays_pending(session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    with pytest.raises(PayloadError):
        approve_proposal(session, pid, OPERATOR, edited_payload=["not", "an", "object"])  # type: ignore[arg-type]
    assert get_proposal(session, pid).status == "pending"


def test_rejection_records_the_note_and_queues_no_execution(session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    decision = reject_proposal(session, pid, OPERATOR, note="wrong tone")
    session.commit()
    assert decision.ok and get_proposal(session, pid).status == "rejected"
    assert get_proposal(session, pid).decision_note == "wrong tone"
    assert _executions(session, pid) == []


def test_rejected_proposal_cannot_be_approved(session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    reject_proposal(session, pid, OPERATOR)
    answer = approve_proposal(session, pid, OPERATOR)
    assert not answer.ok and "already rejected" in answer.message
    assert _executions(session, pid) == []


def test_unknown_proposal_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        approve_proposal(session, 999_999, OPERATOR)


def test_batch_decision_answers_per_id_and_a_missing_id_spoils_none(session: Session) -> None:
    lead = make_lead(session)
    a = email_proposal(session, lead, key="a")
    b = email_proposal(session, lead, key="b")
    results = decide_many(session, [a, 999_999, b], "approve", OPERATOR, note="batch")
    session.commit()
    assert [(r.proposal_id, r.ok) for r in results] == [(a, True), (999_999, False), (b, True)]
    assert {get_proposal(session, a).status, get_proposal(session, b).status} == {"approved"}


def test_stale_pending_proposals_expire_and_fresh_ones_stay(session: Session) -> None:
    lead = make_lead(session)
    old = email_proposal(session, lead, key="old")
    fresh = email_proposal(session, lead, key="fresh")
    session.execute(text("UPDATE action_proposals SET created_at = now() - interval '80 hours' WHERE id = :i"),
                    {"i": old})
    assert expire_stale_proposals(session, timedelta(hours=72)) == [old]
    assert (get_proposal(session, old).status, get_proposal(session, fresh).status) == ("expired", "pending")
    assert audit_rows(session, "proposal", old)[-1].to_status == "expired"


def test_pending_list_is_most_urgent_first_then_oldest(session: Session) -> None:
    lead = make_lead(session)
    low = email_proposal(session, lead, urgency="low", key="low")
    med_old = email_proposal(session, lead, urgency="medium", key="m1")
    crit = email_proposal(session, lead, urgency="critical", key="crit")
    med_new = email_proposal(session, lead, urgency="medium", key="m2")
    high = slack_proposal(session)
    session.execute(text("UPDATE action_proposals SET created_at = now() - interval '1 hour' WHERE id = :i"),
                    {"i": med_old})
    assert [p.id for p in list_pending(session)] == [crit, high, med_old, med_new, low]
    assert [p.id for p in list_pending(session, limit=2, offset=1)] == [high, med_old]
    assert count_pending(session) == 5


def test_history_filters_by_status_vertical_and_action_type(session: Session) -> None:
    lead = make_lead(session)
    approved = email_proposal(session, lead, key="x")
    rejected = email_proposal(session, lead, key="y")
    slack = slack_proposal(session)
    approve_proposal(session, approved, OPERATOR)
    reject_proposal(session, rejected, OPERATOR)
    assert [p.id for p in list_proposals(session, statuses=["rejected"])] == [rejected]
    assert [p.id for p in list_proposals(session, vertical="money")] == [slack]
    assert {p.id for p in list_proposals(session, action_type="email")} == {approved, rejected}
    assert count_proposals(session, statuses=["approved", "rejected"]) == 2
    approved_view = list_proposals(session, statuses=["approved"])[0]
    assert approved_view.execution is not None and approved_view.execution.status == "queued"
    with pytest.raises(ValueError, match="unknown proposal status"):
        list_proposals(session, statuses=["bogus"])
