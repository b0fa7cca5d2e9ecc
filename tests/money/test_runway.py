"""Runway has one formula: the canvas and the Money graph's alert read the same months from the same data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from core.analytics import run_analytics
from core.audit import Actor
from core.config.store import set_cash_balance
from core.events.money_graph import check_runway
from core.events.processor import ReceivedEvent
from core.money.ledger import record_ledger_entry

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
FAILED = ReceivedEvent(1, "invoice.payment_failed", NOW, {"data": {"object": {"id": "in_1"}}})


def _spend(session, cents: int) -> None:
    record_ledger_entry(session, occurred_at=NOW - timedelta(days=5), direction="out", amount_cents=cents,
                        counterparty="AWS", category="software", source="manual", ref=f"aws-{cents}")


def test_canvas_and_money_graph_agree_where_floor_and_round_differ(ctx):
    with ctx.sessions() as session:
        _spend(session, 200)  # 200 over 90 days = 66.67 a month: floor 66 (15.2 months), round 67 (14.9 months)
        set_cash_balance(session, 1_000, Actor.user("op"))
        session.commit()
        state = check_runway(session, FAILED, NOW)
    (row,) = run_analytics(ctx.engine, "runway_estimate", {}, now=NOW).rows
    assert (row["monthly_net_burn_cents"], row["months_of_runway"]) == (67, 14.9)
    assert (state["monthly_burn_cents"], state["runway_months"]) == (67, 14.9)


def test_a_stored_cash_balance_that_is_not_cents_reads_as_unset_everywhere(ctx):
    with ctx.sessions() as session:
        _spend(session, 90_000)
        session.execute(text("INSERT INTO settings (key, value) VALUES ('cash_balance_cents', '\"lots\"')"))
        session.commit()
        state = check_runway(session, FAILED, NOW)
    (row,) = run_analytics(ctx.engine, "runway_estimate", {}, now=NOW).rows
    assert row["cash_balance_cents"] is None and row["months_of_runway"] is None
    assert state["cash_balance_cents"] is None and state["runway_months"] is None
