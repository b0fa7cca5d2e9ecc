"""Billing: one draft invoice per customer from done, uninvoiced tasks, a checkout proposal, and paying invoices."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.agents.billing import run_billing_agent, urgency_for
from core.audit import Actor
from core.config.context import AppContext
from core.config.settings import Settings
from core.errors import IllegalTransition, NotFound
from core.money.invoices import mark_invoice_paid


def _customer(session: Session, company: str = "Acme", status: str = "active") -> int:
    cid = session.execute(text("INSERT INTO customers (company, status) VALUES (:c, :s) RETURNING id"),
                          {"c": company, "s": status}).scalar_one()
    session.commit()
    return cid


def _task(session: Session, customer_id: int, reward: int, status: str = "done") -> int:
    tid = session.execute(
        text("INSERT INTO tasks (customer_id, description, reward_cents, status) VALUES (:c, 'work', :r, :s) RETURNING id"),
        {"c": customer_id, "r": reward, "s": status},
    ).scalar_one()
    session.commit()
    return tid


def _invoice(session: Session, status: str = "draft") -> int:
    iid = session.execute(text("INSERT INTO invoices (customer_id, amount_cents, status) VALUES (:c, 500, :s) RETURNING id"),
                          {"c": _customer(session), "s": status}).scalar_one()
    session.commit()
    return iid


def _invoices(session: Session) -> list:
    return session.execute(text("SELECT id, customer_id, amount_cents, status FROM invoices ORDER BY id")).all()


def test_done_tasks_are_summed_into_one_draft_invoice_and_linked(session: Session, settings: Settings) -> None:
    cid = _customer(session)
    done = [_task(session, cid, 50), _task(session, cid, 75)]
    pending = _task(session, cid, 60, "pending")
    result = run_billing_agent(session, settings)
    [invoice] = _invoices(session)
    links = dict(session.execute(text("SELECT id, invoice_id FROM tasks")).all())
    assert result.status == "succeeded" and result.items == 1
    assert (invoice.customer_id, invoice.amount_cents, invoice.status) == (cid, 125, "draft")
    assert links == {done[0]: invoice.id, done[1]: invoice.id, pending: None}
    assert f"Invoice {invoice.id}" in result.lines[0] and "$1.25 for 2 tasks" in result.lines[0]


def test_the_invoice_gets_a_pending_stripe_checkout_proposal(session: Session, settings: Settings) -> None:
    cid = _customer(session, "Northwind Labs")
    _task(session, cid, 90)
    run_billing_agent(session, settings)
    invoice_id = _invoices(session)[0].id
    prop = session.execute(text("SELECT * FROM action_proposals")).one()
    assert (prop.status, prop.vertical, prop.action_type, prop.urgency) == ("pending", "billing", "stripe_checkout", "low")
    assert prop.dedupe_key == f"billing:checkout:invoice:{invoice_id}"
    assert prop.payload == {"invoice_id": invoice_id, "customer_id": cid, "customer": "Northwind Labs",
                            "amount_cents": 90, "currency": "usd",
                            "description": "HossAgent research work for Northwind Labs: 1 task(s)"}


def test_invoice_creation_and_task_links_are_audited(session: Session, settings: Settings) -> None:
    cid = _customer(session)
    tasks = [_task(session, cid, 50), _task(session, cid, 70)]
    run_billing_agent(session, settings)
    invoice_id = _invoices(session)[0].id
    row = session.execute(text(
        "SELECT actor_id, from_status, to_status, metadata FROM audit_log WHERE entity = 'invoice' AND entity_id = :i"
    ), {"i": str(invoice_id)}).one()
    assert (row.actor_id, row.from_status, row.to_status) == ("billing", None, "draft")
    assert row.metadata == {"customer_id": cid, "amount_cents": 120, "task_ids": tasks}
    assert session.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'proposal'")).scalar_one() == 1


def test_a_second_run_makes_nothing_new(session: Session, settings: Settings) -> None:
    cid = _customer(session)
    _task(session, cid, 80)
    run_billing_agent(session, settings)
    again = run_billing_agent(session, settings)
    assert again.status == "succeeded" and again.items == 0
    assert len(_invoices(session)) == 1
    assert session.execute(text("SELECT count(*) FROM action_proposals")).scalar_one() == 1
    assert session.execute(text("SELECT count(*) FROM agent_runs WHERE agent = 'billing'")).scalar_one() == 2


def test_tasks_done_after_an_invoice_go_on_a_new_invoice(session: Session, settings: Settings) -> None:
    cid = _customer(session)
    _task(session, cid, 80)
    run_billing_agent(session, settings)
    _task(session, cid, 55)
    run_billing_agent(session, settings)
    assert [(i.amount_cents, i.status) for i in _invoices(session)] == [(80, "draft"), (55, "draft")]


def test_customers_without_done_tasks_or_not_active_get_nothing(session: Session, settings: Settings) -> None:
    idle = _customer(session, "Idle")
    _task(session, idle, 70, "pending")
    _task(session, idle, 70, "failed")
    _customer(session, "Empty")
    _task(session, _customer(session, "Gone", "churned"), 70)
    billed = _customer(session, "Billed")
    _task(session, billed, 65)
    result = run_billing_agent(session, settings)
    assert [(i.customer_id, i.amount_cents) for i in _invoices(session)] == [(billed, 65)]
    assert result.items == 1


def test_two_concurrent_runs_invoice_each_task_once(ctx: AppContext, session: Session) -> None:
    customers = [_customer(session, f"C{n}") for n in range(12)]
    for cid in customers:
        _task(session, cid, 60)
        _task(session, cid, 40)
    start = threading.Barrier(2)

    def worker() -> None:
        with ctx.sessions() as own:
            start.wait()
            run_billing_agent(own, ctx.settings)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    invoices = _invoices(session)
    assert sum(i.amount_cents for i in invoices) == 12 * 100
    assert session.execute(text("SELECT count(*) FROM tasks WHERE invoice_id IS NULL")).scalar_one() == 0
    totals = dict(session.execute(text("SELECT invoice_id, sum(reward_cents) FROM tasks GROUP BY invoice_id")).all())
    assert totals == {i.id: i.amount_cents for i in invoices}


def test_urgency_grows_with_the_amount() -> None:
    assert [urgency_for(c) for c in (125, 25_000, 250_000, 2_500_000)] == ["low", "medium", "high", "critical"]


def test_mark_invoice_paid_sets_paid_and_paid_at_with_an_audit_row(session: Session) -> None:
    invoice_id = _invoice(session, "sent")
    assert mark_invoice_paid(session, invoice_id, Actor.user("ops")) is True
    session.commit()
    row = session.execute(text("SELECT status, paid_at FROM invoices WHERE id = :i"), {"i": invoice_id}).one()
    audit = session.execute(text("SELECT from_status, to_status, actor_type FROM audit_log WHERE entity = 'invoice'")).one()
    assert row.status == "paid" and row.paid_at is not None
    assert tuple(audit) == ("sent", "paid", "user")


def test_mark_invoice_paid_keeps_a_given_paid_at(session: Session) -> None:
    invoice_id = _invoice(session)
    when = datetime(2026, 11, 20, 12, 30, tzinfo=UTC)
    mark_invoice_paid(session, invoice_id, Actor.system("stripe"), paid_at=when)
    session.commit()
    assert session.execute(text("SELECT paid_at FROM invoices WHERE id = :i"), {"i": invoice_id}).scalar_one() == when


def test_mark_invoice_paid_twice_is_a_no_op(session: Session) -> None:
    invoice_id = _invoice(session)
    mark_invoice_paid(session, invoice_id, Actor.system("stripe"))
    session.commit()
    assert mark_invoice_paid(session, invoice_id, Actor.system("stripe")) is False
    session.commit()
    assert session.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'invoice'")).scalar_one() == 1


def test_mark_invoice_paid_refuses_unknown_and_void_invoices(session: Session) -> None:
    with pytest.raises(NotFound):
        mark_invoice_paid(session, 999_999, Actor.system())
    session.rollback()
    void_id = _invoice(session, "void")
    with pytest.raises(IllegalTransition):
        mark_invoice_paid(session, void_id, Actor.system())
