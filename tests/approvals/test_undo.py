"""Undo (SPEC §21): a person's rejection goes back to pending, and a firing is undone, within ten minutes; audited;
refused after the window, for a rejection the system made, and on the CLI with one line."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from core.app.cli import main
from core.approvals.proposals import decide
from core.approvals.undo import UNDO_WINDOW, undo_rejection, within_window
from core.audit import Actor
from core.errors import IllegalTransition
from core.workforce.hiring import hire, list_workers, set_worker_status
from core.workforce.intake import add_task_checked
from core.workforce.undo import undo_firing
from tests.inbox_data import email_proposal, make_lead
from tests.workforce.conftest import OPERATOR, make_customer


def _status(session, pid: int) -> str:
    return session.execute(text("SELECT status FROM action_proposals WHERE id = :i"), {"i": pid}).scalar_one()


def _rejected(session) -> int:
    pid = email_proposal(session, make_lead(session))
    decide(session, pid, "reject", OPERATOR)
    session.commit()
    return pid


def _age_decision(session, pid: int, minutes: int) -> None:
    session.execute(text("UPDATE action_proposals SET decided_at = now() - make_interval(mins => :m) WHERE id = :i"),
                    {"m": minutes, "i": pid})
    session.commit()


def test_the_window_is_ten_minutes():
    now = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)
    assert UNDO_WINDOW == timedelta(minutes=10)
    assert within_window(now - timedelta(minutes=9, seconds=59), now)
    assert not within_window(now - timedelta(minutes=10, seconds=1), now) and not within_window(None, now)


def test_undoing_a_rejection_puts_the_proposal_back_to_pending_and_audits_it(session):
    pid = _rejected(session)
    message = undo_rejection(session, pid, OPERATOR)
    session.commit()
    row = session.execute(text("SELECT status, decided_by, decided_at FROM action_proposals WHERE id = :i"),
                          {"i": pid}).one()
    audit = session.execute(text("SELECT from_status, to_status, metadata->>'action' FROM audit_log "
                                 "WHERE entity = 'proposal' AND entity_id = :i ORDER BY id DESC LIMIT 1"),
                            {"i": str(pid)}).one()
    assert tuple(row) == ("pending", None, None) and "waits in the inbox again" in message
    assert tuple(audit) == ("rejected", "pending", "undo_reject")


def test_a_rejection_older_than_the_window_cannot_be_undone(session):
    pid = _rejected(session)
    _age_decision(session, pid, 11)
    with pytest.raises(IllegalTransition, match="can no longer be undone"):
        undo_rejection(session, pid, OPERATOR)
    session.rollback()
    assert _status(session, pid) == "rejected"


def test_a_rejection_by_the_system_cannot_be_undone(session):
    pid = email_proposal(session, make_lead(session))
    decide(session, pid, "reject", Actor.system("sla"))
    session.commit()
    with pytest.raises(IllegalTransition, match="only a person's rejection"):
        undo_rejection(session, pid, OPERATOR)


def test_a_pending_proposal_has_no_rejection_to_undo(session):
    pid = email_proposal(session, make_lead(session))
    session.commit()
    with pytest.raises(IllegalTransition, match="not rejected"):
        undo_rejection(session, pid, OPERATOR)


def _pending_for(session, agent: str) -> int:
    cid = make_customer(session)
    return add_task_checked(session, customer_id=cid, description="Outreach", reward_cents=100, agent=agent,
                            actor=OPERATOR)[0]


def _worker_status(session, name: str) -> str:
    return next(w.status for w in list_workers(session, include_fired=True) if w.name == name)


def test_undoing_a_firing_restores_the_previous_status_and_takes_back_its_pending_tasks(session):
    hire(session, "sdr", "Tove", OPERATOR)
    task_id = _pending_for(session, "Sasha")
    set_worker_status(session, "Sasha", "paused", OPERATOR)
    set_worker_status(session, "Sasha", "fired", OPERATOR)
    session.commit()
    message = undo_firing(session, "Sasha", OPERATOR)
    session.commit()
    agent = session.execute(text("SELECT agent FROM tasks WHERE id = :i"), {"i": task_id}).scalar_one()
    audit = session.execute(text("SELECT from_status, to_status FROM audit_log WHERE entity = 'agent' "
                                 "AND entity_id = 'Sasha' ORDER BY id DESC LIMIT 1")).one()
    assert (_worker_status(session, "Sasha"), agent, tuple(audit)) == ("paused", "Sasha", ("fired", "paused"))
    assert "paused again" in message and "1 pending task(s) came back" in message


def test_a_firing_older_than_the_window_cannot_be_undone(session):
    set_worker_status(session, "Sasha", "fired", OPERATOR)
    session.commit()
    session.execute(text("UPDATE agents SET fired_at = now() - interval '11 minutes' WHERE name = 'Sasha'"))
    session.commit()
    with pytest.raises(IllegalTransition, match="hire a new worker"):
        undo_firing(session, "Sasha", OPERATOR)
    session.rollback()
    assert _worker_status(session, "Sasha") == "fired"


def test_the_cli_undoes_a_rejection(session, db_url, monkeypatch, capsys):
    pid = _rejected(session)
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["undo", "reject", str(pid)]) == 0
    assert "waits in the inbox again" in capsys.readouterr().out and _status(session, pid) == "pending"


def test_the_cli_refuses_an_undo_with_nothing_to_undo_in_one_line(session, db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["undo", "fire", "Sasha"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: Sasha is not fired") and len(err.strip().splitlines()) == 1
