"""Money is integer cents everywhere; this is the one place that turns cents into text or dollars for people."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def dollars(cents: int | None) -> str:
    """1234 -> '$12.34', -5 -> '-$0.05', None -> '—' (integer arithmetic: no float rounding)."""
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    return f"{sign}${whole:,}.{part:02d}"


def amount_text(cents: int | None) -> str:
    """The editable text of an amount: 1250 -> '12.50', None -> '' (what parse_cents reads back)."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    return f"{sign}{whole}.{part:02d}"


def to_dollars(cents: Any) -> Any:
    """Cents as a dollar number for a number input, or a pandas column of cents for a table or chart; None stays None."""
    return None if cents is None else cents / 100


def cents_from_dollars(amount: float | Decimal | str) -> int:
    """A dollar amount from a number input as whole cents, rounded half up (12.345 -> 1235)."""
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
