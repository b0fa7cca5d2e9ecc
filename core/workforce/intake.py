"""The one way a task is created: Onboarding, the CLI, the API and the console all call add_task."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core.approvals.acting import check
from core.audit import Actor, record_audit
from core.config.store import validate_cents
from core.errors import InvalidInput, NotFound
from core.plans.entitlements import admit
from core.workforce.hiring import worker_for_role
from core.workforce.roles import all_roles
from db.models import Agent, Customer, Task

DEFAULT_REWARD_CENTS = 80
MAX_DESCRIPTION_CHARS = 4000


def add_task(session: Session, *, customer_id: int, description: str, reward_cents: int, actor: Actor,
             agent: str | None = None) -> int:
    """Insert one task (its status decided by the customer's plan), for worker `agent` or the Ops prompt; audit it.

    The caller commits.
    """
    admission = admit(session, customer_id)
    task_id = session.execute(
        insert(Task).values(customer_id=customer_id, description=description, reward_cents=reward_cents,
                            agent=agent, **admission.columns).returning(Task.id)
    ).scalar_one()
    record_audit(session, actor, "task", task_id, None, admission.status,
                 {"customer_id": customer_id, "description": description, "reward_cents": reward_cents,
                  **({"agent": agent} if agent else {}),
                  **({"reason": admission.reason} if admission.reason else {})})
    return task_id


def add_task_checked(session: Session, *, customer_id: int, description: str, reward_cents: int, actor: Actor,
                     agent: str | None = None) -> tuple[int, str]:
    """add_task for outside input (CLI, API, console): (id, status); NotFound / InvalidInput first. No commit."""
    check(session, actor, "add_task")
    description = description.strip()
    if not description or len(description) > MAX_DESCRIPTION_CHARS or "\x00" in description:
        raise InvalidInput(f"a task description is 1-{MAX_DESCRIPTION_CHARS} characters")
    validate_cents(reward_cents, field="reward_cents")  # 0 to MAX_CENTS: 20 digits would overflow the column
    if session.execute(select(Customer.id).where(Customer.id == customer_id)).scalar_one_or_none() is None:
        raise NotFound(f"customer {customer_id} not found")
    if agent is not None:
        fired = session.execute(select(Agent.fired_at).where(Agent.name == agent, Agent.kind == "worker")).one_or_none()
        if fired is None:
            raise NotFound(f"no worker named {agent!r}")
        if fired[0] is not None:
            raise InvalidInput(f"{agent} was fired; give the task to another worker")
    task_id = add_task(session, customer_id=customer_id, description=description, reward_cents=reward_cents,
                       actor=actor, agent=agent)
    status = session.execute(select(Task.status).where(Task.id == task_id)).scalar_one()
    return task_id, status


def assign_worker(session: Session, description: str) -> str | None:
    """The worker a starter task goes to: the first role whose keywords it mentions, its first active worker."""
    words = description.lower()
    for template in all_roles():
        if any(k in words for k in template.starter_keywords):
            worker = worker_for_role(session, template)
            if worker is not None:
                return worker
    return None
