"""Labels, status words with a colour, and values as words: what a table header, a badge or a cell shows."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from core.money.cents import dollars

EMPTY = "—"  # what a missing value shows (never "None")

# Column and key names whose words are not just their parts (the rest: underscores to spaces, the first letter up).
_LABELS: dict[str, str] = {
    "id": "#", "llm": "LLM", "mrr": "MRR", "roi": "ROI", "url": "Link", "api": "API", "sla": "SLA",
    "p50": "Median", "p90": "90th percentile", "to": "To", "cc": "Cc", "task_id": "Task", "customer_id": "Customer",
    "invoice_id": "Invoice", "proposal_id": "Proposal", "agent": "Worker", "created_at": "Created",
    "updated_at": "Updated", "completed_at": "Completed", "decided_at": "Decided", "decided_by": "Decided by",
    "paid_at": "Paid", "sent_at": "Sent", "fired_at": "Fired", "last_error": "Error", "action_type": "Action",
    "stripe_price_id": "Stripe price", "subscription_status": "Subscription", "needs_review": "Needs review",
    "ts": "When", "started_at": "Started", "finished_at": "Finished", "run_after": "Starts",
    "monthly_task_cap": "Monthly tasks", "tokens_in": "Tokens in", "tokens_out": "Tokens out",
}
# Parts that read as another word in a label (amount_cents → "Amount"; gmail_draft → "Gmail draft").
_PART_WORDS: dict[str, str] = {"cents": "", "llm": "LLM", "id": "", "mrr": "MRR", "roi": "ROI", "api": "API",
                               "url": "link", "pct": "%", "stripe": "Stripe", "gmail": "Gmail", "slack": "Slack",
                               "google": "Google", "ops": "Ops", "bizdev": "BizDev", "sla": "SLA"}


def label(name: str) -> str:
    """A column or key name in words: 'amount_cents' → 'Amount', 'needs_review' → 'Needs review', 'id' → '#'."""
    if name in _LABELS:
        return _LABELS[name]
    parts = [_PART_WORDS.get(p, p) for p in re.split(r"[_\s]+", name.strip()) if p]
    words = " ".join(p for p in parts if p) or name
    return words[0].upper() + words[1:] if words else EMPTY


@dataclass(frozen=True)
class StatusWord:
    """A status as a person reads it: its word, and the colour of its badge (green, blue, orange, red, grey)."""

    text: str
    colour: str


# Every status of every entity (db.statuses) in words; those not named read as their words with the colour below.
_STATUS_TEXT: dict[str, str] = {
    "needs_review": "Waiting for review", "held": "Held (over the plan's cap)", "qualified_candidate": "Likely fit",
    "executing": "Going out", "executed": "Done", "superseded": "Replaced by a new version", "needs_reconnect":
    "Needs reconnecting", "past_due": "Past due", "incomplete_expired": "Expired before paying", "unknown":
    "Outcome unknown", "discarded": "Discarded", "received": "Received", "auto_below": "Automatic below a limit",
}
_COLOURS: dict[str, str] = {
    "done": "green", "executed": "green", "succeeded": "green", "paid": "green", "processed": "green",
    "active": "green", "connected": "green", "approved": "green", "qualified": "green", "responded": "green",
    "running": "blue", "executing": "blue", "started": "blue", "queued": "blue", "sent": "blue", "contacted": "blue",
    "pending": "orange", "needs_review": "orange", "held": "orange", "draft": "orange", "trial": "orange",
    "trialing": "orange", "paused": "orange", "unknown": "orange", "received": "orange", "needs_reconnect": "orange",
    "past_due": "orange", "new": "blue",
    "failed": "red", "rejected": "red", "unpaid": "red", "abandoned": "red", "fired": "red", "churned": "red",
    "canceled": "grey", "discarded": "grey", "expired": "grey", "superseded": "grey", "void": "grey",
    "ignored": "grey", "skipped": "grey", "lost": "grey",
}


def status_word(status: str | None) -> StatusWord:
    """A status in words with its colour: 'needs_review' → ('Waiting for review', 'orange'); None → ('—', 'grey')."""
    if not status:
        return StatusWord(EMPTY, "grey")
    text = _STATUS_TEXT.get(status) or label(status)
    return StatusWord(text, _COLOURS.get(status, "grey"))


def status_text(status: str | None) -> str:
    """Just the word of a status (a table cell): 'needs_review' → 'Waiting for review'."""
    return status_word(status).text


def status_badge(status: str | None) -> str:
    """A status as Streamlit Markdown, a coloured badge: ':orange-badge[Waiting for review]'."""
    word = status_word(status)
    return f":{'gray' if word.colour == 'grey' else word.colour}-badge[{word.text}]"


def money(cents: int | None) -> str:
    """Integer cents as dollars with separators ('$20,287.33'), or '—' (core.money's one formatter)."""
    return dollars(cents)


def value_text(value: Any) -> str:
    """Any cell value as words: None → '—', True → 'Yes', a list → 'a, b', a mapping → 'Key: value; …'."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, Decimal)):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, (datetime, date)):
        from core.present.times import local_time

        return local_time(value)
    if isinstance(value, Mapping):
        return "; ".join(f"{label(str(k))}: {value_text(v)}" for k, v in value.items()) or EMPTY
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(value_text(v) for v in value) or EMPTY
    return str(value)


def count_words(n: int, thing: str, things: str | None = None) -> str:
    """'1 task', '3 tasks' (things: the plural when it is not thing + 's')."""
    return f"{n:,} {thing if n == 1 else (things or thing + 's')}"
