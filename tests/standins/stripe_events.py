"""Builders of Stripe-shaped events (the fields HossAgent reads), and a signed poster for the webhook."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from core.events.webhooks import sign_stripe_payload

BASE_CREATED = 1_795_000_000  # a fixed moment, so tests do not depend on the clock


def event(type_: str, obj: dict[str, Any], *, id_: str, created: int = BASE_CREATED) -> dict[str, Any]:
    return {"id": id_, "object": "event", "type": type_, "created": created, "livemode": False,
            "data": {"object": obj}}


def payment_failed(sid: str, *, amount_due: int = 5_000, attempt: int = 1, created: int = BASE_CREATED,
                   invoice_id: int | None = None, email: str = "ap@acme.test", id_: str | None = None) -> dict[str, Any]:
    obj = {"id": sid, "object": "invoice", "amount_due": amount_due, "attempt_count": attempt,
           "customer_email": email, "customer_name": "Acme", "number": f"N-{sid}",
           "hosted_invoice_url": f"https://invoice.stripe.test/{sid}",
           "metadata": {"invoice_id": str(invoice_id)} if invoice_id else {}}
    return event("invoice.payment_failed", obj, id_=id_ or f"evt_fail_{sid}_{attempt}", created=created)


def checkout_completed(cs: str, *, invoice_id: int, amount: int, created: int = BASE_CREATED,
                       id_: str | None = None, payment_intent: str | None = None) -> dict[str, Any]:
    obj = {"id": cs, "object": "checkout.session", "amount_total": amount, "payment_status": "paid",
           "customer_details": {"email": "ap@acme.test", "name": "Acme"}, "metadata": {"invoice_id": str(invoice_id)}}
    if payment_intent:
        obj["payment_intent"] = payment_intent
    return event("checkout.session.completed", obj, id_=id_ or f"evt_cs_{cs}", created=created)


def invoice_paid(sid: str, *, amount: int, invoice_id: int | None = None, created: int = BASE_CREATED,
                 id_: str | None = None, payment_intent: str | None = None) -> dict[str, Any]:
    obj = {"id": sid, "object": "invoice", "amount_paid": amount, "customer_email": "ap@acme.test",
           "status_transitions": {"paid_at": created},
           "metadata": {"invoice_id": str(invoice_id)} if invoice_id else {}}
    if payment_intent:
        obj["payment_intent"] = payment_intent
    return event("invoice.paid", obj, id_=id_ or f"evt_paid_{sid}", created=created)


def charge_succeeded(charge: str, *, amount: int, payment_intent: str | None = None, invoice: str | None = None,
                     created: int = BASE_CREATED, id_: str | None = None) -> dict[str, Any]:
    """A charge as Stripe sends it: no metadata of ours, the payer in billing_details."""
    obj = {"id": charge, "object": "charge", "amount": amount, "amount_captured": amount, "paid": True,
           "status": "succeeded", "created": created, "billing_details": {"name": "Acme Billing", "email": "ap@acme.test"}}
    if payment_intent:
        obj["payment_intent"] = payment_intent
    if invoice:
        obj["invoice"] = invoice
    return event("charge.succeeded", obj, id_=id_ or f"evt_charge_{charge}", created=created)


def charge_refunded(charge: str, *, amount_refunded: int, created: int = BASE_CREATED,
                    id_: str | None = None, payment_intent: str | None = None) -> dict[str, Any]:
    obj = {"id": charge, "object": "charge", "amount": 20_000, "amount_refunded": amount_refunded,
           "billing_details": {"name": "Acme", "email": "ap@acme.test"}}
    if payment_intent:
        obj["payment_intent"] = payment_intent
    return event("charge.refunded", obj, id_=id_ or f"evt_refund_{charge}_{amount_refunded}", created=created)


def dispute_created(dispute: str, *, amount: int, charge: str = "ch_1", created: int = BASE_CREATED,
                    id_: str | None = None) -> dict[str, Any]:
    obj = {"id": dispute, "object": "dispute", "amount": amount, "charge": charge, "reason": "fraudulent",
           "evidence_details": {"due_by": created + 7 * 86400}}
    return event("charge.dispute.created", obj, id_=id_ or f"evt_dispute_{dispute}", created=created)


def post_signed(client: httpx.Client, base: str, secret: str, evt: dict[str, Any] | bytes,
                *, t: int | None = None) -> httpx.Response:
    """POST an event to the webhook with a valid signature (at time `t`, default now)."""
    body = evt if isinstance(evt, bytes) else json.dumps(evt).encode()
    header = sign_stripe_payload(body, secret, int(time.time()) if t is None else t)
    return client.post(f"{base}/api/ingest/stripe", content=body,
                       headers={"Stripe-Signature": header, "Content-Type": "application/json"})


def subscription(type_: str, sub: str, *, price: str, customer: str = "cus_acme", status: str = "active",
                 created: int = BASE_CREATED, id_: str | None = None, customer_id: int | None = None) -> dict[str, Any]:
    """A `customer.subscription.*` event: the subscription with one item at `price`."""
    obj = {"id": sub, "object": "subscription", "customer": customer, "status": status,
           "items": {"object": "list", "data": [{"id": f"si_{sub}", "price": {"id": price, "object": "price"}}]},
           "metadata": {"customer_id": str(customer_id)} if customer_id else {}}
    return event(type_, obj, id_=id_ or f"evt_{type_.rsplit('.', 1)[1]}_{sub}_{created}", created=created)
