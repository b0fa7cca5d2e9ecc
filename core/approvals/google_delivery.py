"""Where finished work meets Google (SPEC §15): a customer's delivery route, its sheet, and the sheet-row proposal.

Two calls for the done-task path: `delivery_action_type(customer)` names the action type a `deliver`
proposal of that customer uses (`email` or `gmail_draft`, same payload), and `propose_sheet_row(session,
task_id)` drafts the one `sheets_append` proposal of a done task when the customer has a sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.approvals import sql
from core.approvals.executors.sheets_append import task_marker
from core.approvals.payloads import SheetsAppendPayload
from core.approvals.proposals import draft_proposal
from core.audit import Actor, record_audit
from core.errors import InvalidInput, NotFound
from core.money.cents import to_dollars
from db.models import Customer
from db.statuses import DELIVERY_MODES

SHEET_RANGE = "Sheet1"  # the first tab of a new Google Sheet; rows go after its table
SHEET_COLUMNS = ("date", "task", "worker", "cost", "earned", "task id")
_SHEET_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
_SHEET_ID = re.compile(r"[A-Za-z0-9_-]{10,200}")
_SYSTEM = Actor.system("google-delivery")


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


@dataclass(frozen=True)
class DoneTask:
    """A done task as its proposals see it: what it made, for whom, at what cost, and where it is delivered."""

    id: int
    agent: str | None
    description: str
    summary: str
    customer_id: int
    company: str
    contact_email: str | None
    delivery: str | None
    sheet_id: str | None
    cost_cents: int
    reward_cents: int
    done_on: date | None


def read_done_task(session: Session, task_id: int) -> tuple[DoneTask, str]:
    """The task and its customer as a DoneTask (its completion day when done), and its status; NotFound if unknown."""
    row = session.execute(sql.DONE_TASK_FACTS, {"task_id": task_id}).first()
    if row is None:
        raise NotFound(f"task {task_id} not found")
    done_on = row.completed_at.astimezone(timezone.utc).date() if row.completed_at else None
    return DoneTask(row.id, row.agent, row.description, row.result_summary or "", row.customer_id, row.company,
                    row.contact_email, row.delivery, row.sheet_id, row.cost_cents, row.reward_cents,
                    done_on), row.status


def sheet_row(task: DoneTask) -> list[Any]:
    """The task's row: date done, task, worker, cost and earned in dollars, and its marker (see sheets_append)."""
    done = task.done_on.isoformat() if task.done_on else ""
    return [done, task.description[:500], task.agent or "Ops pool", to_dollars(task.cost_cents),
            to_dollars(task.reward_cents), task_marker(task.id)]


def propose_sheet_row(session: Session, task_id: int, actor: Actor | None = None) -> int | None:
    """Draft the one `sheets_append` proposal of a done task whose customer has a sheet; its id, or None.

    Deduplicated per task (a second call returns the same proposal). A task not done, or a customer without
    a sheet, proposes nothing. No commit.
    """
    task, status = read_done_task(session, task_id)
    return propose_task_sheet_row(session, task, actor) if status == "done" else None


def propose_task_sheet_row(session: Session, task: DoneTask, actor: Actor | None = None) -> int | None:
    """`propose_sheet_row` from facts already read (the task is, or is becoming, done in this transaction)."""
    if not task.sheet_id:
        return None
    payload = SheetsAppendPayload(spreadsheet_id=task.sheet_id, range=SHEET_RANGE, values=sheet_row(task),
                                  task_id=task.id)
    proposal_id, _ = draft_proposal(
        session, actor or _SYSTEM, vertical="ops", action_type="sheets_append",
        title=f"Log task {task.id} to {task.company}'s Google Sheet"[:200],
        reasoning=f"Task {task.id} is done; {task.company} keeps a sheet with one row per finished task "
                  f"({', '.join(SHEET_COLUMNS)}).",
        payload=payload.model_dump(), dedupe_key=f"sheets_append:task-{task.id}", urgency="low",
    )
    return proposal_id


def list_customer_delivery(session: Session, limit: int = 500) -> list[tuple[int, str, str, str | None]]:
    """(id, company, delivery, sheet_id) of customers by company, for the settings editor."""
    rows = session.execute(
        select(Customer.id, Customer.company, Customer.delivery, Customer.sheet_id)
        .order_by(Customer.company, Customer.id).limit(limit)
    ).all()
    return [tuple(r) for r in rows]
