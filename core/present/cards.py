"""A proposal as the thing itself (SPEC §21): a card per action type (a checkout link card says customer, amount,
what for), an edit diff in words, an execution's result in words (a dry run says "recorded, not sent"), a JSON
artifact as labelled fields."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.present.words import EMPTY, label, money, value_text

DRY_RUN = "recorded, not sent"


@dataclass(frozen=True)
class Card:
    """What a proposal would do, in words: a headline, labelled fields, and the message body when there is one."""

    headline: str
    fields: tuple[tuple[str, str], ...]
    body: str | None = None


def _money_field(name: str) -> bool:
    return name.endswith("_cents")


def field_text(name: str, value: Any) -> str:
    """One payload field's value in words: cents as dollars, None as '—', lists and objects as words."""
    if _money_field(name) and isinstance(value, int) and not isinstance(value, bool):
        return money(value)
    return value_text(value)


def _generic(payload: Mapping[str, Any], skip: tuple[str, ...] = ()) -> tuple[tuple[str, str], ...]:
    return tuple((label(k), field_text(k, v)) for k, v in payload.items() if k not in skip)


def proposal_card(action_type: str, payload: Mapping[str, Any]) -> Card:
    """The card of a proposal of `action_type` carrying `payload` (any type; unknown fields as labelled words)."""
    p = dict(payload or {})
    if action_type == "stripe_checkout":
        who = p.get("customer") or (f"customer #{p['customer_id']}" if p.get("customer_id") else "the customer")
        amount = field_text("amount_cents", p.get("amount_cents"))
        fields = [("Customer", str(who)), ("Amount", amount), ("For", value_text(p.get("description")))]
        if p.get("invoice_id"):
            fields.append(("Invoice", f"#{p['invoice_id']}"))
        return Card(f"A payment link for {who}: {amount}", tuple(fields))
    if action_type in ("email", "deliver", "gmail_draft") and "subject" in p:
        gmail = action_type == "gmail_draft" or p.get("channel") == "gmail_draft"
        how = "A Gmail draft (saved in the connected account, not sent)" if gmail else "An email"
        fields = [("To", value_text(p.get("to"))), ("Subject", value_text(p.get("subject")))]
        if p.get("task_id"):
            fields.append(("Task", f"#{p['task_id']}"))
        return Card(f"{how} to {value_text(p.get('to'))}", tuple(fields), value_text(p.get("body")))
    if action_type == "slack":
        return Card("A Slack message", (), value_text(p.get("text")))
    if action_type == "sheets_append":
        row = ", ".join(value_text(v) for v in p.get("values") or [])
        return Card("A row added to the customer's Google Sheet",
                    (("Sheet tab", value_text(p.get("range"))), ("Row", row or EMPTY)))
    if action_type == "budget_increase":
        new = field_text("proposed_budget_cents", p.get("proposed_budget_cents"))
        return Card(f"Raise the daily LLM budget to {new}", _generic(p))
    if action_type == "policy_change":
        return Card(f"A new approval policy for {label(str(p.get('action_type', '')))}", _generic(p))
    if action_type == "review":
        return Card("A note for you: approving acknowledges it, nothing goes out", _generic(p))
    return Card(label(action_type), _generic(p))


def diff_lines(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """An edit in words, one line per changed field: 'Amount: $1.66 → $2.00', 'For: set to "Setup"', 'Cc: removed'."""
    lines = []
    for key in list(before) + [k for k in after if k not in before]:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        name = label(key)
        if old is None or old == "":
            lines.append(f"{name}: set to {field_text(key, new)}")
        elif new is None or new == "" or key not in after:
            lines.append(f"{name}: removed (was {field_text(key, old)})")
        else:
            lines.append(f"{name}: {field_text(key, old)} → {field_text(key, new)}")
    return lines


def is_dry_run(result: Mapping[str, Any] | None) -> bool:
    """Whether an execution's result says nothing really went out (a dry run, or a skipped Stripe call)."""
    return bool(result) and bool(result.get("dry_run") or result.get("skipped"))  # type: ignore[union-attr]


def execution_text(status: str, result: Mapping[str, Any] | None) -> str:
    """An execution's outcome in words: 'Sent', 'Recorded, not sent (dry run: no key is set)', 'Failed'."""
    if status == "succeeded" and is_dry_run(result):
        return "Recorded, not sent (a dry run: nothing left HossAgent)"
    return {"succeeded": "Sent", "queued": "Waiting to go out", "started": "Going out", "failed": "Failed",
            "unknown": "Outcome unknown: check before retrying"}.get(status, label(status))


def result_fields(result: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...]:
    """An execution's result as labelled words (links and ids kept, nested objects flattened)."""
    if not result:
        return ()
    out = []
    for k, v in result.items():
        if k in ("dry_run", "skipped"):
            continue
        if isinstance(v, Mapping):
            out.extend((f"{label(k)} · {label(str(k2))}", field_text(str(k2), v2)) for k2, v2 in v.items())
        else:
            out.append((label(k), field_text(k, v)))
    return tuple(out)


def artifact_fields(text: str) -> tuple[tuple[str, str], ...] | None:
    """A step's artifact, when it is a JSON object, as labelled fields ('Objective', 'Audience', …); else None."""
    try:
        data = json.loads(text)
    except (ValueError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    out = []
    for k, v in data.items():
        if isinstance(v, list):
            out.append((label(str(k)), "\n".join(f"• {value_text(i)}" for i in v) or EMPTY))
        else:
            out.append((label(str(k)), field_text(str(k), v)))
    return tuple(out)
