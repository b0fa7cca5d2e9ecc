"""Money is integer cents everywhere; this is the one place that turns cents into text for people."""

from __future__ import annotations


def dollars(cents: int | None) -> str:
    """1234 -> '$12.34', -5 -> '-$0.05', None -> '—' (integer arithmetic: no float rounding)."""
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    return f"{sign}${whole:,}.{part:02d}"
