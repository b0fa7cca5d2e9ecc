"""The plans a customer can be on (editable, audited) and the one way a customer's plan changes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from core.approvals.acting import check
from core.audit import Actor, record_audit
from core.errors import InvalidInput, NotFound
from core.plans import sql
from core.plans.entitlements import lock_usage, release_held

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_PRICE_ID = re.compile(r"^[A-Za-z0-9_]{1,200}$")
MAX_CAP = 10_000_000
MAX_PRICE_CENTS = 10**11


@dataclass(frozen=True)
class PlanRow:
    """One plan: its monthly task cap (None: unlimited), price, Stripe price id and how many customers it has."""

    name: str
    monthly_task_cap: int | None
    monthly_price_cents: int
    stripe_price_id: str | None
    customers: int = 0


@dataclass(frozen=True)
class PlanChangeRow:
    """One line of a customer's plan history."""

    changed_at: datetime
    from_plan: str | None
    to_plan: str
    source: str
    stripe_event_id: str | None
    subscription_status: str | None


def list_plans(session: Session) -> tuple[PlanRow, ...]:
    """Every plan, cheapest first, with its customer count."""
    return tuple(PlanRow(r.name, r.monthly_task_cap, int(r.monthly_price_cents), r.stripe_price_id, int(r.customers))
                 for r in session.execute(sql.LIST_PLANS))


def plan_for_price(session: Session, price_id: str) -> str | None:
    """The plan whose Stripe price is `price_id`, or None."""
    return session.execute(sql.PLAN_BY_PRICE, {"price_id": price_id}).scalar_one_or_none()


def _validated(cap: int | None, price_cents: int, price_id: str | None) -> tuple[int | None, int, str | None]:
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or not 0 <= cap <= MAX_CAP):
        raise InvalidInput(f"monthly task cap must be a whole number from 0 to {MAX_CAP}, or blank for unlimited")
    if isinstance(price_cents, bool) or not isinstance(price_cents, int) or not 0 <= price_cents <= MAX_PRICE_CENTS:
        raise InvalidInput("monthly price must be a whole number of cents, 0 or more")
    price_id = (price_id or "").strip() or None
    if price_id is not None and not _PRICE_ID.match(price_id):
        raise InvalidInput("Stripe price id must be letters, digits and underscores (like price_1Pxyz)")
    return cap, price_cents, price_id


def _price_free(session: Session, name: str, price_id: str | None) -> None:
    if price_id is None:
        return
    other = session.execute(sql.PRICE_TAKEN, {"price_id": price_id, "name": name}).scalar_one_or_none()
    if other is not None:
        raise InvalidInput(f"Stripe price id {price_id} already belongs to plan {other}")


def update_plan(session: Session, name: str, *, monthly_task_cap: int | None, monthly_price_cents: int,
                stripe_price_id: str | None, actor: Actor) -> int:
    """Edit a plan (audited with old and new values); a larger cap releases held tasks at once. No commit.

    Returns how many held tasks were released. NotFound for an unknown plan, InvalidInput for a bad value.
    """
    check(session, actor, "change_plan")
    cap, price, price_id = _validated(monthly_task_cap, monthly_price_cents, stripe_price_id)
    old = session.execute(sql.LOCK_PLAN, {"name": name}).one_or_none()
    if old is None:
        raise NotFound(f"plan {name!r} not found")
    _price_free(session, name, price_id)
    before = {"monthly_task_cap": old.monthly_task_cap, "monthly_price_cents": int(old.monthly_price_cents),
              "stripe_price_id": old.stripe_price_id}
    after = {"monthly_task_cap": cap, "monthly_price_cents": price, "stripe_price_id": price_id}
    if before == after:
        return 0
    session.execute(sql.UPDATE_PLAN, {"name": name, "cap": cap, "price": price, "price_id": price_id})
    record_audit(session, actor, "plan", name, None, None, {"from": before, "to": after})
    released = 0
    for customer_id in session.execute(sql.CUSTOMERS_ON_PLAN, {"plan": name}).scalars().all():
        released += len(release_held(session, customer_id, actor))
    return released


def create_plan(session: Session, name: str, *, monthly_task_cap: int | None, monthly_price_cents: int,
                stripe_price_id: str | None, actor: Actor) -> None:
    """Add a plan (audited); InvalidInput for a bad or taken name or value. No commit."""
    check(session, actor, "change_plan")
    name = (name or "").strip()
    if not _NAME.match(name):
        raise InvalidInput("plan name must be lowercase letters, digits, - or _ (up to 40), starting with a letter")
    cap, price, price_id = _validated(monthly_task_cap, monthly_price_cents, stripe_price_id)
    _price_free(session, name, price_id)
    created = session.execute(sql.INSERT_PLAN, {"name": name, "cap": cap, "price": price,
                                                "price_id": price_id}).scalar_one_or_none()
    if created is None:
        raise InvalidInput(f"plan {name!r} already exists")
    record_audit(session, actor, "plan", name, None, None,
                 {"created": {"monthly_task_cap": cap, "monthly_price_cents": price, "stripe_price_id": price_id}})


def change_customer_plan(session: Session, customer_id: int, plan: str, actor: Actor, *, source: str,
                         stripe_event_id: str | None = None, subscription_status: str | None = None) -> tuple[int, ...]:
    """Put the customer on `plan` (plan_changed_at, history row, audit) and release held tasks it now has room
    for; the released task ids. A change to the plan it is on records nothing. No commit."""
    check(session, actor, "change_plan")
    usage = lock_usage(session, customer_id)
    if session.execute(sql.PLAN_EXISTS, {"name": plan}).one_or_none() is None:
        raise NotFound(f"plan {plan!r} not found")
    if usage.plan == plan:
        return ()
    session.execute(sql.SET_CUSTOMER_PLAN, {"plan": plan, "customer_id": customer_id})
    session.execute(sql.RECORD_PLAN_CHANGE, {"customer_id": customer_id, "from_plan": usage.plan, "to_plan": plan,
                                             "source": source, "event_id": stripe_event_id,
                                             "subscription_status": subscription_status})
    record_audit(session, actor, "customer", customer_id, None, None,
                 {"plan": {"from": usage.plan, "to": plan}, "source": source,
                  **({"stripe_event_id": stripe_event_id} if stripe_event_id else {})})
    return release_held(session, customer_id, actor)


def plan_history(session: Session, customer_id: int, limit: int = 100) -> tuple[PlanChangeRow, ...]:
    """The customer's plan changes, newest first."""
    return tuple(PlanChangeRow(r.changed_at, r.from_plan, r.to_plan, r.source, r.stripe_event_id, r.subscription_status)
                 for r in session.execute(sql.PLAN_HISTORY, {"customer_id": customer_id, "limit": limit}))
