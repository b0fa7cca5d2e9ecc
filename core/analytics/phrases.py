"""Pure parsers for the parameters inside a question: period, grain, limit, invoice status, agent, customer."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "couple": 2, "pair": 2, "three": 3, "few": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "twenty-five": 25, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}
_NUM = r"(\d{1,4}|" + "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True)) + r")"
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_MON = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")"


def number(word: str) -> int | None:
    """An integer from digits or an English number word."""
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word)


def _month_end(year: int, month: int) -> date:
    first_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first_next - timedelta(days=1)


def _days_period(days: int, today: date) -> dict[str, Any]:
    standard = {7: "last_7_days", 30: "last_30_days", 31: "last_30_days", 28: "last_30_days", 90: "last_90_days",
                91: "last_90_days", 84: "last_90_days", 1: "last_7_days", 2: "last_7_days"}
    if days in standard:
        return {"period": standard[days]}
    return {"start": today - timedelta(days=max(days, 1) - 1)}


def _month_period(year: int, month: int, today: date) -> dict[str, Any]:
    if (year, month) == (today.year, today.month):
        return {"period": "this_month"}
    prev = today.replace(day=1) - timedelta(days=1)
    if (year, month) == (prev.year, prev.month):
        return {"period": "last_month"}
    return {"start": date(year, month, 1), "end": _month_end(year, month)}


def _infer_year(month: int, today: date) -> int:
    # "since October" in June means last October: a named month never lies in the future.
    return today.year if month <= today.month else today.year - 1


_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "quarter": 90, "year": 365}


_QUARTER_WORDS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


def _quarter_period(q: int, year: int | None, today: date) -> dict[str, Any]:
    if year is None:  # "Q3" is the latest Q3 that has begun
        year = today.year if 3 * (q - 1) + 1 <= today.month else today.year - 1
    end_month = 3 * q
    return {"start": date(year, end_month - 2, 1), "end": _month_end(year, end_month)}


def _day_period(day: date, today: date) -> dict[str, Any]:
    if day == today:
        return {"period": "today"}
    if day == today - timedelta(days=1):
        return {"period": "yesterday"}
    return {"start": day, "end": day}


def _named_day(month: int, day: int, year: str | None, today: date) -> date | None:
    try:
        named = date(int(year) if year else today.year, month, day)
        if not year and named > today:  # "on Dec 20" in June is last December
            named = named.replace(year=today.year - 1)
    except ValueError:
        return None
    return named


def _quarters_and_days(t: str, today: date) -> dict[str, Any]:
    """Quarters ("Q3", "Q3 2025", "last quarter"), single days ("yesterday", "on Nov 3") and year to date."""
    if re.search(r"\b(year[- ]to[- ]date|ytd|so far this year)\b", t):
        return {"period": "ytd"}
    m = re.search(r"\bq([1-4])(?:\s+(?:of\s+)?(20\d\d))?\b", t) or re.search(
        r"\b(first|second|third|fourth|1st|2nd|3rd|4th) quarter(?:\s+(?:of\s+)?(20\d\d))?\b", t)
    if m:
        q = int(m.group(1)) if m.group(1).isdigit() else _QUARTER_WORDS[m.group(1)]
        return _quarter_period(q, int(m.group(2)) if m.group(2) else None, today)
    if re.search(r"\b(last|previous|prior) (calendar )?quarter\b", t):
        return {"period": "last_quarter"}
    if re.search(r"\b(this|current) quarter\b|\bquarter to date\b|\bqtd\b", t):
        return {"period": "this_quarter"}
    if re.search(r"\byesterday\b", t):
        return {"period": "yesterday"}
    if re.search(r"\b(today|tonight|this morning|so far today)\b", t):
        return {"period": "today"}
    m = re.search(r"\bon\s+(\d{4})-(\d{2})-(\d{2})\b", t)
    if m:
        try:
            return _day_period(date(int(m.group(1)), int(m.group(2)), int(m.group(3))), today)
        except ValueError:
            return {}
    m = re.search(r"\bon\s+(?:the\s+)?" + _MON + r"\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?", t)
    if m and (day := _named_day(MONTHS[m.group(1)], int(m.group(2)), m.group(3), today)):
        return _day_period(day, today)
    m = re.search(r"\bon\s+(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MON + r"\b(?:,?\s+(\d{4}))?", t)
    if m and (day := _named_day(MONTHS[m.group(2)], int(m.group(1)), m.group(3), today)):
        return _day_period(day, today)
    return {}


_ORDINAL_DAY = r"(?:(\d{1,2})(?:st|nd|rd|th)|(first))"


def _fiscal_and_day_of_month(t: str, today: date) -> dict[str, Any]:
    """Fiscal years ("this fiscal year", "last FY") and a day of the month ("since the 1st", "since the 15th",
    "since the 1st of March": a named month's day is a start date, never a future one)."""
    if re.search(r"\b(last|previous|prior) (fiscal year|financial year|fy)\b", t):
        return {"period": "last_fiscal_year"}
    if re.search(r"\b(this|current) (fiscal year|financial year|fy)\b|\bfiscal year to date\b|\bfytd\b"
                 r"|\b(fiscal|financial) year\b", t):
        return {"period": "this_fiscal_year"}
    m = re.search(r"\bsince (?:the )?" + _ORDINAL_DAY + r"\s+(?:of\s+)?" + _MON + r"\b(?:,?\s+(\d{4}))?", t)
    if m and (day := _named_day(MONTHS[m.group(3)], 1 if m.group(2) else int(m.group(1)), m.group(4), today)):
        return {"start": day}
    m = re.search(r"\bsince (?:the )?" + _ORDINAL_DAY + r"\b(?! (?:of )?" + _MON + r")", t)
    if m:
        day = 1 if m.group(2) else int(m.group(1))
        if day == 1:
            return {"period": "this_month"}
        if 1 < day <= 31:
            month_start = today.replace(day=1)
            if day > today.day:  # "since the 20th" on the 15th is last month's 20th
                month_start = (month_start - timedelta(days=1)).replace(day=1)
            try:
                return {"start": month_start.replace(day=day)}
            except ValueError:
                return {"start": _month_end(month_start.year, month_start.month)}
    return {}


def parse_period(text: str, today: date) -> dict[str, Any]:
    """Period parameters meant by `text` ({} when none): a named period or explicit start/end dates."""
    t = text
    if found := _fiscal_and_day_of_month(t, today):
        return found
    if found := _quarters_and_days(t, today):
        return found
    if re.search(r"\b(this year|current year|this calendar year)\b", t):
        return {"period": "this_year"}
    if re.search(r"\b(month[- ]to[- ]date|mtd|this month|so far this month|current month|this calendar month)\b", t):
        return {"period": "this_month"}
    m = re.search(r"\b(last|past|previous|prior|trailing|recent|over the|in the|within the|the)\s+" + _NUM
                  + r"\s+(days?|weeks?|months?|quarters?|years?)\b", t)
    if m:
        n = number(m.group(2)) or 1
        unit = m.group(3).rstrip("s")
        return _days_period(n * _UNIT_DAYS[unit], today)
    m = re.search(r"\b(?:between|from)\s+" + _MON + r"(?:\s+(\d{4}))?\s+(?:and|to|through|until|till|-)\s+" + _MON
                  + r"(?:\s+(\d{4}))?", t)
    if m:
        m1, m2 = MONTHS[m.group(1)], MONTHS[m.group(3)]
        y2 = int(m.group(4)) if m.group(4) else _infer_year(m2, today)
        y1 = int(m.group(2)) if m.group(2) else (y2 if m1 <= m2 else y2 - 1)
        return {"start": date(y1, m1, 1), "end": min(_month_end(y2, m2), today)}
    m = re.search(r"\bsince\s+(\d{4})-(\d{2})-(\d{2})\b", t)
    if m:
        return {"start": date(int(m.group(1)), int(m.group(2)), int(m.group(3)))}
    m = re.search(r"\bsince\s+(?:the\s+(?:start|beginning)\s+of\s+)?" + _MON + r"(?:\s+(\d{1,2})(?:st|nd|rd|th)?)?"
                  r"(?:,?\s+(\d{4}))?\b", t)
    if m:
        month = MONTHS[m.group(1)]
        year = int(m.group(3)) if m.group(3) else _infer_year(month, today)
        return {"start": date(year, month, int(m.group(2)) if m.group(2) and int(m.group(2)) <= 28 else 1)}
    m = re.search(r"\bsince\s+(\d{4})\b", t)
    if m:
        return {"start": date(int(m.group(1)), 1, 1)}
    if re.search(r"\bsince (the )?(start|beginning) of (the )?year\b", t):
        return {"period": "this_year"}
    if re.search(r"\bsince (the )?(start|beginning) of (the )?month\b", t):
        return {"period": "this_month"}
    m = re.search(r"\b(?:in|during|for|of|over|throughout)\s+(?:the\s+month\s+of\s+)?" + _MON + r"(?:\s+(\d{4}))?\b", t)
    if m and not (m.group(1) == "may" and not m.group(2) and re.search(r"\bmay (i|we|you)\b", t)):
        month = MONTHS[m.group(1)]
        year = int(m.group(2)) if m.group(2) else _infer_year(month, today)
        return _month_period(year, month, today)
    if re.search(r"\b(last|previous|prior) year\b", t):
        return {"start": date(today.year - 1, 1, 1), "end": date(today.year - 1, 12, 31)}
    m = re.search(r"\b(?:in|during|for|of|over|throughout)\s+(?:the\s+year\s+)?(20\d\d)\b", t)
    if m:
        year = int(m.group(1))
        return {"period": "this_year"} if year == today.year else {"start": date(year, 1, 1),
                                                                    "end": date(year, 12, 31)}
    if re.search(r"\b(last|previous|prior) (calendar )?month\b", t):
        return {"period": "last_month"}
    if re.search(r"\b(past|trailing|recent|over the last|in the last|during the last|within the last) month\b", t):
        return {"period": "last_30_days"}
    if re.search(r"\b(last|past|previous|prior|this|current) (week|7 days)\b|\bthe weekend\b|\bthese days\b"
                 r"|\blately\b", t):
        return {"period": "last_7_days"}
    if re.search(r"\b(past|recent|trailing) quarter\b", t):
        return {"period": "last_90_days"}
    if re.search(r"\b(recently|recent)\b", t):
        return {"period": "last_30_days"}
    if re.search(r"\b(all[- ]time|ever|overall|lifetime|since inception|in total|total|to date|of all time"
                 r"|historically|entire history|all history|since (the )?(beginning|start|launch|day one)"
                 r"|since we (started|began|launched|opened)|from the (start|beginning))\b", t):
        return {"period": "all_time"}
    return {}


_GRAIN_PATTERNS = (
    ("day", r"\b(daily|per day|by day|each day|every day|day by day|day[- ]over[- ]day|by the day|day-by-day"
            r"|on a daily basis|a day|per-day|dailies|days?)\b"),
    ("week", r"\b(weekly|per week|by week|each week|every week|week by week|week[- ]over[- ]week|by the week"
             r"|week-by-week|on a weekly basis|per-week|wow)\b"),
    ("month", r"\b(monthly|per month|by month|each month|every month|month by month|month[- ]over[- ]month"
              r"|by the month|month-by-month|on a monthly basis|per-month|per calendar month)\b"),
)


def parse_grain(text: str) -> str | None:
    """day/week/month when the question asks for a time grain, else None."""
    hits = []
    for grain, pattern in _GRAIN_PATTERNS:
        for m in re.finditer(pattern, text):
            # A bare "day(s)" is not a grain ("last 30 days" is a period).
            if not (grain == "day" and m.group(1) in ("day", "days")):
                hits.append((m.start(), grain))
                break
    return min(hits)[1] if hits else None


# Either end of a ranking: "top 5", "bottom 3", "ten biggest", "2 least profitable".
_LIMIT_AFTER = (r"\b(?:top|best|biggest|largest|highest|leading|main|major|worst|first|most|bottom|lowest)\s*[- ]?\s*"
                + _NUM + r"\b")
_LIMIT_BEFORE = (r"\b" + _NUM + r"\s+(?:top|best|biggest|largest|highest|leading|main|major|most|costliest"
                 r"|priciest|largest|greatest|heaviest|worst|largest|most expensive|most valuable|least|lowest|bottom"
                 r"|smallest)\b")
_TIME_UNIT_AFTER = r"\s*(days?|weeks?|months?|quarters?|years?)\b"


def parse_limit(text: str) -> int | None:
    """N of "top N", "best three", "ten biggest", "limit 20" (1..100), else None."""
    for pattern in (_LIMIT_AFTER, _LIMIT_BEFORE, r"\blimit(?:ed)?\s+(?:to\s+)?" + _NUM + r"\b",
                    r"\b(?:show|list|give|get|name)\s+(?:me\s+)?(?:the\s+|our\s+)?" + _NUM
                    + r"\s+(?:customers|clients|accounts|buyers|vendors|suppliers|companies|payees)\b",
                    r"\b" + _NUM + r"\s+(?:customers|clients|accounts|buyers|payers|vendors|suppliers|companies|payees|"
                    r"expenses|costs)\b"):
        for m in re.finditer(pattern, text):
            if re.match(_TIME_UNIT_AFTER, text[m.end():]):
                continue
            n = number(m.group(1))
            if n is not None and m.group(1) not in ("a", "an"):
                return max(1, min(100, n))
    return None


def parse_invoice_status(text: str) -> str | None:
    """paid / draft / void / invoiced when the question names one."""
    if re.search(r"\b(paid|collected|received|cash in|settled)\b", text) and not re.search(r"\bunpaid\b", text):
        return "paid"
    if re.search(r"\bdrafts?\b", text):
        return "draft"
    if re.search(r"\bvoid(ed)?\b", text):
        return "void"
    if re.search(r"\b(billed|invoiced)\b", text):
        return "invoiced"
    return None


AGENT_PATTERNS = (
    ("ops_batch", r"\bops_batch\b|\bops batch\b|\bops pool\b"),
    ("bizdev", r"\b(bizdev|biz[- ]dev|business development|prospecting|outreach) (agent|bot|runs?)\b|\bbizdev\b"),
    ("onboarding", r"\bonboarding\b"),
    ("ops", r"\b(ops|operations|task) (agent|bot|worker|runs?)\b|\bops\b"),
    ("billing", r"\bbilling (agent|bot|runs?)\b|\b(agents?|bots?|runs?|health)\b.{0,40}\b(for|of) (the )?billing\b"),
    ("executor", r"\bexecutor\b"),
    ("events", r"\bevents? (processor|agent)\b"),
)


def parse_agent(text: str) -> str | None:
    """The agent a question names, if any."""
    for name, pattern in AGENT_PATTERNS:
        if re.search(pattern, text):
            return name
    return None


def parse_customer(text: str, customer_names: tuple[str, ...] | list[str]) -> int | str | None:
    """A known customer name (longest match) or 'customer 12' id mentioned in the question."""
    m = re.search(r"\bcustomer\s*(?:id\s*|#\s*|number\s*)?(\d{1,12})\b", text)
    if m:
        return int(m.group(1))
    return name_in(text, customer_names)


def name_in(text: str, names: tuple[str, ...] | list[str]) -> str | None:
    """The longest of `names` the question mentions, its possessive too ("milo's", "milos"), else None."""
    for name in sorted({n for n in names if n and n.strip()}, key=len, reverse=True):
        if re.search(r"(?<!\w)" + re.escape(name.lower().strip()) + r"(?:'s|s'|s)?(?!\w)", text):
            return name
    return None
