"""An edited payload is checked by its action type's model on every decision path before anything is written.

The bug: POST /api/proposals/ID/decide {"decision": "approve", "payload": {"foo": 1}} approved an email
proposal with payload {"foo": 1} and queued its execution.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.approvals.operators import add_operator
from core.approvals.payloads import ACTION_TYPES, PAYLOAD_MODELS, PayloadInvalid
from core.approvals.policies import update_policy
from core.approvals.proposals import decide, draft_proposal
from core.audit import Actor
from core.config.context import AppContext
from tests.approvals.api_support import auth, serve, with_settings
from tests.inbox_data import checkout_proposal, email_proposal, make_invoice, make_lead

OPS = Actor.agent("ops")


@pytest.fixture(autouse=True)
def ana(session: Session) -> None:
    """api_support's token for ana is an active approver's (HOSS_API_TOKENS names operators that exist)."""
    add_operator(session, "ana", "approver", Actor.system("test"))
    session.commit()


def _state(session: Session, pid: int) -> tuple:
    session.commit()
    return tuple(session.execute(text(
        "SELECT p.status, p.payload, (SELECT count(*) FROM executions e WHERE e.proposal_id = p.id), "
        "(SELECT count(*) FROM approvals a WHERE a.proposal_id = p.id), "
        "(SELECT count(*) FROM audit_log l WHERE l.entity = 'proposal' AND l.entity_id = CAST(p.id AS text)) "
        "FROM action_proposals p WHERE p.id = :p"), {"p": pid}).one())


def test_api_approving_an_email_with_payload_foo_1_is_422_naming_the_fields(ctx: AppContext, session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    before = _state(session, pid)
    with serve(with_settings(ctx)) as api:
        answer = api.post(f"/api/proposals/{pid}/decide", json={"decision": "approve", "payload": {"foo": 1}},
                          headers=auth("ana"))
    assert answer.status_code == 422
    assert {d["field"] for d in answer.json()["details"]} == {"to", "subject", "body"}
    assert _state(session, pid) == before


def test_api_approving_with_a_bad_field_names_that_field(ctx: AppContext, session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    before = _state(session, pid)
    edit = {"to": "not an address", "subject": "Hi", "body": "Hello"}
    with serve(with_settings(ctx)) as api:
        answer = api.post(f"/api/proposals/{pid}/decide", json={"decision": "approve", "payload": edit},
                          headers=auth("ana"))
    assert answer.status_code == 422 and [d["field"] for d in answer.json()["details"]] == ["to"]
    assert _state(session, pid) == before


def test_a_valid_edit_is_approved_and_is_what_executes(ctx: AppContext, session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    session.commit()
    edit = {"to": "dana@northwind.test", "subject": "A better subject", "body": "Hello Dana"}
    with serve(with_settings(ctx)) as api:
        answer = api.post(f"/api/proposals/{pid}/decide", json={"decision": "approve", "payload": edit},
                          headers=auth("ana"))
    assert answer.status_code == 200
    status, payload, executions, *_ = _state(session, pid)
    assert (status, payload, executions) == ("approved", edit, 1)


def test_decide_refuses_a_checkout_edit_with_a_20_digit_invoice_id(session: Session) -> None:
    cid, iid = make_invoice(session)
    pid = checkout_proposal(session, iid, cid)
    before = _state(session, pid)
    edit = {"invoice_id": 10**20, "amount_cents": 100, "currency": "usd"}
    with pytest.raises(PayloadInvalid) as refused:
        decide(session, pid, "approve", Actor.user("ana"), edited_payload=edit)
    session.rollback()
    assert [d["field"] for d in refused.value.details] == ["invoice_id"]
    assert _state(session, pid) == before


def test_an_internal_type_edit_is_checked_by_its_model_too(session: Session) -> None:
    pid, _ = draft_proposal(session, OPS, vertical="ops", action_type="budget_increase", title="Raise", reasoning="",
                            payload={"proposed_budget_cents": 2000, "date": "2026-12-07"}, dedupe_key="b1")
    before = _state(session, pid)
    with pytest.raises(PayloadInvalid) as refused:
        decide(session, pid, "approve", Actor.user("ana"), edited_payload={"proposed_budget_cents": "lots"})
    session.rollback()
    assert [d["field"] for d in refused.value.details] == ["proposed_budget_cents"]
    assert _state(session, pid) == before


def test_a_two_person_edit_is_refused_before_the_first_approval_is_recorded(session: Session) -> None:
    update_policy(session, "stripe_checkout", Actor.system("test"), two_person_above_cents=0)
    cid, iid = make_invoice(session)
    pid = checkout_proposal(session, iid, cid)
    session.commit()
    before = _state(session, pid)
    with pytest.raises(PayloadInvalid):
        decide(session, pid, "approve", Actor.user("ana"), edited_payload={"invoice_id": iid, "amount_cents": -5})
    session.rollback()
    assert _state(session, pid) == before


def test_every_action_type_has_a_payload_model_and_an_executor() -> None:
    from core.approvals.executors import ADAPTERS

    assert set(ACTION_TYPES) == set(PAYLOAD_MODELS) == set(ADAPTERS)


def test_an_outside_script_cannot_propose_an_internal_type(ctx: AppContext, session: Session) -> None:
    body = {"action_type": "budget_increase", "title": "More", "payload": {"proposed_budget_cents": 10**9}}
    with serve(with_settings(ctx)) as api:
        answer = api.post("/api/proposals", json=body, headers=auth())
    assert answer.status_code == 422 and "choose one of" in answer.json()["error"]
    assert session.execute(text("SELECT count(*) FROM action_proposals")).scalar_one() == 0
