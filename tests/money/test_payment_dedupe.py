"""SPEC §17: one payment is one ledger row whichever of its Stripe events come, in any order; refunds are not
vendors, and paid revenue per customer is net of them. Events go through the signed webhook and the processor."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from core.agents.events import run_event_processor
from core.analytics import run_analytics
from core.app.stripe_webhook import webhook_routes
from core.config.context import AppContext
from core.money.ledger import record_ledger_entry
from tests.standins.http import serve_asgi
from tests.standins.stripe_events import (
    BASE_CREATED,
    charge_refunded,
    charge_succeeded,
    checkout_completed,
    invoice_paid,
    post_signed,
)

SECRET = "whsec_dedupe_secret"
PI = "pi_one_payment"
NOW = datetime.fromtimestamp(BASE_CREATED, tz=UTC)


@pytest.fixture
def hook(ctx: AppContext) -> Iterator[tuple[str, AppContext]]:
    settings = ctx.settings.model_copy(update={"stripe_webhook_secret": SecretStr(SECRET)})
    wctx = AppContext(settings=settings, engine=ctx.engine, sessions=ctx.sessions)
    with serve_asgi(Starlette(routes=webhook_routes(lambda: wctx))) as base:
        yield base, wctx


def _invoice(session: Session, amount: int = 12_000, company: str = "Acme") -> int:
    cid = session.execute(text("INSERT INTO customers (company, contact_email) VALUES (:c, 'ap@acme.test') "
                               "RETURNING id"), {"c": company}).scalar_one()
    iid = session.execute(text("INSERT INTO invoices (customer_id, amount_cents, status, sent_at) "
                               "VALUES (:c, :a, 'sent', now()) RETURNING id"), {"c": cid, "a": amount}).scalar_one()
    session.commit()
    return iid


def _one_payment(iid: int) -> list[dict[str, Any]]:
    return [
        checkout_completed("cs_1", invoice_id=iid, amount=12_000, payment_intent=PI),
        invoice_paid("in_1", amount=12_000, invoice_id=iid, payment_intent=PI, created=BASE_CREATED + 1),
        charge_succeeded("ch_1", amount=12_000, payment_intent=PI, invoice="in_1", created=BASE_CREATED + 2),
    ]


def _post_and_process(base: str, wctx: AppContext, session: Session, events: list[dict[str, Any]]) -> None:
    with httpx.Client(timeout=10) as client:
        for evt in events:  # each processed before the next arrives: the order is the processing order
            assert post_signed(client, base, SECRET, evt).status_code == 200
            run_event_processor(session, wctx.settings)


def _ledger(session: Session) -> list[tuple]:
    return [tuple(r) for r in session.execute(text(
        "SELECT direction, amount_cents, category, ref, counterparty, invoice_id FROM ledger_entries ORDER BY id"))]


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_one_payment_is_one_ledger_row_in_any_order_of_its_three_events(
        hook: tuple[str, AppContext], session: Session, order: tuple[int, ...]) -> None:
    base, wctx = hook
    iid = _invoice(session)
    events = _one_payment(iid)
    _post_and_process(base, wctx, session, [events[i] for i in order])
    assert _ledger(session) == [("in", 12_000, "revenue", PI, "Acme", iid)]
    assert session.execute(text("SELECT status FROM invoices WHERE id = :i"), {"i": iid}).scalar_one() == "paid"
    statuses = session.execute(text("SELECT DISTINCT status FROM events")).scalars().all()
    assert statuses == ["processed"]


def test_checkout_and_invoice_paid_for_one_payment_book_one_row(hook: tuple[str, AppContext],
                                                               session: Session) -> None:
    base, wctx = hook
    iid = _invoice(session)
    cs, paid, _ = _one_payment(iid)
    _post_and_process(base, wctx, session, [cs, paid, cs, paid])
    assert len(_ledger(session)) == 1


def test_two_payments_of_one_invoice_are_two_rows(hook: tuple[str, AppContext], session: Session) -> None:
    base, wctx = hook
    _post_and_process(base, wctx, session, [charge_succeeded("ch_a", amount=500, payment_intent="pi_a"),
                                           charge_succeeded("ch_b", amount=700, payment_intent="pi_b")])
    assert [(r[1], r[3]) for r in _ledger(session)] == [(500, "pi_a"), (700, "pi_b")]


def test_a_refund_is_booked_against_the_payment_and_is_no_vendor(hook: tuple[str, AppContext], ctx: AppContext,
                                                                 session: Session) -> None:
    base, wctx = hook
    iid = _invoice(session)
    record_ledger_entry(session, occurred_at=NOW, direction="out", amount_cents=3_000, counterparty="AWS",
                        category="software", source="manual", ref="aws-1")
    session.commit()
    _post_and_process(base, wctx, session, _one_payment(iid) + [
        charge_refunded("ch_1", amount_refunded=2_000, payment_intent=PI, created=BASE_CREATED + 3)])
    refund = _ledger(session)[-1]
    assert refund == ("out", 2_000, "revenue", "ch_1:refunded:2000", "Acme", iid)
    vendors = run_analytics(ctx.engine, "spend_by_vendor", {"period": "all_time"}, now=NOW).rows
    assert [(v["vendor"], v["spend_cents"]) for v in vendors] == [("AWS", 3_000)]


def test_paid_revenue_by_customer_is_net_of_refunds(hook: tuple[str, AppContext], ctx: AppContext,
                                                    session: Session) -> None:
    base, wctx = hook
    iid = _invoice(session)
    other = _invoice(session, amount=5_000, company="Globex")
    _post_and_process(base, wctx, session, _one_payment(iid) + [
        charge_refunded("ch_1", amount_refunded=2_000, payment_intent=PI, created=BASE_CREATED + 3),
        checkout_completed("cs_g", invoice_id=other, amount=5_000, payment_intent="pi_g")])
    rows = run_analytics(ctx.engine, "revenue_by_customer", {"status": "paid", "period": "all_time"}, now=NOW).rows
    assert [(r["customer"], r["paid_cents"], r["refunded_cents"], r["amount_cents"]) for r in rows] == [
        ("Acme", 12_000, 2_000, 10_000), ("Globex", 5_000, 0, 5_000)]
    invoiced = run_analytics(ctx.engine, "revenue_by_customer", {"period": "all_time"}, now=NOW).rows
    assert [(r["customer"], r["amount_cents"]) for r in invoiced] == [("Acme", 12_000), ("Globex", 5_000)]
