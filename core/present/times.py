"""Times as a person reads them: relative ('3 minutes ago', 'in 2 hours') and local ('Sep 14, 2026 09:30')."""

from __future__ import annotations

from datetime import date, datetime, timezone, tzinfo
from zoneinfo import ZoneInfo

EMPTY = "—"


def _zone(tz: str | tzinfo | None) -> tzinfo:
    if tz is None:
        return timezone.utc
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def local_time(at: datetime | date | None, tz: str | tzinfo | None = None) -> str:
    """'Sep 14, 2026 09:30' in `tz` (UTC unless given; the zone's abbreviation after it); a date: 'Sep 14, 2026'."""
    if at is None:
        return EMPTY
    if not isinstance(at, datetime):
        return f"{at:%b} {at.day}, {at.year}"
    aware = at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)
    local = aware.astimezone(_zone(tz))
    if local.hour == 0 and local.minute == 0 and local.second == 0:
        return f"{local:%b} {local.day}, {local.year}"
    return f"{local:%b} {local.day}, {local.year} {local:%H:%M} {local.tzname() or ''}".rstrip()


def day_label(at: datetime | date | None) -> str:
    """A chart bucket or a day: 'Sep 14' (never '2026-09-14 00:00:00+00:00')."""
    if at is None:
        return EMPTY
    return f"{at:%b} {at.day}"


def _span(seconds: float) -> str:
    for size, unit in ((86400 * 365, "year"), (86400 * 30, "month"), (86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'' if n == 1 else 's'}"
    return ""


def relative(at: datetime | None, now: datetime | None = None) -> str:
    """'3 minutes ago', 'in 2 hours', 'just now' (under a minute either way); None → '—'."""
    if at is None:
        return EMPTY
    aware = at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)
    delta = ((now or datetime.now(timezone.utc)) - aware).total_seconds()
    span = _span(abs(delta))
    if not span:
        return "just now"
    return f"{span} ago" if delta > 0 else f"in {span}"


def when(at: datetime | None, now: datetime | None = None, tz: str | tzinfo | None = None) -> str:
    """Relative and local together: '3 hours ago (Sep 14, 2026 09:30 UTC)'."""
    if at is None:
        return EMPTY
    return f"{relative(at, now)} ({local_time(at, tz)})"
