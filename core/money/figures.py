"""The one owner of each money figure (SPEC §17, §18); core.money.words says what each word means, and decides.

- **profit** of one task: reward − its LLM cost, never below zero (`profit_cents`); the completing statement
  stores it in `tasks.profit_cents` as a bound parameter (core/ops/sql.py), and the daily rollups sum that column.
- **gross margin**: earned − LLM cost, both of *done* tasks (`gross_margin_cents`). A task that failed, is held or
  still runs earned nothing, so its cost is spend (below), not margin; per-task profit is floored, margin is not.
- **collected** and **spend**: per ledger row, the `ledger_money` view's `collected_cents` (money in, minus revenue
  going back out: refunds, disputes) and `spend_cents` (every other outgoing row: LLM, software, payroll, fees,
  other). The view is the only SQL definition of either; SQL that needs them sums its columns, and Python reads a
  window's totals through `ledger_totals`.
- **net profit**: collected − all spend in the ledger (`net_profit_cents`); computed here only, never in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from core.money import sql


def profit_cents(reward_cents: int, cost: int) -> int:
    """A task's profit never goes below zero: max(reward - cost, 0)."""
    return max(reward_cents - cost, 0)


def gross_margin_cents(earned_cents: int, done_cost_cents: int) -> int:
    """Earned (rewards of done tasks) − the LLM cost of those done tasks; the caller sums both over done tasks."""
    return earned_cents - done_cost_cents


def net_profit_cents(collected_cents: int, spend_cents: int) -> int:
    """Collected − all spend in the ledger (both as the ledger_money view defines them)."""
    return collected_cents - spend_cents


@dataclass(frozen=True)
class LedgerTotals:
    """A window's collected and spend (the ledger_money view's columns, summed), and its net profit."""

    collected_cents: int
    spend_cents: int

    @property
    def net_profit_cents(self) -> int:
        return net_profit_cents(self.collected_cents, self.spend_cents)


def ledger_totals(db: Session | Connection, start: datetime, end: datetime) -> LedgerTotals:
    """Collected and spend of the ledger rows with occurred_at in [start, end) (core.money.sql.LEDGER_TOTALS)."""
    row = db.execute(sql.LEDGER_TOTALS, {"start": start, "end": end}).one()
    return LedgerTotals(int(row.collected_cents), int(row.spend_cents))
