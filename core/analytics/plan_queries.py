"""The whitelisted plan queries of SPEC §13 (ROI by customer, plan usage, MRR): the formulas are core.plans.roi's;
this module only adapts them to the canvas's (connection, params, window, cap) shape."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from core.analytics.params import NoParams, PeriodParams, Window
from core.plans.roi import mrr_rows, plan_usage_rows, roi_rows

Rows = list[dict[str, Any]]


def roi_by_customer(conn: Connection, p: PeriodParams, w: Window, cap: int, now: datetime | None = None) -> Rows:
    """Per customer, done tasks in the period: time saved, its value at the hourly rate, LLM cost, net value."""
    rows = roi_rows(conn, w.start, w.end, limit=cap)
    return sorted(rows, key=lambda r: (-r["net_value_cents"], r["customer"]))


def plan_usage(conn: Connection, p: NoParams, w: Window, cap: int, now: datetime | None = None) -> Rows:
    """Per customer this month: plan, tasks used, the cap, what is left, held tasks."""
    return [{k: r[k] for k in ("customer_id", "customer", "plan", "used", "cap", "left", "held")}
            for r in plan_usage_rows(conn, limit=cap)]


def mrr(conn: Connection, p: NoParams, w: Window, cap: int, now: datetime | None = None) -> Rows:
    """Monthly recurring revenue per plan from paying subscriptions."""
    return mrr_rows(conn)[:cap]
