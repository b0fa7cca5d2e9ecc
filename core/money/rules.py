"""The Money graph's deterministic rules: what a Stripe event books, and which proposals it drafts or expires."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from core.approvals.proposals import draft_proposal
from core.audit import Actor, record_audit
from core.config.cents import dollars
from core.errors import IllegalTransition, NotFound
from core.money import sql
from core.money.invoices import mark_invoice_paid
from core.money.ledger import record_ledger_entry
from core.transitions import transition_proposal

DUNNING_PREFIX = "money:dunning:"


def _cents(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _ts(value: Any, default: datetime) -> datetime:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    return default


def _our_invoice(session: Session, obj: dict[str, Any]) -> dict[str, Any] | None:
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
        return _cents(obj.get("amount"))
    return _cents(obj.get(PAYMENT_EVENTS[type_]))


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
    ours = _our_invoice(session, obj)
    who = _counterparty(obj, ours)
    if type_ in PAYMENT_EVENTS:
        return _book_payment(session, actor, type_, obj, occurred_at, ours, who)
    if type_ == "charge.refunded":
        invoice_id, who = _payment_of(session, obj, ours, who, obj.get("id"))
        return _book_refund(session, obj, who, occurred_at, invoice_id)
    if type_ == "charge.dispute.created":
        invoice_id, who = _payment_of(session, obj, ours, who, obj.get("charge"))
        amount = _cents(obj.get("amount"))
        record_ledger_entry(
            session, occurred_at=occurred_at, direction="out", amount_cents=amount, counterparty=who,
            category="revenue", source="stripe", ref=str(obj["id"]),
            description=f"Stripe dispute {obj['id']} on charge {obj.get('charge')}", invoice_id=invoice_id,
        )
        return {"kind": "dispute", "dispute": obj["id"], "charge": obj.get("charge"), "amount_cents": amount,
                "reason": obj.get("reason"), "counterparty": who}
    if type_ == "invoice.payment_failed":
        return {"kind": "failure", "stripe_invoice": obj.get("id"), "amount_due_cents": _cents(obj.get("amount_due"))}
    return {"kind": "none"}


def _book_refund(session: Session, obj: dict[str, Any], who: str, occurred_at: datetime,
                 invoice_id: int | None) -> dict[str, Any]:
    charge = str(obj["id"])
    total = _cents(obj.get("amount_refunded"))
    refunds = (obj.get("refunds") or {}).get("data") or []
    if refunds:  # each refund object has its own id: one ledger entry per refund
        for r in refunds:
            record_ledger_entry(
                session, occurred_at=_ts(r.get("created"), occurred_at), direction="out",
                amount_cents=_cents(r.get("amount")), counterparty=who, category="revenue", source="stripe",
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


def _dunning_urgency(amount_due: int, attempts: int) -> str:
    if attempts >= 3 and amount_due >= 100_000:
        return "critical"
    if attempts >= 3 or amount_due >= 100_000:
        return "high"
    if attempts >= 2 or amount_due >= 10_000:
        return "medium"
    return "low"


def _failures(session: Session, stripe_invoice: str) -> tuple[int, dict[str, Any]]:
    """(first failure event id, latest failure object) for a Stripe invoice, by Stripe's `created`."""
    rows = session.execute(
        sql.PAYMENT_FAILURES,
        {"sid": stripe_invoice},
    ).all()
    return rows[0].id, rows[-1].payload["data"]["object"]


def _settled(session: Session, stripe_invoice: str, ours: dict[str, Any] | None) -> bool:
    if ours and ours.get("status") == "paid":
        return True
    return session.execute(
        sql.INVOICE_PAID_SEEN,
        {"sid": stripe_invoice},
    ).scalar_one()


def dunning_proposal(session: Session, actor: Actor, event_id: int, obj: dict[str, Any]) -> int:
    """One dunning email proposal per Stripe invoice, worded from its latest failure; expired once it is paid."""
    sid = obj.get("id")
    if not isinstance(sid, str) or not sid:
        raise ValueError("invoice.payment_failed event has no invoice id")
    first_event, latest = _failures(session, sid)
    ours = _our_invoice(session, latest)
    amount = _cents(latest.get("amount_due"))
    attempts = _cents(latest.get("attempt_count"))
    to = latest.get("customer_email") or (ours or {}).get("contact_email") or ""
    name = latest.get("customer_name") or (ours or {}).get("company") or ""
    number = latest.get("number") or sid
    url = latest.get("hosted_invoice_url") or ""
    body = (f"Hello{' ' + name if name else ''},\n\nWe tried to charge {dollars(amount)} for invoice {number}, "
            f"but the payment did not go through (attempt {attempts}).\n"
            f"You can pay it securely here: {url}\n\nThank you,\nHossAgent")
    values = {
        "title": f"Dunning: {dollars(amount)} unpaid by {name or to or sid} (attempt {attempts})",
        "reasoning": (f"Stripe invoice {sid} failed to charge {dollars(amount)} after {attempts} attempt(s). "
                      + ("" if to else "No recipient on file: add one before approving. ")
                      + "Urgency follows the amount due and the attempt count."),
        "payload": {"to": to, "subject": f"Payment failed for invoice {number}", "body": body},
        "urgency": _dunning_urgency(amount, attempts),
    }
    pid, created = draft_proposal(session, actor, vertical="money", action_type="email",
                                  dedupe_key=DUNNING_PREFIX + sid, event_id=first_event, **values)
    current = session.execute(
        sql.LOCK_PROPOSAL, {"id": pid},
    ).one()
    stale = any(getattr(current, k) != v for k, v in values.items()) or current.event_id != first_event
    if not created and current.status in ("pending", "expired") and stale:
        # A later failure (by Stripe's created) rewords the still-open proposal: same result in any order.
        session.execute(
            sql.REWORD_PROPOSAL,
            {**values, "payload": json.dumps(values["payload"]), "event_id": first_event, "id": pid},
        )
        record_audit(session, actor, "proposal", pid, current.status, current.status,
                     {"reworded_by_event": event_id, "attempt_count": attempts})
    if current.status == "pending" and _settled(session, sid, ours):
        transition_proposal(session, pid, "expired", actor, metadata={"reason": f"Stripe invoice {sid} is paid"})
    return pid


