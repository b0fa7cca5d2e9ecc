"""What a question asks beyond its function: money words (core.money.words), a total, a comparison, an order."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from core.analytics import phrases
from core.money.words import SYNONYMS

# The function that answers each console word (core.money.words.SYNONYMS's values).
WORD_FUNCTIONS: dict[str, str] = {
    "earned": "profit_over_time", "invoiced": "revenue_by_customer", "collected": "profit_and_loss",
    "LLM cost": "llm_cost_over_time", "gross margin": "profit_over_time", "net profit": "profit_and_loss",
    "receivables": "receivables", "net burn": "burn_rate",
}
SYNONYM_WEIGHT = 3.0
_SYNONYMS = [(re.compile(r"(?<![\w/&])" + re.escape(word) + r"(?![\w/&])"), WORD_FUNCTIONS[meant])
             for word, meant in SYNONYMS.items()]


def synonym_scores(text: str) -> dict[str, float]:
    """Extra score per function for the money words a question uses (each console word counted once)."""
    found: dict[str, float] = {}
    for pattern, function in _SYNONYMS:
        if pattern.search(text):
            found[function] = SYNONYM_WEIGHT
    return found


_TOTAL = re.compile(
    r"\b(total|in total|altogether|sum of|overall amount|how much|what (was|is|were|are|'s) (our|the) "
    r"(total )?(revenue|income|sales|earnings|spend|spending|profit|net profit|gross margin|margin|collected|"
    r"burn|llm cost|ai cost))\b")
_RANKED = re.compile(r"\b(top|each|every|per|which|who|rank\w*|biggest|largest|by (customer|client|vendor|worker|"
                     r"day|week|month)|daily|weekly|monthly|trend|over time)\b")


def wants_total(text: str) -> bool:
    """A question asking for one figure ("what was our revenue last month", "how much did we collect")."""
    return _TOTAL.search(text) is not None and _RANKED.search(text) is None


_VERSUS = re.compile(r"\s(?:vs\.?|versus|compared (?:to|with)|against|relative to)\s(?=.*\b(?:last|previous|"
                     r"prior|this|same)\b)")


def split_comparison(text: str, today: date) -> tuple[str, str | None]:
    """The part of `text` before a comparison and what it compares with: a named period, 'previous' or None."""
    m = _VERSUS.search(text)
    if not m:
        return text, None
    before, after = text[:m.start()], text[m.end():]
    mine, theirs = phrases.parse_period(before, today), phrases.parse_period(after, today)
    other = theirs.get("period")
    if other is None:
        return (before, "previous") if re.search(r"\b(last|previous|prior)\b", after) else (text, None)
    if other == mine.get("period", "last_30_days") or re.search(r"\b(the )?(period|one) before\b", after):
        return before, "previous"
    return before, other


_PROFITABLE = re.compile(
    r"\b(most|least|more|less)\s+profitable\b|\bprofitab(le|ility)\b.{0,40}\b(customers?|clients?|accounts?)\b"
    r"|\b(customers?|clients?|accounts?)\b.{0,40}\b(profitab\w*|profits?|margins?)\b"
    r"|\b(profit(s|ability)?|p ?& ?l|pnl|net income)\s+(by|per|for each)\s+(customer|client|account)\b")
_LEAST = re.compile(r"\b(least|lowest|worst|bottom|less|unprofitable)\b")


def profitability(text: str) -> bool:
    """A ranking of customers by profit ("most profitable customer", "rank clients by margin")."""
    return _PROFITABLE.search(text) is not None


def order_of(text: str) -> str | None:
    """'least' when the question asks for the bottom of a ranking."""
    return "least" if _LEAST.search(text) else None


def extra_params(name: str, fields: Any, text: str, today: date) -> dict[str, Any]:
    """The total and order params a question states, for the functions that take them."""
    params: dict[str, Any] = {}
    if "total" in fields and wants_total(text):
        params["total"] = True
    if "order" in fields and (order := order_of(text)):
        params["order"] = order
    return params
