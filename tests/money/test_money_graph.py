"""The Money graph: Stripe money events become ledger entries, paid invoices and drafted proposals."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.agents.events import run_event_processor
from core.audit import Actor
from core.config.context import AppContext
from core.config.settings import Settings
from core.config.store import set_cash_balance
from core.events.webhooks import store_stripe_event
from core.money.ledger import record_ledger_entry
from tests.standins.stripe_events import (
    BASE_CREATED,
    charge_refunded,
    checkout_completed,
    dispute_created,
    invoice_paid,
    payment_failed,
)


def _invoice(session: Session, amount: int = 12_000, status: str = "sent") -> int:
    cid = session.execute(text("INSERT INTO customers (company, contact_email) VALUES ('Acme', 'ap@acme.test') "
                               "RETURNING id")).scalar_one()
    iid = session.execute(text("INSERT INTO invoices (customer_id, amount_cents, status) VALUES (:c, :a, :s) "
                               "RETURNING id"), {"c": cid, "a": amount, "s": status}).scalar_one()
    session.commit()
    return iid


def _ingest(session: Session, *events: dict[str, Any]) -> None:
    for evt in events:
        store_stripe_event(session, evt)


def _process(session: Session, settings: Settings) -> None:
    run_event_processor(session, settings)


def _proposals(session: Session) -> list[Any]:
    return session.execute(text("SELECT * FROM action_proposals ORDER BY dedupe_key")).all()


def test_payment_failed_drafts_one_dunning_email_with_the_hosted_invoice_link(session: Session,
                                                                            settings: Settings) -> None:
    _ingest(session, payment_failed("in_a", amount_due=5_000, attempt=1))
    _process(session, settings)
    [p] = _proposals(session)
    assert (p.vertical, p.action_type, p.status, p.dedupe_key) == ("money", "email", "pending", "money:dunning:in_a")
    assert p.payload["to"] == "ap@acme.test"
    assert "Payment failed" in p.payload["subject"]
    assert "https://invoice.stripe.test/in_a" in p.payload["body"]
    assert p.urgency == "low"


def test_repeated_failures_of_one_invoice_keep_one_proposal_worded_from_the_latest(session: Session,
                                                                                    settings: Settings) -> None:
    _ingest(session, payment_failed("in_a", amount_due=150_000, attempt=3, created=BASE_CREATED + 200))
    _process(session, settings)
    _ingest(session, payment_failed("in_a", amount_due=150_000, attempt=1, created=BASE_CREATED))
    _process(session, settings)
    [p] = _proposals(session)
    assert p.urgency == "critical"
    assert "attempt 3" in p.payload["body"]


def test_checkout_completed_marks_our_invoice_paid_and_books_revenue(session: Session, settings: Settings) -> None:
    iid = _invoice(session)
    _ingest(session, checkout_completed("cs_1", invoice_id=iid, amount=12_000))
    _process(session, settings)
    inv = session.execute(text("SELECT status, paid_at FROM invoices WHERE id = :i"), {"i": iid}).one()
    assert inv.status == "paid"
    assert inv.paid_at == datetime.fromtimestamp(BASE_CREATED, tz=timezone.utc)
    entry = session.execute(text("SELECT direction, amount_cents, category, source, ref, counterparty "
                                 "FROM ledger_entries")).one()
    assert tuple(entry) == ("in", 12_000, "revenue", "stripe", "cs_1", "Acme")
    audit = session.execute(text("SELECT from_status, to_status FROM audit_log WHERE entity = 'invoice'")).one()
    assert tuple(audit) == ("sent", "paid")


def test_checkout_for_an_unknown_invoice_books_the_money_and_asks_for_review(session: Session,
                                                                            settings: Settings) -> None:
    _ingest(session, checkout_completed("cs_x", invoice_id=999, amount=700))
    _process(session, settings)
    [p] = _proposals(session)
    assert (p.action_type, p.dedupe_key) == ("review", "money:unmatched:cs_x")
    assert session.execute(text("SELECT count(*) FROM ledger_entries")).scalar_one() == 1


def test_refund_books_money_out_and_drafts_a_high_urgency_review(session: Session, settings: Settings) -> None:
    _ingest(session, charge_refunded("ch_1", amount_refunded=4_000))
    _process(session, settings)
    entry = session.execute(text("SELECT direction, amount_cents, source FROM ledger_entries")).one()
    assert tuple(entry) == ("out", 4_000, "stripe")
    [p] = _proposals(session)
    assert (p.vertical, p.action_type, p.urgency) == ("money", "review", "high")


def test_dispute_books_money_out_and_drafts_a_high_urgency_review(session: Session, settings: Settings) -> None:
    _ingest(session, dispute_created("dp_1", amount=9_900))
    _process(session, settings)
    entry = session.execute(text("SELECT direction, amount_cents, ref FROM ledger_entries")).one()
    assert tuple(entry) == ("out", 9_900, "dp_1")
    [p] = _proposals(session)
    assert (p.action_type, p.urgency, p.payload["dispute"]) == ("review", "high", "dp_1")


def test_low_runway_makes_one_slack_proposal_for_many_money_events(session: Session, settings: Settings) -> None:
    now = datetime.now(timezone.utc)
    record_ledger_entry(session, occurred_at=now - timedelta(days=10), direction="out", amount_cents=300_000,
                        counterparty="Gusto", category="payroll", source="manual", ref="payroll-1")
    set_cash_balance(session, 400_000, Actor.user("op"))  # burn 100,000/month -> 4 months
    _ingest(session, dispute_created("dp_1", amount=100), dispute_created("dp_2", amount=100),
            payment_failed("in_a"))
    _process(session, settings)
    slack = [p for p in _proposals(session) if p.action_type == "slack"]
    assert len(slack) == 1
    assert slack[0].dedupe_key.startswith("money:runway:")
    assert "Runway is 4.0 months" in slack[0].payload["text"]


def test_spend_jump_over_the_trailing_average_is_flagged(session: Session, settings: Settings) -> None:
    now = datetime.now(timezone.utc)
    for i, days_ago in enumerate((40, 70, 100)):
        record_ledger_entry(session, occurred_at=now - timedelta(days=days_ago), direction="out",
                            amount_cents=10_000, counterparty="AWS", category="software", source="manual",
                            ref=f"old-{i}")
    record_ledger_entry(session, occurred_at=now - timedelta(days=5), direction="out", amount_cents=11_100,
                        counterparty="AWS", category="software", source="manual", ref="new")
    session.commit()
    _ingest(session, charge_refunded("ch_1", amount_refunded=100))
    _process(session, settings)
    state = session.execute(text("SELECT state FROM graph_steps WHERE node = 'analyze_spend'")).scalar_one()
    assert (state["spend_30d_cents"], state["trailing_avg_cents"], state["spend_flagged"]) == (11_100, 10_000, True)
    assert any(p.dedupe_key.startswith("money:spend:") for p in _proposals(session))


def test_late_payment_failure_never_unpays_a_paid_invoice(session: Session, settings: Settings) -> None:
    iid = _invoice(session)
    _ingest(session, invoice_paid("in_a", amount=12_000, invoice_id=iid, created=BASE_CREATED + 100))
    _process(session, settings)
    _ingest(session, payment_failed("in_a", invoice_id=iid, created=BASE_CREATED))
    _process(session, settings)
    assert session.execute(text("SELECT status FROM invoices WHERE id = :i"), {"i": iid}).scalar_one() == "paid"
    [p] = _proposals(session)
    assert p.status == "expired"


def test_payment_after_a_failure_expires_the_pending_dunning_proposal(session: Session, settings: Settings) -> None:
    iid = _invoice(session)
    _ingest(session, payment_failed("in_a", invoice_id=iid))
    _process(session, settings)
    assert _proposals(session)[0].status == "pending"
    _ingest(session, checkout_completed("cs_1", invoice_id=iid, amount=12_000, created=BASE_CREATED + 50))
    _process(session, settings)
    [p] = _proposals(session)
    assert p.status == "expired"


def _final_state(session: Session) -> tuple:
    invoices = session.execute(text("SELECT id, status, paid_at FROM invoices ORDER BY id")).all()
    ledger = session.execute(text("SELECT direction, amount_cents, source, ref FROM ledger_entries "
                                  "ORDER BY source, ref")).all()
    proposals = session.execute(text(
        "SELECT p.dedupe_key, p.status, p.urgency, p.title, p.payload, e.dedupe_key AS event_key "
        "FROM action_proposals p LEFT JOIN events e ON e.id = p.event_id ORDER BY p.dedupe_key")).all()
    events = session.execute(text("SELECT dedupe_key, status FROM events ORDER BY dedupe_key")).all()
    return tuple(map(tuple, invoices)), tuple(map(tuple, ledger)), tuple(map(tuple, proposals)), tuple(events)


def test_events_in_any_order_and_repeated_reach_one_final_state(ctx: AppContext, settings: Settings,
                                                                owner_session) -> None:
    def scenario(iid: int) -> list[dict[str, Any]]:
        return [
            payment_failed("in_a", invoice_id=iid, attempt=1, created=BASE_CREATED),
            payment_failed("in_a", invoice_id=iid, attempt=2, amount_due=20_000, created=BASE_CREATED + 10),
            invoice_paid("in_a", amount=12_000, invoice_id=iid, created=BASE_CREATED + 20),
            payment_failed("in_b", attempt=1, created=BASE_CREATED + 5),
            charge_refunded("ch_1", amount_refunded=1_000, created=BASE_CREATED + 30),
        ]

    states = []
    orders = [(0, 1, 2, 3, 4), (4, 3, 2, 1, 0), (2, 0, 4, 1, 3), (1, 2, 0, 3, 4), (3, 2, 1, 4, 0)]
    for order in orders:
        owner_session.execute(text("TRUNCATE graph_steps, action_proposals, events, ledger_entries, invoices, "
                                   "customers RESTART IDENTITY CASCADE"))  # the owner's: the app may not truncate
        owner_session.commit()
        with ctx.sessions() as session:
            iid = _invoice(session)
            events = scenario(iid)
            for i in order:  # ingest and process one at a time: every processing order is exercised
                _ingest(session, events[i])
                _process(session, settings)
            for i in order:  # and every event again
                _ingest(session, events[i])
            _process(session, settings)
            states.append(_final_state(session))
    assert all(s == states[0] for s in states[1:])
    invoices, ledger, proposals, events_ = states[0]
    assert invoices[0][1] == "paid"
    assert [p[:2] for p in proposals] == [("money:dunning:in_a", "expired"), ("money:dunning:in_b", "pending"),
                                          ("money:refund:ch_1:1000", "pending")]
    assert all(status == "processed" for _, status in events_)
    assert list(itertools.chain(*[[r[3]] for r in ledger])) == ["ch_1:refunded:1000", "in_a"]
