"""Invoice state changes other than drafting (billing agent): paying one, from the API, a webhook or the console."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.audit import Actor
from core.errors import NotFound
from core.transitions import transition_invoice
from db.models import Invoice


def mark_invoice_paid(session: Session, invoice_id: int, actor: Actor, *, paid_at: datetime | None = None) -> bool:
    """Move a draft/sent invoice to `paid` with `paid_at` (default now) and audit it; False if already paid.

    Raises NotFound for an unknown id and IllegalTransition for a void invoice. No commit: the caller's transaction.
    """
    status = session.execute(
        select(Invoice.status).where(Invoice.id == invoice_id).with_for_update()
    ).scalar_one_or_none()
    if status is None:
        raise NotFound(f"invoice {invoice_id} not found")
    if status == "paid":
        return False  # a repeated webhook or a double click: nothing more to do
    values: dict[str, Any] = {"paid_at": paid_at if paid_at is not None else func.now()}
    transition_invoice(session, invoice_id, "paid", actor, values=values,
                       metadata={"paid_at": paid_at.isoformat() if paid_at else None})
    return True
