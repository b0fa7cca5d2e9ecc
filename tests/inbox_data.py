"""Rows the inbox tests need: leads, invoices and proposals inserted directly (not via the agents)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.approvals.proposals import draft_proposal
from core.audit import Actor

BIZDEV = Actor.agent("bizdev")


def make_lead(session: Session, email: str = "dana@northwind.test", company: str = "Northwind") -> int:
    return session.execute(
        text("INSERT INTO leads (company, contact_name, email) VALUES (:c, 'Dana', :e) RETURNING id"),
        {"c": company, "e": email},
    ).scalar_one()


def make_invoice(session: Session, amount_cents: int = 15000) -> tuple[int, int]:
    cid = session.execute(text("INSERT INTO customers (company) VALUES ('Acme') RETURNING id")).scalar_one()
    iid = session.execute(
        text("INSERT INTO invoices (customer_id, amount_cents) VALUES (:c, :a) RETURNING id"),
        {"c": cid, "a": amount_cents},
    ).scalar_one()
    return cid, iid


def email_proposal(session: Session, lead_id: int, to: str = "dana@northwind.test", *, urgency: str = "medium",
                   key: str | None = None) -> int:
    payload = {"to": to, "subject": "Quick idea for your team at Northwind",
               "body": "Hello Dana, HossAgent does research and reports cost and profit.",
               "lead_id": lead_id, "from": "hoss@hossagent.test"}
    pid, _ = draft_proposal(session, BIZDEV, vertical="bizdev", action_type="email", title=f"Email {to}",
                            reasoning="New lead", payload=payload, dedupe_key=key or f"email-lead-{lead_id}",
                            urgency=urgency)
    return pid


def checkout_proposal(session: Session, invoice_id: int, customer_id: int, amount_cents: int = 15000) -> int:
    payload: dict[str, Any] = {"invoice_id": invoice_id, "customer_id": customer_id, "customer": "Acme",
                               "amount_cents": amount_cents, "currency": "usd", "description": f"Invoice {invoice_id}"}
    pid, _ = draft_proposal(session, Actor.agent("billing"), vertical="billing", action_type="stripe_checkout",
                            title=f"Checkout link for invoice {invoice_id}", reasoning="Tasks done",
                            payload=payload, dedupe_key=f"checkout-invoice-{invoice_id}")
    return pid


def slack_proposal(session: Session, text_: str = "Runway is 5 months", key: str = "slack-1") -> int:
    pid, _ = draft_proposal(session, Actor.agent("money"), vertical="money", action_type="slack", title="Runway alert",
                            reasoning="Runway < 6 months", payload={"text": text_}, dedupe_key=key, urgency="high")
    return pid


def audit_rows(session: Session, entity: str, entity_id: int) -> list[Any]:
    return session.execute(
        text("SELECT actor_type, actor_id, from_status, to_status, metadata FROM audit_log "
             "WHERE entity = :e AND entity_id = :i ORDER BY id"), {"e": entity, "i": str(entity_id)}
    ).all()
