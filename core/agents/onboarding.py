"""Onboarding agent (SPEC §3): a responded lead becomes one customer with 2–3 starter tasks, exactly once."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from core.agents.runs import AgentResult, agent_run
from core.audit import Actor, record_audit
from core.config.settings import Settings
from core.transitions import transition_lead
from core.workforce.intake import add_task, assign_worker
from db.models import Customer, Lead

AGENT = "onboarding"
ACTOR = Actor.agent(AGENT)
READY_STATUSES = ("responded", "qualified_candidate")
STARTER_TASKS = (
    "Initial market research for {company}",
    "Competitive landscape review for {company}",
    "Draft executive summary for {company}",
)
REWARD_MIN_CENTS, REWARD_MAX_CENTS = 50, 100


@dataclass(frozen=True)
class Onboarded:
    """What onboarding one lead made."""

    lead_id: int
    customer_id: int
    company: str
    task_ids: tuple[int, ...]
    rewards_cents: tuple[int, ...]


def starter_tasks(lead_id: int, company: str) -> list[tuple[str, int]]:
    """The 2–3 starter (description, reward_cents) for a lead; deterministic per lead id."""
    rng = random.Random(lead_id)
    n = rng.choice((2, 3))
    return [(d.format(company=company), rng.randint(REWARD_MIN_CENTS, REWARD_MAX_CENTS)) for d in STARTER_TASKS[:n]]


def _lock_next_candidate(session: Session, skip: set[int]) -> tuple[int, str, str] | None:
    """Lock the oldest ready lead without a customer that no other runner holds; (id, company, email) or None."""
    stmt = (
        select(Lead.id, Lead.company, Lead.email)
        .where(Lead.status.in_(READY_STATUSES), ~exists().where(Customer.lead_id == Lead.id))
        .order_by(Lead.id)
        .limit(1)
        # SKIP LOCKED: a concurrent runner moves on to the next lead instead of waiting or duplicating.
        .with_for_update(of=Lead, skip_locked=True)
    )
    if skip:
        stmt = stmt.where(Lead.id.not_in(skip))
    row = session.execute(stmt).first()
    return (row.id, row.company, row.email) if row else None


def onboard_lead(session: Session, lead_id: int, company: str, email: str) -> Onboarded | None:
    """Create the customer and starter tasks and qualify the (locked) lead; None if it already has a customer.

    No commit: the caller commits, so customer, tasks, lead status and their audit rows land together.
    """
    # The unique lead_id is the last guard: a customer made by anyone else meanwhile means nothing to do.
    customer_id = session.execute(
        pg_insert(Customer)
        .values(company=company, contact_email=email, plan="starter", status="active",
                notes=f"Created from lead {lead_id}", lead_id=lead_id)
        .on_conflict_do_nothing(index_elements=["lead_id"])
        .returning(Customer.id)
    ).scalar_one_or_none()
    if customer_id is None:
        return None
    record_audit(session, ACTOR, "customer", customer_id, None, "active",
                 {"lead_id": lead_id, "plan": "starter", "company": company})
    specs = starter_tasks(lead_id, company)
    # Each starter task goes to a worker by role (SPEC §12); none hired for it: the Ops pool's own prompt.
    task_ids = tuple(add_task(session, customer_id=customer_id, description=desc, reward_cents=reward, actor=ACTOR,
                              agent=assign_worker(session, desc))
                     for desc, reward in specs)
    transition_lead(session, lead_id, "qualified", ACTOR, metadata={"customer_id": customer_id})
    return Onboarded(lead_id, customer_id, company, task_ids, tuple(r for _, r in specs))


def run_onboarding_agent(
    session: Session, settings: Settings, *, trigger: str = "manual", limit: int | None = None,
    actor: Actor | None = None,
) -> AgentResult:
    """Onboard every ready lead without a customer (up to `limit`), one transaction per lead; safe to run concurrently."""
    with agent_run(session, AGENT, trigger, actor, heartbeat_seconds=settings.hoss_heartbeat_seconds) as run:
        skip: set[int] = set()
        while limit is None or run.items < limit:
            candidate = _lock_next_candidate(session, skip)
            if candidate is None:
                session.rollback()
                break
            lead_id, company, email = candidate
            skip.add(lead_id)  # never pick the same lead twice in one run, whatever happens to it
            done = onboard_lead(session, lead_id, company, email)
            session.commit()
            if done is None:
                run.note(f"Lead {lead_id} {company} already has a customer; skipped.")
                continue
            total = sum(done.rewards_cents)
            run.did(
                f"Lead {lead_id} {company} -> customer {done.customer_id} (starter, active) with "
                f"{len(done.task_ids)} tasks {list(done.task_ids)} worth {total} cents; lead qualified"
            )
        if run.items == 0 and not run.lines:
            run.note("No responded leads waiting for onboarding.")
        run.summary = f"{run.items} lead(s) onboarded"
    return run.result()
