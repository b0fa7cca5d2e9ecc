"""The billing portal offer: an `email` proposal whose Stripe billing portal URL is made when it is executed."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.approvals.acting import check
from core.approvals.proposals import draft_proposal
from core.audit import Actor
from core.errors import InvalidInput, NotFound
from core.plans import sql

PORTAL_URL_SLOT = "{portal_url}"


def propose_billing_portal(session: Session, customer_id: int, actor: Actor) -> int:
    """Draft (or find the pending) "Send billing portal link" email for the customer; its id. No commit.

    NotFound for an unknown customer; InvalidInput when it has no Stripe customer id or no contact email.
    """
    check(session, actor, "change_plan")
    row = session.execute(sql.CUSTOMER_CONTACT, {"customer_id": customer_id}).one_or_none()
    if row is None:
        raise NotFound(f"customer {customer_id} not found")
    if not row.stripe_customer_id:
        raise InvalidInput(f"customer {customer_id} has no Stripe customer id yet (it arrives with a subscription)")
    if not row.contact_email:
        raise InvalidInput(f"customer {customer_id} has no contact email")
    prefix = f"plans:portal:{row.id}:"
    decided = int(session.execute(sql.DECIDED_PORTAL_OFFERS, {"prefix": prefix + "%"}).scalar_one())
    body = (f"Hello {row.company},\n\nManage your HossAgent subscription, payment method and invoices here:\n\n"
            f"{PORTAL_URL_SLOT}\n\nThe link is personal and expires after a short while.\n\nHossAgent")
    proposal_id, _ = draft_proposal(
        session, actor, vertical="billing", action_type="email", urgency="low",
        title=f"Send billing portal link to {row.company}",
        reasoning="Requested from the Customers page. The portal URL is made by Stripe when this email is sent.",
        payload={"to": row.contact_email, "subject": "Your HossAgent billing portal", "body": body,
                 "customer_id": row.id, "billing_portal": {"stripe_customer_id": row.stripe_customer_id,
                                                           "customer_id": row.id}},
        dedupe_key=f"{prefix}{decided + 1}",
    )
    return proposal_id
