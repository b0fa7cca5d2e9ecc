"""The one way a task is created: Onboarding, the CLI, the API and the console all call add_task."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from core.audit import Actor, record_audit
from core.plans.entitlements import admit
from db.models import Task


def add_task(session: Session, *, customer_id: int, description: str, reward_cents: int, actor: Actor) -> int:
    """Insert one task (its status decided by the customer's plan) and audit it; the caller commits."""
    admission = admit(session, customer_id)
    task_id = session.execute(
        insert(Task).values(customer_id=customer_id, description=description, reward_cents=reward_cents,
                            **admission.columns).returning(Task.id)
    ).scalar_one()
    record_audit(session, actor, "task", task_id, None, admission.status,
                 {"customer_id": customer_id, "description": description, "reward_cents": reward_cents,
                  **({"reason": admission.reason} if admission.reason else {})})
    return task_id
