"""gmail_draft and sheets_append against the Google stand-in with the real client: once each, however often run."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.agents.executor import run_proposal_executor
from core.approvals.executors import gmail_draft, sheets_append
from core.approvals.executors.base import PermanentError
from core.approvals.proposals import approve_proposal, draft_proposal, execution_key
from core.approvals.queries import get_proposal
from core.audit import Actor
from core.config.settings import Settings
from core.workforce.finish import draft_follow_ups, read_done_task
from db.models import AuditLog, Execution, Integration
from tests.standins.google_server import FakeGoogle, message_of

OPERATOR = Actor.user("ana")
DRAFTS = "/gmail/v1/users/me/drafts"


def _approved(session: Session, action_type: str, payload: dict, key: str) -> int:
    pid, _ = draft_proposal(session, Actor.agent("ops"), vertical="ops", action_type=action_type, title=key,
                            reasoning="test", payload=payload, dedupe_key=key)
    assert approve_proposal(session, pid, OPERATOR).ok
    session.commit()
    return pid


def _draft_payload(subject: str = "Your Q3 market summary") -> dict:
    return {"to": "dana@northwind.test", "subject": subject, "body": "Dana,\n\nthe summary is below.\n"}


def _task(session: Session, *, cost: int = 123, reward: int = 5000) -> int:
    cid = session.execute(text("INSERT INTO customers (company, sheet_id) VALUES ('Northwind', 'sheet-northwind-1') "
                               "RETURNING id")).scalar_one()
    return session.execute(text(
        "INSERT INTO tasks (customer_id, description, status, cost_cents, reward_cents, completed_at) "
        "VALUES (:c, 'Summarise the Q3 market', 'done', :cost, :reward, now()) RETURNING id"),
        {"c": cid, "cost": cost, "reward": reward}).scalar_one()


def test_an_approved_gmail_draft_run_three_times_posts_one_draft_carrying_the_subject(
        session: Session, gsettings: Settings, connected: str, fake_google: tuple[FakeGoogle, str]):
    fake, _ = fake_google
    pid = _approved(session, "gmail_draft", _draft_payload(), "gmail-1")
    assert not approve_proposal(session, pid, Actor.user("bo")).ok  # a doubled approval queues nothing more
    session.commit()
    for _ in range(3):
        run_proposal_executor(session, gsettings)
    assert fake.count("POST", DRAFTS) == 1
    raw = next(body for m, p, body in fake.requests if m == "POST" and p == DRAFTS)["message"]["raw"]
    assert message_of(raw)["Subject"] == "Your Q3 market summary"
    proposal = get_proposal(session, pid)
    assert proposal.status == "executed"
    result = session.execute(select(Execution.result).where(Execution.proposal_id == pid)).scalar_one()
    assert result["draft_id"] == fake.drafts[0]["id"]


def test_a_retried_execution_finds_its_draft_by_message_id_and_makes_no_second(
        session: Session, gsettings: Settings, connected: str, fake_google: tuple[FakeGoogle, str]):
    fake, _ = fake_google
    pid = _approved(session, "gmail_draft", _draft_payload(), "gmail-2")
    # An earlier attempt made the draft, then its process died before recording it.
    gmail_draft.execute(gsettings, _draft_payload(), idempotency_key=execution_key(pid), session=session)
    session.rollback()
    run_proposal_executor(session, gsettings)
    assert fake.count("POST", DRAFTS) == 1
    result = session.execute(select(Execution.result).where(Execution.proposal_id == pid)).scalar_one()
    assert result["already_there"] is True
    assert message_of(fake.drafts[0]["raw"])["Message-ID"] == f"<{execution_key(pid)}@hossagent>"


def test_one_approved_sheets_append_makes_one_append_with_the_task_id(
        session: Session, gsettings: Settings, connected: str, fake_google: tuple[FakeGoogle, str]):
    fake, _ = fake_google
    fake.sheets["sheet-northwind-1"] = [["date", "task", "worker", "cost", "earned", "task id"]]
    task_id = _task(session)
    draft_follow_ups(session, read_done_task(session, task_id)[0])
    draft_follow_ups(session, read_done_task(session, task_id)[0])  # a repeat finds the same proposal
    (pid,) = session.execute(text("SELECT id FROM action_proposals WHERE action_type = 'sheets_append'")).scalars()
    assert approve_proposal(session, pid, OPERATOR).ok
    session.commit()
    for _ in range(3):
        run_proposal_executor(session, gsettings)
    appends = [body for m, p, body in fake.requests if m == "POST" and p.endswith(":append")]
    assert len(appends) == 1
    row = appends[0]["values"][0]
    assert f"task-{task_id}" in row and row[2:5] == ["Ops pool", 1.23, 50.0]
    assert fake.sheets["sheet-northwind-1"][-1] == row


def test_a_retried_sheets_append_finds_the_task_row_and_appends_nothing(
        session: Session, gsettings: Settings, connected: str, fake_google: tuple[FakeGoogle, str]):
    fake, _ = fake_google
    fake.sheets["sheet-northwind-1"] = [["2026-12-01", "earlier", "Ops pool", 1, 2, "task-77"]]
    payload = {"spreadsheet_id": "sheet-northwind-1", "range": "Sheet1", "values": ["x"], "task_id": 77}
    result = sheets_append.execute(gsettings, payload, idempotency_key="k", session=session)
    assert result["already_there"] and not [p for m, p, _ in fake.requests if p.endswith(":append")]


def test_a_401_refreshes_the_access_token_and_the_call_succeeds(
        session: Session, gsettings: Settings, connected: str, fake_google: tuple[FakeGoogle, str]):
    fake, _ = fake_google
    gmail_draft.execute(gsettings, _draft_payload("first"), idempotency_key="k-1", session=session)
    refreshes = fake.grants("refresh_token")
    fake.expire_access_tokens()
    result = gmail_draft.execute(gsettings, _draft_payload("second"), idempotency_key="k-2", session=session)
    assert result["draft_id"] and fake.grants("refresh_token") == refreshes + 1
    assert [s for s in ("first", "second") if any(message_of(d["raw"])["Subject"] == s for d in fake.drafts)] == \
        ["first", "second"]


def test_a_revoked_grant_fails_the_execution_with_reconnect_google(
        session: Session, gsettings: Settings, connected: str, fake_google: tuple[FakeGoogle, str]):
    fake, _ = fake_google
    fake.revoke_all()
    pid = _approved(session, "gmail_draft", _draft_payload(), "gmail-revoked")
    run_proposal_executor(session, gsettings)
    execution = session.execute(select(Execution).where(Execution.proposal_id == pid)).scalar_one()
    assert execution.status == "failed" and "reconnect Google" in (execution.error or "")
    assert session.execute(select(Integration.status)).scalar_one() == "needs_reconnect"
    assert fake.count("POST", DRAFTS) == 0


def test_a_wrong_secret_key_fails_the_execution_with_reconnect_google(
        session: Session, gsettings: Settings, connected: str):
    from pydantic import SecretStr

    other = gsettings.model_copy(update={"hoss_secret_key": SecretStr("another-secret-key-entirely")})
    with pytest.raises(PermanentError, match="reconnect Google"):
        gmail_draft.execute(other, _draft_payload(), idempotency_key="k", session=session)


def test_a_gmail_draft_without_a_connection_fails_saying_connect(session: Session, gsettings: Settings):
    with pytest.raises(PermanentError, match="not connected"):
        gmail_draft.execute(gsettings, _draft_payload(), idempotency_key="k", session=session)


def test_secrets_reach_neither_logs_nor_audit_nor_results(
        session: Session, gsettings: Settings, connected: str, fake_google: tuple[FakeGoogle, str],
        caplog: pytest.LogCaptureFixture):
    fake, _ = fake_google
    caplog.set_level(logging.DEBUG)
    _approved(session, "gmail_draft", _draft_payload(), "gmail-secrets")
    run_proposal_executor(session, gsettings)
    fake.revoke_all()
    _approved(session, "gmail_draft", _draft_payload("later"), "gmail-secrets-2")
    run_proposal_executor(session, gsettings)
    stored = " ".join(str(r) for r in session.execute(select(AuditLog.metadata_)).scalars()) + \
        " ".join(str(r) for r in session.execute(select(Execution.result, Execution.error)).all())
    secrets = [connected, "stand-in-client-secret", *fake.access_tokens]
    for secret in secrets:
        assert secret not in caplog.text and secret not in stored
