"""Unit economics per customer (SPEC §13): ROI, the month's plan usage, and MRR — the one owner of each formula;
the canvas and the Customers page both read them here (through a session or the canvas's read-only connection)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.config.store import Reader, get_roi_hourly_rate_cents
from core.money.figures import gross_margin_cents
from core.plans import sql

Rows = list[dict[str, Any]]


def value_cents(time_saved_minutes: int, hourly_rate_cents: int) -> int:
    """What the time saved is worth: minutes × hourly rate / 60, in whole cents (rounded down)."""
    return time_saved_minutes * hourly_rate_cents // 60


def roi_rows(db: Reader, start: datetime, end: datetime, *, limit: int = 1000) -> Rows:
    """Per customer with done tasks in [start, end): done tasks, time saved, value, LLM cost, net value (value −
    LLM cost), earned and gross margin (earned − LLM cost)."""
    rate = get_roi_hourly_rate_cents(db)
    out = []
    for r in db.execute(sql.ROI_BY_CUSTOMER, {"start": start, "end": end, "limit": limit}).mappings():
        minutes, cost, earned = int(r["time_saved_minutes"]), int(r["llm_cost_cents"]), int(r["earned_cents"])
        value = value_cents(minutes, rate)
        out.append({"customer_id": r["customer_id"], "customer": r["customer"], "plan": r["plan"],
                    "done_tasks": int(r["done_tasks"]), "time_saved_hours": round(minutes / 60, 2),
                    "value_cents": value, "llm_cost_cents": cost, "net_value_cents": value - cost,
                    "earned_cents": earned, "gross_margin_cents": gross_margin_cents(earned, cost),
                    "hourly_rate_cents": rate})
    return out


def plan_usage_rows(db: Reader, *, limit: int = 1000) -> Rows:
    """Per customer this month (UTC): plan, tasks used against the cap (None: unlimited), left, held, LLM spend
    (every task's cost this month, what the budget caps count), earned, the LLM cost of the done tasks earned and
    gross margin (earned − that cost; a failed task's cost is spend, never margin)."""
    out = []
    for r in db.execute(sql.PLAN_USAGE, {"limit": limit}).mappings():
        used, cap = int(r["used"]), r["cap"]
        spend, earned, done_cost = int(r["spend_cents"]), int(r["earned_cents"]), int(r["done_cost_cents"])
        out.append({"customer_id": r["customer_id"], "customer": r["customer"], "plan": r["plan"], "used": used,
                    "cap": cap, "left": None if cap is None else max(cap - used, 0), "held": int(r["held"]),
                    "subscription_status": r["subscription_status"], "monthly_budget_cents": r["monthly_budget_cents"],
                    "spend_cents": spend, "earned_cents": earned, "llm_cost_cents": done_cost,
                    "gross_margin_cents": gross_margin_cents(earned, done_cost)})
    return out


def mrr_rows(db: Reader) -> Rows:
    """Per plan: monthly price, customers on it, paying subscriptions (active or past due) and their MRR."""
    return [{"plan": r["plan"], "price_cents": int(r["price_cents"]), "customers": int(r["customers"]),
             "subscribed": int(r["subscribed"]), "mrr_cents": int(r["mrr_cents"])}
            for r in db.execute(sql.MRR).mappings()]