def expire_dunning_for_paid(session: Session, actor: Actor, type_: str, obj: dict[str, Any],
                            booked: dict[str, Any]) -> list[int]:
    """Expire pending dunning proposals for the Stripe invoice or our invoice this payment settled."""
    if not booked.get("paid"):
        return []
    our_id = booked.get("invoice_id") if booked.get("invoice_result") in ("paid", "already_paid") else None
    ids = session.execute(
        sql.PENDING_DUNNING_FOR_PAYMENT,
        {"prefix": DUNNING_PREFIX + "%", "key": _dunning_key(type_, obj),
         "ours": str(our_id) if our_id is not None else ""},
    ).scalars().all()
    for pid in ids:
        transition_proposal(session, pid, "expired", actor, metadata={"reason": f"paid ({type_} {obj.get('id')})"})
    return list(ids)


def _dunning_key(type_: str, obj: dict[str, Any]) -> str:
    """The dunning dedupe key of the Stripe invoice a payment event settles ('' when it names none)."""
    sid = obj.get("id") if type_ == "invoice.paid" else obj.get("invoice") if type_ == "charge.succeeded" else None
    return DUNNING_PREFIX + sid if isinstance(sid, str) and sid else ""


def review_proposals(session: Session, actor: Actor, event_id: int, type_: str, obj: dict[str, Any],
                     booked: dict[str, Any]) -> list[int]:
    """A high-urgency review for refunds and disputes; a medium one for a payment we cannot match."""
    who = booked.get("counterparty") or "a customer"
    if type_ == "charge.refunded":
        amount = booked["amount_refunded_cents"]
        pid, _ = draft_proposal(
            session, actor, vertical="money", action_type="review", urgency="high", event_id=event_id,
            title=f"Refund of {dollars(amount)} to {who}", dedupe_key=f"money:refund:{obj['id']}:{amount}",
            reasoning=f"Stripe charge {obj['id']} was refunded ({dollars(amount)} in total). Check why, "
                      "and whether the work or the invoice needs a follow-up.",
            payload={"charge": obj["id"], "amount_refunded_cents": amount, "counterparty": who},
        )
        return [pid]
    if type_ == "charge.dispute.created":
        amount = booked["amount_cents"]
        due = (obj.get("evidence_details") or {}).get("due_by")
        pid, _ = draft_proposal(
            session, actor, vertical="money", action_type="review", urgency="high", event_id=event_id,
            title=f"Dispute of {dollars(amount)} by {who}", dedupe_key=f"money:dispute:{obj['id']}",
            reasoning=f"Stripe dispute {obj['id']} on charge {obj.get('charge')} (reason: {obj.get('reason')}). "
                      "Evidence must be submitted before the deadline or the money is lost.",
            payload={"dispute": obj["id"], "charge": obj.get("charge"), "amount_cents": amount,
                     "reason": obj.get("reason"), "evidence_due_by": due},
        )
        return [pid]
    if booked.get("invoice_result") in ("not_found", "not_payable"):
        pid, _ = draft_proposal(
            session, actor, vertical="money", action_type="review", urgency="medium", event_id=event_id,
            title=f"Payment of {dollars(booked['amount_cents'])} for invoice {booked['invoice_id']} not applied",
            dedupe_key=f"money:unmatched:{obj['id']}",
            reasoning=f"Stripe {type_} {obj['id']} names invoice {booked['invoice_id']}, which is "
                      f"{'unknown' if booked['invoice_result'] == 'not_found' else 'not payable (void)'}. "
                      "The money is in the ledger; match it by hand.",
            payload={"stripe_object": obj["id"], "invoice_id": booked["invoice_id"],
                     "amount_cents": booked["amount_cents"]},
        )
        return [pid]
    return []
