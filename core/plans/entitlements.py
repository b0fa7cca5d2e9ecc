"""Whether a customer's plan admits one more task this month; held tasks, their release, and the upgrade offer.

A plan's cap counts the tasks *admitted* (pending at creation, or released from `held`) in the calendar month
(UTC) — `tasks.admitted_at`. Every admission and release for a customer first takes that customer's row lock,
so concurrent creations are counted one after the other and never both take the last slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import Session

from core.approvals.proposals import draft_proposal
from core.audit import Actor
from core.errors import NotFound
from core.money.cents import dollars
from core.plans import sql
from core.transitions import transition_task

PLANS_ACTOR = Actor.agent("plans")
# Where an upgrade email puts the Checkout link the executor creates when it is approved.
CHECKOUT_URL_SLOT = "{checkout_url}"


@dataclass(frozen=True)
class Admission:
    """The status a new task starts in (`pending`, or `held` over the plan's cap) and why."""

    status: str
    reason: str | None = None

    @property
    def columns(self) -> dict[str, Any]:
        """The task columns this admission sets: a held task has its reason and no admission time (no slot used)."""
        if self.status == "held":
            return {"status": "held", "held_reason": self.reason, "admitted_at": None}
        return {"status": self.status}


@dataclass(frozen=True)
class Usage:
    """A customer's month so far: its plan, tasks admitted, the cap (None: unlimited) and what is left."""

    customer_id: int
    plan: str
    used: int
    cap: int | None

    @property
    def left(self) -> int | None:
        return None if self.cap is None else max(self.cap - self.used, 0)


def month_key(now: datetime | None = None) -> str:
    """The calendar month (UTC) as YYYY-MM: the period of caps, upgrade offers and budget warnings."""
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y-%m")


def _lock(session: Session, customer_id: int) -> Any:
    row = session.execute(sql.LOCK_CUSTOMER_PLAN, {"customer_id": customer_id}).one_or_none()
    if row is None:
        raise NotFound(f"customer {customer_id} not found")
    return row


def _used(session: Session, customer_id: int) -> int:
    return int(session.execute(sql.USED_THIS_MONTH, {"customer_id": customer_id}).scalar_one())


def lock_usage(session: Session, customer_id: int) -> Usage:
    """Take the customer's admission lock (held until the caller's transaction ends) and read its month."""
    row = _lock(session, customer_id)
    return Usage(customer_id, row.plan, _used(session, customer_id), row.monthly_task_cap)


def admit(session: Session, customer_id: int) -> Admission:
    """The admission of one new task for `customer_id`, decided inside the caller's transaction.

    Every path that creates a task asks here (through core.workforce.intake.add_task). Over the plan's
    monthly cap the task is `held` and the month's one upgrade proposal is drafted. NotFound for an unknown
    customer.
    """
    row = _lock(session, customer_id)
    cap = row.monthly_task_cap
    if cap is None:
        return Admission("pending")
    used = _used(session, customer_id)
    if used < cap:
        return Admission("pending")
    propose_upgrade(session, row)
    return Admission("held", f"over the {row.plan} plan's cap: {used} of {cap} tasks used this month")


def propose_upgrade(session: Session, customer: Any) -> int | None:
    """Draft the customer's one upgrade proposal this month (an email with a subscription Checkout link made
    at execution); its id, or None when no plan has more room. No commit."""
    nxt = session.execute(sql.NEXT_PLAN, {"plan": customer.plan}).one_or_none()
    if nxt is None:
        return None
    month = month_key()
    cap_text = "unlimited tasks" if nxt.monthly_task_cap is None else f"{nxt.monthly_task_cap} tasks a month"
    body = (f"Hello {customer.company},\n\nYou have used every task of your {customer.plan} plan this month, so "
            f"new tasks are waiting instead of starting. The {nxt.name} plan gives you {cap_text} for "
            f"{dollars(nxt.monthly_price_cents)} a month; your waiting tasks start as soon as you upgrade:\n\n"
            f"{CHECKOUT_URL_SLOT}\n\nThank you,\nHossAgent")
    payload = {
        "to": customer.contact_email, "subject": f"Upgrade to {nxt.name}: your tasks are waiting", "body": body,
        "customer_id": customer.id,
        "checkout": {"mode": "subscription", "price_id": nxt.stripe_price_id, "plan": nxt.name,
                     "customer_id": customer.id, "stripe_customer_id": customer.stripe_customer_id,
                     "email": customer.contact_email or None},
    }
    missing = "" if nxt.stripe_price_id else f" The {nxt.name} plan has no Stripe price id yet: set it on the Customers page first."
    proposal_id, _ = draft_proposal(
        session, PLANS_ACTOR, vertical="billing", action_type="email", urgency="medium",
        title=f"Upgrade {customer.company} from {customer.plan} to {nxt.name}",
        reasoning=(f"{customer.company} reached the {customer.plan} plan's cap this month; new tasks are held, "
                   f"not dropped. Approving emails a Stripe Checkout link (subscription, {nxt.name} at "
                   f"{dollars(nxt.monthly_price_cents)}/month) created when it is sent.{missing}"),
        payload=payload, dedupe_key=f"plans:upgrade:{customer.id}:{month}",
    )
    return proposal_id


def release_held(session: Session, customer_id: int, actor: Actor) -> tuple[int, ...]:
    """Move the customer's held tasks to pending, oldest first, while its plan has room this month; no commit."""
    usage = lock_usage(session, customer_id)
    room = usage.left
    if room == 0:
        return ()
    ids = session.execute(sql.HELD_OLDEST_FIRST, {"customer_id": customer_id,
                                                  "limit": room if room is not None else None}).scalars().all()
    for task_id in ids:
        transition_task(session, task_id, "pending", actor,
                        values={"admitted_at": func.now(), "run_after": func.now(), "held_reason": None},
                        metadata={"reason": f"released: the {usage.plan} plan has room this month"})
    return tuple(ids)


def release_all_held(session: Session, actor: Actor = PLANS_ACTOR) -> int:
    """Release held tasks of every customer that has room (a new month, a raised cap); one commit per customer."""
    released = 0
    for customer_id in session.execute(sql.CUSTOMERS_WITH_HELD).scalars().all():
        released += len(release_held(session, customer_id, actor))
        session.commit()
    session.rollback()
    return released
