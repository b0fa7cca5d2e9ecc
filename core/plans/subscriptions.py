"""Stripe subscriptions set a customer's plan: `customer.subscription.created|updated|deleted`, in any order.

Each customer keeps the (Stripe `created`, event id) of the last subscription event applied; an event at or
before it changes nothing, so repeats and late arrivals end in the same plan whatever the order (the id
breaks ties between events of the same second). A deleted subscription falls back to `starter`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.audit import Actor, record_audit
from core.plans import sql
from core.plans.catalogue import change_customer_plan, plan_for_price
from core.plans.entitlements import lock_usage
from db.statuses import SUBSCRIPTION_STATUSES

SUBSCRIPTION_EVENT_TYPES = frozenset({
    "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
})
FALLBACK_PLAN = "starter"
ACTOR = Actor.agent("events")


@dataclass(frozen=True)
class SubscriptionOutcome:
    """What one subscription event did: applied (and to which plan), or why not (`ignored` carries the reason)."""

    customer_id: int | None
    applied: bool
    plan: str | None
    note: str
    ignored: str | None = None
    released: tuple[int, ...] = ()


def price_id_of(obj: dict[str, Any]) -> str | None:
    """The subscription's price id: its first item's price (Stripe's shape), else the legacy `plan`."""
    items = ((obj.get("items") or {}).get("data") or []) if isinstance(obj.get("items"), dict) else []
    for item in items:
        price = item.get("price") if isinstance(item, dict) else None
        if isinstance(price, dict) and isinstance(price.get("id"), str):
            return price["id"]
    plan = obj.get("plan")
    return plan.get("id") if isinstance(plan, dict) and isinstance(plan.get("id"), str) else None


def _customer_for(session: Session, obj: dict[str, Any]) -> int | None:
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    ours = str(metadata.get("customer_id") or "")
    if ours.isdigit():
        found = session.execute(sql.CUSTOMER_EXISTS, {"customer_id": int(ours)}).scalar_one_or_none()
        if found is not None:
            return int(found)
    stripe_id = obj.get("customer")
    if isinstance(stripe_id, str) and stripe_id:
        found = session.execute(sql.CUSTOMER_BY_STRIPE_ID, {"stripe_id": stripe_id}).scalar_one_or_none()
        return None if found is None else int(found)
    return None


def apply_subscription_event(session: Session, *, stripe_event_id: str, type_: str, created: datetime,
                             obj: dict[str, Any]) -> SubscriptionOutcome:
    """Apply one subscription event to its customer in the caller's transaction (no commit)."""
    customer_id = _customer_for(session, obj)
    if customer_id is None:
        return SubscriptionOutcome(None, False, None, "no customer", ignored=(
            f"no customer for Stripe customer {obj.get('customer')!r} (metadata customer_id "
            f"{(obj.get('metadata') or {}).get('customer_id')!r})"))
    lock_usage(session, customer_id)  # the customer's lock: subscription events for it apply one at a time
    last = session.execute(sql.LAST_SUBSCRIPTION_EVENT, {"customer_id": customer_id}).one()
    if last.last_subscription_event_at is not None and \
            (created, stripe_event_id) <= (last.last_subscription_event_at, last.last_subscription_event_id or ""):
        return SubscriptionOutcome(customer_id, False, None,
                                   f"not newer than the last applied event {last.last_subscription_event_id}")
    status = obj.get("status") if obj.get("status") in SUBSCRIPTION_STATUSES else None
    if type_ == "customer.subscription.deleted":
        plan, status = FALLBACK_PLAN, status or "canceled"
    else:
        price_id = price_id_of(obj)
        plan = plan_for_price(session, price_id) if price_id else None
        if plan is None:
            return SubscriptionOutcome(customer_id, False, None, "unknown price", ignored=(
                f"unknown price id {price_id!r}: no plan has it (set it on the Customers page); plan unchanged"))
    session.execute(sql.SET_SUBSCRIPTION, {
        "customer_id": customer_id, "stripe_customer_id": obj.get("customer") if isinstance(obj.get("customer"), str) else None,
        "subscription_id": obj.get("id") if isinstance(obj.get("id"), str) else None, "status": status,
        "created": created, "event_id": stripe_event_id,
    })
    record_audit(session, ACTOR, "customer", customer_id, None, None,
                 {"subscription": {"event": stripe_event_id, "type": type_, "status": status, "plan": plan}})
    released = change_customer_plan(session, customer_id, plan, ACTOR, source="webhook",
                                    stripe_event_id=stripe_event_id, subscription_status=status)
    return SubscriptionOutcome(customer_id, True, plan, f"customer {customer_id} on {plan} ({status})",
                               released=released)
