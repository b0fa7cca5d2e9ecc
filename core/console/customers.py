"""The Customers page's read model (SPEC §13): each customer's month on its plan, and one customer in detail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from core.console import sql
from core.errors import NotFound
from core.plans.budgets import budget_lines, projected_month_end
from core.plans.catalogue import PlanChangeRow, plan_history
from core.plans.roi import plan_usage_rows, roi_rows


@dataclass(frozen=True)
class CustomerLine:
    """One customer this month (UTC): plan, usage against the cap, held, LLM spend, earned, margin, ROI."""

    customer_id: int
    company: str
    plan: str
    used: int
    cap: int | None
    held: int
    spend_cents: int
    earned_cents: int
    margin_cents: int
    value_cents: int
    net_value_cents: int
    subscription_status: str | None
    budget_cents: int | None
    projected_spend_cents: int

    @property
    def usage_fraction(self) -> float | None:
        """Used / cap for the usage bar (None: unlimited)."""
        return None if self.cap is None else (1.0 if self.cap == 0 else min(self.used / self.cap, 1.0))


@dataclass(frozen=True)
class CustomerDetail:
    """One customer: its head row, latest tasks and invoices, and plan history."""

    head: dict[str, Any]
    tasks: list[dict[str, Any]]
    invoices: list[dict[str, Any]]
    history: tuple[PlanChangeRow, ...]


def _month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def customer_lines(session: Session, *, limit: int = 500, now: datetime | None = None) -> list[CustomerLine]:
    """Every customer (up to `limit`) with this month's usage, spend, earned, margin and ROI (net value)."""
    now = now or datetime.now(timezone.utc)
    roi = {r["customer_id"]: r for r in roi_rows(session, _month_start(now), now, limit=limit)}
    out = []
    for u in plan_usage_rows(session, limit=limit):
        r = roi.get(u["customer_id"], {})
        out.append(CustomerLine(
            u["customer_id"], u["customer"], u["plan"], u["used"], u["cap"], u["held"], u["spend_cents"],
            u["earned_cents"], u["gross_margin_cents"], r.get("value_cents", 0), r.get("net_value_cents", 0),
            u["subscription_status"], u["monthly_budget_cents"], projected_month_end(u["spend_cents"], now)))
    session.rollback()  # read-only: no transaction left open behind a page
    return out


def customer_detail(session: Session, customer_id: int, *, limit: int = 50) -> CustomerDetail:
    """The detail view of one customer; NotFound for an unknown id."""
    head = session.execute(sql.CUSTOMER_HEAD, {"customer_id": customer_id}).mappings().one_or_none()
    if head is None:
        raise NotFound(f"customer {customer_id} not found")
    params = {"customer_id": customer_id, "limit": limit}
    detail = CustomerDetail(dict(head), [dict(r) for r in session.execute(sql.CUSTOMER_TASKS, params).mappings()],
                            [dict(r) for r in session.execute(sql.CUSTOMER_INVOICES, params).mappings()],
                            plan_history(session, customer_id))
    session.rollback()
    return detail


__all__ = ["CustomerDetail", "CustomerLine", "budget_lines", "customer_detail", "customer_lines"]
