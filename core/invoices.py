"""Invoices. MINIMAL VERSION from the inbox branch (the API needs mark_paid); the agents branch owns this file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.audit import Actor
from core.transitions import NotFound, transition_invoice
from db.models import Invoice


def mark_invoice_paid(session: Session, invoice_id: int, actor: Actor, *, paid_at: datetime | None = None) -> bool:
    """draft|sent → paid with paid_at (audited); False when already paid; NotFound for an unknown id. No commit."""
    status = session.execute(
        select(Invoice.status).where(Invoice.id == invoice_id).with_for_update()
    ).scalar_one_or_none()
    if status is None:
        raise NotFound(f"invoice {invoice_id} not found")
    if status == "paid":
        return False
    transition_invoice(session, invoice_id, "paid", actor, values={"paid_at": paid_at or func.now()})
    return True
