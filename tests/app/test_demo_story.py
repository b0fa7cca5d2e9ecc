"""Demo data tells a believable story (SPEC §21): paid plans have subscriptions, MRR is not zero, revenue and spend
are of the same order."""

from __future__ import annotations

from sqlalchemy import text

from core.app.demo import seed_demo
from core.console.control_room import headline_metrics
from core.plans.roi import mrr_rows


def test_every_customer_on_a_paid_plan_has_a_subscription_and_mrr_is_not_zero(session) -> None:
    seed_demo(session)
    unsubscribed = session.execute(text(
        "SELECT count(*) FROM customers c JOIN plans p ON p.name = c.plan "
        "WHERE p.monthly_price_cents > 0 AND c.subscription_status IS DISTINCT FROM 'active'")).scalar_one()
    assert unsubscribed == 0
    assert sum(r["mrr_cents"] for r in mrr_rows(session)) > 0


def test_enterprise_is_a_few_customers_not_the_most(session) -> None:
    seed_demo(session)
    counts = dict(session.execute(text("SELECT plan, count(*) FROM customers GROUP BY plan")).all())
    assert counts.get("enterprise", 0) < counts.get("starter", 0)


def test_earned_collected_and_spend_are_of_the_same_order(session) -> None:
    seed_demo(session)
    m = headline_metrics(session)
    assert m.earned_cents * 10 > m.spend_cents and m.collected_cents * 5 > m.spend_cents
    assert m.earned_cents > 100_000  # earned is thousands of dollars, not $136
