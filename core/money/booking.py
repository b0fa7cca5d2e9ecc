"""What a Stripe money event books, deterministically and idempotently: one ledger row per payment, refund or
dispute, and our invoice paid. The Money graph (core.events.money_graph) calls it before it drafts anything."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from core.audit import Actor
from core.errors import IllegalTransition, NotFound
from core.money import sql
from core.money.cents import dollars
from core.money.invoices import mark_invoice_paid
from core.money.ledger import record_ledger_entry


def stripe_cents(value: Any) -> int:
    """An amount field of a Stripe object as cents: a non-negative integer, anything else 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _ts(value: Any, default: datetime) -> datetime:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    return default


def our_invoice(session: Session, obj: dict[str, Any]) -> dict[str, Any] | None:
    """Our invoice named by `metadata.invoice_id` (with its customer), {'invoice_id': n} if unknown, or None."""
    raw = (obj.get("metadata") or {}).get("invoice_id")
    try:
        invoice_id = int(str(raw)) if raw is not None else None
    except ValueError:
        invoice_id = None
    if invoice_id is None:
        return None
    row = session.execute(
        sql.OUR_INVOICE,
        {"id": invoice_id},
    ).one_or_none()
    if row is None:
        return {"invoice_id": invoice_id, "missing": True}
    return {"invoice_id": row.id, "status": row.status, "company": row.company, "contact_email": row.contact_email}


def _counterparty(obj: dict[str, Any], ours: dict[str, Any] | None) -> str:
    if ours and ours.get("company"):
        return ours["company"]
    details = obj.get("customer_details") or obj.get("billing_details") or {}
    for candidate in (obj.get("customer_name"), details.get("name"), obj.get("customer_email"),
                      details.get("email"), obj.get("customer")):
        if isinstance(candidate, str) and candidate:
            return candidate
    return "Stripe"


def _pay(session: Session, actor: Actor, ours: dict[str, Any] | None, paid_at: datetime) -> str | None:
    if ours is None:
        return None
    try:
        return "paid" if mark_invoice_paid(session, ours["invoice_id"], actor, paid_at=paid_at) else "already_paid"
    except NotFound:
        return "not_found"
    except IllegalTransition:
        return "not_payable"


# Three event types describe one payment; each says how much under its own field.
PAYMENT_EVENTS = {
    "checkout.session.completed": "amount_total",
    "invoice.paid": "amount_paid",
    "charge.succeeded": "amount_captured",
}


def payment_key(obj: dict[str, Any]) -> str:
    """The ledger ref of a payment: its payment intent (shared by the session, the invoice and the charge)."""
    pi = obj.get("payment_intent")
    if isinstance(pi, dict):
        pi = pi.get("id")
    return pi if isinstance(pi, str) and pi else str(obj["id"])


def _payment_amount(type_: str, obj: dict[str, Any]) -> int:
    if type_ == "charge.succeeded" and not isinstance(obj.get("amount_captured"), int):
        return stripe_cents(obj.get("amount"))
    return stripe_cents(obj.get(PAYMENT_EVENTS[type_]))


def _paid_at(type_: str, obj: dict[str, Any], occurred_at: datetime) -> datetime:
    if type_ == "charge.succeeded":
        return _ts(obj.get("created"), occurred_at)
    return _ts((obj.get("status_transitions") or {}).get("paid_at"), occurred_at)


def _book_payment(session: Session, actor: Actor, type_: str, obj: dict[str, Any], occurred_at: datetime,
                  ours: dict[str, Any] | None, who: str) -> dict[str, Any]:
    """One ledger row per payment intent, whichever of its events comes first; later ones only link our invoice."""
    if type_ == "checkout.session.completed" and obj.get("payment_status") not in (None, "paid", "no_payment_required"):
        return {"kind": "payment", "paid": False, "note": f"payment_status is {obj.get('payment_status')!r}"}
    amount = _payment_amount(type_, obj)
    paid_at = _paid_at(type_, obj, occurred_at)
    ref = payment_key(obj)
    invoice_id = ours["invoice_id"] if ours and not ours.get("missing") else None
    new = record_ledger_entry(
        session, occurred_at=paid_at, direction="in", amount_cents=amount, counterparty=who,
        category="revenue", source="stripe", ref=ref, description=f"Stripe {type_} {obj['id']}",
        invoice_id=invoice_id,
    )
    if not new and invoice_id is not None:
        session.execute(sql.LINK_PAYMENT_TO_INVOICE, {"invoice_id": invoice_id, "counterparty": who, "ref": ref})
    return {"kind": "payment", "paid": True, "amount_cents": amount, "ledger_ref": ref, "ledger_new": new,
            "invoice_id": ours and ours["invoice_id"], "invoice_result": _pay(session, actor, ours, paid_at),
            "counterparty": who}


