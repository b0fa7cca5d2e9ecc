"""The `stripe_checkout` executor: a Stripe Checkout Session (payment mode) for an invoice.

Payload: {"invoice_id", "customer_id"?, "customer"?, "amount_cents", "currency"?, "description"?}.
"""

from __future__ import annotations

import logging
from typing import Any

import stripe
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.approvals.executors.base import PermanentError, with_retries
from core.approvals.executors.stripe_calls import executor_error, stripe_client
from core.audit import Actor
from core.config.settings import Settings
from core.transitions import transition_invoice
from db.models import Invoice

log = logging.getLogger("hoss.adapters.stripe")

NOT_CONFIGURED = "Stripe not configured; skipping checkout session."


def _int(payload: dict[str, Any], field: str, *, positive: bool) -> int:
    value = payload.get(field)
    if isinstance(value, bool) or not isinstance(value, int) or value < (1 if positive else 0):
        raise PermanentError(f"payload field {field!r} must be a {'positive ' if positive else ''}integer")
    return value


def execute(settings: Settings, payload: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
    """Create the Checkout Session once (Stripe dedupes on the idempotency key); return its id and URL."""
    invoice_id = _int(payload, "invoice_id", positive=True)
    amount = _int(payload, "amount_cents", positive=True)
    api_key = settings.secret("stripe_api_key")
    if not api_key:
        log.info(NOT_CONFIGURED)
        return {"skipped": True, "message": NOT_CONFIGURED, "invoice_id": invoice_id}
    currency = str(payload.get("currency") or "usd").lower()
    description = str(payload.get("description") or f"Invoice {invoice_id}")
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [{
            "quantity": 1,
            "price_data": {"currency": currency, "unit_amount": amount, "product_data": {"name": description[:250]}},
        }],
        "client_reference_id": f"invoice-{invoice_id}",
        "metadata": {"invoice_id": str(invoice_id), "customer_id": str(payload.get("customer_id") or "")},
        "success_url": settings.stripe_success_url,
        "cancel_url": settings.stripe_cancel_url,
    }
    client = stripe_client(settings, api_key)

    def create() -> Any:
        try:
            return client.v1.checkout.sessions.create(params=params, options={"idempotency_key": f"hoss-{idempotency_key}"})
        except stripe.StripeError as exc:
            raise executor_error(exc) from None

    session = with_retries(settings, create)
    log.info("Stripe checkout session %s created for invoice %s (%s cents)", session.id, invoice_id, amount)
    return {"provider": "stripe", "invoice_id": invoice_id, "session_id": session.id, "url": session.url,
            "amount_cents": amount, "currency": currency}


def apply(session: Session, payload: dict[str, Any], result: dict[str, Any], actor: Actor) -> None:
    """Store the URL and session id; a draft invoice becomes `sent`. A skipped run leaves the invoice draft."""
    if result.get("skipped") or not result.get("session_id"):
        return
    invoice_id = result["invoice_id"]
    status = session.execute(select(Invoice.status).where(Invoice.id == invoice_id)).scalar_one_or_none()
    if status is None:
        return
    values = {"checkout_url": result.get("url"), "stripe_session_id": result["session_id"]}
    if status == "draft":
        transition_invoice(session, invoice_id, "sent", actor, values={**values, "sent_at": func.now()},
                           metadata={"stripe_session_id": result["session_id"]})
    else:
        session.execute(update(Invoice).where(Invoice.id == invoice_id).values(**values))
