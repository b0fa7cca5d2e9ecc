"""The one way a task is created: Onboarding, the CLI, the API and the console all call add_task."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class GivenTask:
    """A task given from the console: its id, status, and one sentence saying where it stands (the cap in words)."""

    task_id: int
    status: str
    message: str


def give_task(session: Session, *, customer_id: int, description: str, actor: Actor, agent: str | None = None,
              reward_cents: int = DEFAULT_REWARD_CENTS) -> GivenTask:
    """Give a worker (or the Ops prompt) a task for a customer from the console (Workforce and Customers pages):
    add_task_checked with the plan's cap applied, and the outcome said in words. No commit."""
    task_id, status = add_task_checked(session, customer_id=customer_id, description=description,
                                       reward_cents=reward_cents, actor=actor, agent=agent)
    row = session.execute(select(Task.held_reason, Customer.company).join(Customer, Customer.id == Task.customer_id)
                          .where(Task.id == task_id)).one()
    who = agent or "the Ops prompt"
    if status == "held":
        return GivenTask(task_id, status, f"Task {task_id} for {row.company} is held, not started: {row.held_reason}. "
                                          "It starts once the plan has room (an upgrade proposal is in the inbox).")
    return GivenTask(task_id, status, f"Task {task_id} given to {who} for {row.company}: it starts at the next free "
                                      "slot" + (f" while {agent} is on duty." if agent else "."))


def give_task_choices(session: Session) -> tuple[list[tuple[int, str]], list[str]]:
    """The give-a-task forms' choices: every customer (id, company) and every active worker's name. Read-only."""
    customers = [(r.id, r.company) for r in session.execute(select(Customer.id, Customer.company)
                                                              .order_by(Customer.company, Customer.id))]
    workers = list(session.execute(select(Agent.name).where(Agent.kind == "worker", Agent.fired_at.is_(None))
                                   .order_by(Agent.name)).scalars())
    session.rollback()
    return customers, workers


def assign_worker(session: Session, description: str) -> str | None:
    """The worker a starter task goes to: the first role whose keywords it mentions, its first active worker."""
    words = description.lower()
    for template in all_roles():
        if any(k in words for k in template.starter_keywords):
            worker = worker_for_role(session, template)
            if worker is not None:
                return worker
    return None
