"""The Money graph's proposals: one dunning email per failed Stripe invoice (expired once it is paid), and a
review for refunds, disputes and payments we cannot match. Deterministic; what was booked comes from core.money."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from core.approvals.proposals import draft_proposal
from core.audit import Actor, record_audit
from core.events import sql
from core.money.booking import our_invoice, stripe_cents
from core.money.cents import dollars
from core.transitions import transition_proposal

DUNNING_PREFIX = "money:dunning:"


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
    ours = our_invoice(session, latest)
    amount = stripe_cents(latest.get("amount_due"))
    attempts = stripe_cents(latest.get("attempt_count"))
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
