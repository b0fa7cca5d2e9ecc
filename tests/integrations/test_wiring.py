"""The seams the done-task path calls (delivery route, sheet-row proposal), customer settings, and the CLI verbs."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from core.app.cli import main
from core.approvals.google_delivery import delivery_action_type, set_customer_delivery
from core.audit import Actor
from core.errors import InvalidInput
from core.workforce.finish import draft_follow_ups, read_done_task
from db.models import ActionProposal, OAuthState
from tests.integrations.conftest import SECRET_KEY
from tests.standins.google_server import CLIENT_ID, CLIENT_SECRET


def _customer(session: Session, sheet: str | None = None) -> int:
    return session.execute(text("INSERT INTO customers (company, sheet_id) VALUES ('Northwind', :s) RETURNING id"),
                           {"s": sheet}).scalar_one()


def _task(session: Session, customer_id: int, status: str = "done") -> int:
    return session.execute(text("INSERT INTO tasks (customer_id, description, status) VALUES (:c, 'x', :s) "
                                "RETURNING id"), {"c": customer_id, "s": status}).scalar_one()


def test_delivery_action_type_follows_the_customer_setting_and_defaults_to_email(session: Session):
    cid = _customer(session)
    set_customer_delivery(session, cid, "gmail_draft", None, Actor.user("ana"))
    customer = session.execute(text("SELECT * FROM customers WHERE id = :i"), {"i": cid}).mappings().one()
    assert delivery_action_type(customer) == "gmail_draft"
    assert delivery_action_type({"delivery": "email"}) == delivery_action_type({}) == "email"


def _follow_ups(session: Session, task_id: int) -> int | None:
    return draft_follow_ups(session, read_done_task(session, task_id)[0])


def test_a_done_ops_task_without_a_customer_sheet_proposes_nothing(session: Session):
    assert _follow_ups(session, _task(session, _customer(session))) is None
    assert session.execute(select(func.count()).select_from(ActionProposal)).scalar_one() == 0


def test_a_done_task_with_a_sheet_proposes_one_manual_sheets_append(session: Session):
    task_id = _task(session, _customer(session, "sheet-abcdefghij"))
    assert _follow_ups(session, task_id) is None  # the Ops prompt's result is not delivered, only logged
    proposal = session.execute(select(ActionProposal)).scalar_one()
    assert (proposal.action_type, proposal.status) == ("sheets_append", "pending")
    assert proposal.payload["task_id"] == task_id and proposal.payload["values"][-1] == f"task-{task_id}"


def test_a_bad_delivery_or_sheet_is_refused(session: Session):
    cid = _customer(session)
    with pytest.raises(InvalidInput):
        set_customer_delivery(session, cid, "carrier_pigeon", None, Actor.user("ana"))
    with pytest.raises(InvalidInput):
        set_customer_delivery(session, cid, "email", "not a sheet!", Actor.user("ana"))


def test_google_connect_prints_the_consent_url_and_keeps_its_state(db_url: str, session: Session,
                                                                   monkeypatch: pytest.MonkeyPatch, capsys):
    for name, value in (("DATABASE_URL", db_url), ("GOOGLE_CLIENT_ID", CLIENT_ID),
                        ("GOOGLE_CLIENT_SECRET", CLIENT_SECRET), ("HOSS_SECRET_KEY", SECRET_KEY)):
        monkeypatch.setenv(name, value)
    assert main(["google", "connect"]) == 0
    out = capsys.readouterr().out
    assert "access_type=offline" in out and "10 minutes" in out
    assert session.execute(select(func.count()).select_from(OAuthState)).scalar_one() == 1
    assert main(["google", "status"]) == 0
    assert "not connected" in capsys.readouterr().out


def test_google_connect_without_configuration_is_one_line_exit_2(db_url: str, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["google", "connect"]) == 2
    assert "GOOGLE_CLIENT_ID" in capsys.readouterr().err