def _payment_of(session: Session, obj: dict[str, Any], ours: dict[str, Any] | None, who: str,
                charge: Any) -> tuple[int | None, str]:
    """(our invoice, counterparty) of the payment a refund or dispute takes back."""
    if ours and not ours.get("missing"):
        return ours["invoice_id"], who
    refs = [r for r in (obj.get("payment_intent"), charge) if isinstance(r, str) and r]
    row = session.execute(sql.PAYMENT_OF, {"refs": refs}).one_or_none() if refs else None
    if row is None:
        return None, who
    return row.invoice_id, row.counterparty or who


def book_event(session: Session, actor: Actor, type_: str, obj: dict[str, Any], occurred_at: datetime) -> dict[str, Any]:
    """Record the money the event moved (ledger, our invoice paid), idempotently; return what was booked."""
    ours = our_invoice(session, obj)
    who = _counterparty(obj, ours)
    if type_ in PAYMENT_EVENTS:
        return _book_payment(session, actor, type_, obj, occurred_at, ours, who)
    if type_ == "charge.refunded":
        invoice_id, who = _payment_of(session, obj, ours, who, obj.get("id"))
        return _book_refund(session, obj, who, occurred_at, invoice_id)
    if type_ == "charge.dispute.created":
        invoice_id, who = _payment_of(session, obj, ours, who, obj.get("charge"))
        amount = stripe_cents(obj.get("amount"))
        record_ledger_entry(
            session, occurred_at=occurred_at, direction="out", amount_cents=amount, counterparty=who,
            category="revenue", source="stripe", ref=str(obj["id"]),
            description=f"Stripe dispute {obj['id']} on charge {obj.get('charge')}", invoice_id=invoice_id,
        )
        return {"kind": "dispute", "dispute": obj["id"], "charge": obj.get("charge"), "amount_cents": amount,
                "reason": obj.get("reason"), "counterparty": who}
    if type_ == "invoice.payment_failed":
        return {"kind": "failure", "stripe_invoice": obj.get("id"), "amount_due_cents": stripe_cents(obj.get("amount_due"))}
    return {"kind": "none"}


def _book_refund(session: Session, obj: dict[str, Any], who: str, occurred_at: datetime,
                 invoice_id: int | None) -> dict[str, Any]:
    charge = str(obj["id"])
    total = stripe_cents(obj.get("amount_refunded"))
    refunds = (obj.get("refunds") or {}).get("data") or []
    if refunds:  # each refund object has its own id: one ledger entry per refund
        for r in refunds:
            record_ledger_entry(
                session, occurred_at=_ts(r.get("created"), occurred_at), direction="out",
                amount_cents=stripe_cents(r.get("amount")), counterparty=who, category="revenue", source="stripe",
                ref=str(r["id"]), description=f"Stripe refund {r['id']} on charge {charge}", invoice_id=invoice_id,
            )
    else:  # newer API versions send only the cumulative amount: book what is not booked yet
        already = session.execute(
            sql.REFUNDED_SO_FAR,
            {"prefix": f"{charge}:refunded:%"},
        ).scalar_one()
        if total > already:
            record_ledger_entry(
                session, occurred_at=occurred_at, direction="out", amount_cents=total - int(already),
                counterparty=who, category="revenue", source="stripe", ref=f"{charge}:refunded:{total}",
                description=f"Stripe refund on charge {charge} (cumulative {dollars(total)})", invoice_id=invoice_id,
            )
    return {"kind": "refund", "charge": charge, "amount_refunded_cents": total, "counterparty": who}
