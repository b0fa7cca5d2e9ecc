"""Where finished work meets Google (SPEC §15): a customer's delivery route and its sheet.

`delivery_action_type(customer)` names the action type a `deliver` proposal of that customer uses (`email` or
`gmail_draft`, same payload); the done task's proposals themselves are drafted by core.workforce.finish.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.approvals.acting import check
from core.audit import Actor, record_audit
from core.errors import InvalidInput, NotFound
from db.models import Customer
from db.statuses import DELIVERY_MODES

_SHEET_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
_SHEET_ID = re.compile(r"[A-Za-z0-9_-]{10,200}")


def delivery_action_type(customer: Any) -> str:
    """`gmail_draft` when the customer's `delivery` setting says so, else `email` (the default)."""
    value = customer.get("delivery") if isinstance(customer, dict) else getattr(customer, "delivery", None)
    return "gmail_draft" if value == "gmail_draft" else "email"


def parse_sheet_id(raw: str | None) -> str | None:
    """A sheet id from an id or a Google Sheets URL; None for blank; InvalidInput for anything else."""
    text = (raw or "").strip()
    if not text:
        return None
    if match := _SHEET_URL.search(text):
        text = match.group(1)
    if not _SHEET_ID.fullmatch(text):
        raise InvalidInput("sheet must be a Google Sheets URL or its id (letters, digits, - and _)")
    return text


def set_customer_delivery(session: Session, customer_id: int, delivery: str, sheet_id: str | None,
                          actor: Actor) -> None:
    """Store a customer's `delivery` and `sheet_id` (an id or a URL; blank clears it), audited. No commit."""
    check(session, actor, "change_plan")
    if delivery not in DELIVERY_MODES:
        raise InvalidInput(f"delivery must be one of {', '.join(DELIVERY_MODES)} (got {delivery!r})")
    sheet = parse_sheet_id(sheet_id)
    old = session.execute(
        select(Customer.delivery, Customer.sheet_id).where(Customer.id == customer_id).with_for_update()
    ).first()
    if old is None:
        raise NotFound(f"customer {customer_id} not found")
    if (old.delivery, old.sheet_id) == (delivery, sheet):
        return
    session.execute(update(Customer).where(Customer.id == customer_id).values(delivery=delivery, sheet_id=sheet))
    record_audit(session, actor, "customer", customer_id, None, None, {
        "setting": "google delivery", "old": {"delivery": old.delivery, "sheet_id": old.sheet_id},
        "new": {"delivery": delivery, "sheet_id": sheet}})


def list_customer_delivery(session: Session, limit: int = 500) -> list[tuple[int, str, str, str | None]]:
    """(id, company, delivery, sheet_id) of customers by company, for the settings editor."""
    rows = session.execute(
        select(Customer.id, Customer.company, Customer.delivery, Customer.sheet_id)
        .order_by(Customer.company, Customer.id).limit(limit)
    ).all()
    return [tuple(r) for r in rows]
