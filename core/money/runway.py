"""Runway: months the cash balance lasts at the recent net burn. The one formula behind the canvas and alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from core.config.store import get_cash_balance
from core.money.figures import ledger_totals, net_profit_cents

# Burn is averaged over the trailing 90 days and scaled to a 30-day month.
RUNWAY_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Runway:
    """The cash balance, the trailing window's collected and spend, the monthly net burn and months of runway."""

    cash_balance_cents: int | None
    collected_cents: int
    spend_cents: int
    monthly_net_burn_cents: int
    months: float | None  # None: no cash balance set, or no net burn (revenue covers spend)

    @property
    def note(self) -> str:
        """One sentence on how the figure was made, or why there is none."""
        if self.cash_balance_cents is None:
            return "No cash balance set (settings key cash_balance_cents)."
        if self.monthly_net_burn_cents <= 0:
            return f"Revenue covers spend: no net burn over the last {RUNWAY_WINDOW_DAYS} days."
        return f"Cash balance divided by the average monthly net burn of the last {RUNWAY_WINDOW_DAYS} days."


def monthly_net_burn_cents(collected_cents: int, spend_cents: int) -> int:
    """Net burn (minus the net profit) of the trailing window per 30 days, rounded to the nearest cent."""
    return round(-net_profit_cents(collected_cents, spend_cents) * 30 / RUNWAY_WINDOW_DAYS)


def runway_months(cash_balance_cents: int | None, monthly_burn_cents: int) -> float | None:
    """Cash ÷ monthly net burn to one decimal; None without a balance or without a burn."""
    if cash_balance_cents is None or monthly_burn_cents <= 0:
        return None
    return round(cash_balance_cents / monthly_burn_cents, 1)


def estimate_runway(db: Session | Connection, now: datetime) -> Runway:
    """Read the cash balance and the trailing window's collected and spend, and compute the runway from them."""
    cash = get_cash_balance(db)
    window = ledger_totals(db, now - timedelta(days=RUNWAY_WINDOW_DAYS), now)
    burn = monthly_net_burn_cents(window.collected_cents, window.spend_cents)
    return Runway(cash, window.collected_cents, window.spend_cents, burn, runway_months(cash, burn))
