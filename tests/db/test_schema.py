"""The schema keeps its own invariants, whatever the application does."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from core.audit import Actor, record_audit


def _customer(session: Session, lead_id: int | None = None) -> int:
    return session.execute(
        text("INSERT INTO customers (company, lead_id) VALUES ('Acme', :lead) RETURNING id"), {"lead": lead_id}
    ).scalar_one()


def test_plain_task_insert_makes_a_pending_task_with_defaults(session: Session) -> None:
    cid = _customer(session)
    session.execute(
        text("INSERT INTO tasks (customer_id, description, reward_cents) VALUES (:c, 'Research', 75)"), {"c": cid}
    )
    row = session.execute(
        text("SELECT status, cost_cents, profit_cents, attempts, created_at, run_after FROM tasks")
    ).one()
    assert row.status == "pending"
    assert (row.cost_cents, row.profit_cents, row.attempts) == (0, 0, 0)
    assert row.created_at is not None and row.run_after is not None


def test_unknown_task_status_is_refused(session: Session) -> None:
    cid = _customer(session)
    with pytest.raises(IntegrityError, match="ck_tasks_status"):
        session.execute(
            text("INSERT INTO tasks (customer_id, description, status) VALUES (:c, 'x', 'bogus')"), {"c": cid}
        )


def test_negative_money_is_refused(session: Session) -> None:
    cid = _customer(session)
    with pytest.raises(IntegrityError, match="reward_cents_non_negative"):
        session.execute(
            text("INSERT INTO tasks (customer_id, description, reward_cents) VALUES (:c, 'x', -1)"), {"c": cid}
        )


def test_one_customer_per_lead(session: Session) -> None:
    lead = session.execute(
        text("INSERT INTO leads (company, email) VALUES ('Acme', 'a@acme.test') RETURNING id")
    ).scalar_one()
    _customer(session, lead)
    with pytest.raises(IntegrityError, match="customers_lead_id"):
        _customer(session, lead)


def test_events_are_unique_per_source_and_dedupe_key(session: Session) -> None:
    insert = text("INSERT INTO events (source, type, dedupe_key) VALUES ('stripe', 'invoice.paid', 'evt_1')")
    session.execute(insert)
    with pytest.raises(IntegrityError, match="uq_events_source_dedupe_key"):
        session.execute(insert)


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET to_status = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"])
def test_audit_log_refuses_update_delete_truncate(session: Session, statement: str) -> None:
    record_audit(session, Actor.system(), "lead", 1, None, "new")
    session.commit()
    with pytest.raises(DBAPIError, match="append-only|permission denied"):
        session.execute(text(statement))
    session.rollback()
    assert session.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == 1


def test_audit_log_accepts_inserts_with_defaults(session: Session) -> None:
    session.execute(text("INSERT INTO audit_log (entity) VALUES ('lead')"))
    row = session.execute(text("SELECT actor_type, ts, metadata FROM audit_log")).one()
    assert row.actor_type == "system" and row.ts is not None and row.metadata == {}
