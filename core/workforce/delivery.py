"""Delivery (SPEC §12): a done task's deliverable reaches the customer only through one `deliver` proposal."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.approvals.google_delivery import DoneTask, delivery_action_type, propose_task_sheet_row, read_done_task
from core.approvals.payloads import DeliverPayload
from core.approvals.proposals import draft_proposal
from core.audit import Actor
from db.models import Customer


def delivery_dedupe_key(task_id: int) -> str:
    """One delivery per task, however often its completion is recorded or retried."""
    return f"task:{task_id}:deliver"


def delivery_channel(session: Session, customer_id: int) -> str:
    """How a customer receives deliverables: its `delivery` setting, `email` or `gmail_draft` (SPEC §15)."""
    delivery = session.execute(select(Customer.delivery).where(Customer.id == customer_id)).scalar_one_or_none()
    return delivery_action_type({"delivery": delivery})


def on_task_done(session: Session, task_id: int) -> tuple[int, bool]:
    """What a task that is done proposes: its one delivery and, when the customer keeps a Google Sheet, its one
    sheet row; the delivery's (id, created). No commit."""
    task, _status = read_done_task(session, task_id)
    return draft_done_proposals(session, task)


def draft_done_proposals(session: Session, task: DoneTask) -> tuple[int, bool]:
    """`on_task_done` from facts already read: the Ops pool drafts them just before the completing write, so
    the audit chain's lock (taken by the first audit row, held to commit) is not held across these reads."""
    delivered = draft_delivery(session, task)
    propose_task_sheet_row(session, task)
    return delivered


def propose_delivery(session: Session, task_id: int) -> tuple[int, bool]:
    """Draft the task's one `deliver` proposal (its final artifact to the customer's contact); (id, created). No commit."""
    return draft_delivery(session, read_done_task(session, task_id)[0])


def draft_delivery(session: Session, task: DoneTask) -> tuple[int, bool]:
    """`propose_delivery` from facts already read; (id, created). No commit."""
    worker = task.agent or "ops"
    payload = DeliverPayload(
        task_id=task.id, customer_id=task.customer_id, channel=delivery_action_type({"delivery": task.delivery}),
        to=task.contact_email or "", subject=f"{task.description[:200]} — for {task.company[:80]}",
        body=f"{task.summary}\n\n— {worker}, HossAgent (task {task.id})",
    ).model_dump()
    to = payload["to"] or "(no contact email on file)"
    return draft_proposal(
        session, Actor.agent(worker), vertical="ops", action_type="deliver",
        title=f"Deliver task {task.id} to {task.company[:80]} ({to})",
        reasoning=(f"{worker} finished task {task.id} ({task.description[:200]}). Approving sends the body below "
                   f"to {to} by {payload['channel']}, exactly as shown."),
        payload=payload, dedupe_key=delivery_dedupe_key(task.id),
    )
