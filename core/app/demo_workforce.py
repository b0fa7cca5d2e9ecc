"""Demo data for the hired workers: finished workflows, steps and all, and one waiting for review per worker.

Mock-mode work (labelled artifacts, no LLM cost), so the Workforce page's record and the task view's timeline
have something to show on a fresh `make run`, and nobody mistakes it for real output.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from core.approvals.operators import INSTALL_OWNER
from core.audit import Actor, record_audit
from core.llm import pricing
from core.money.figures import profit_cents
from core.workforce.hiring import list_workers
from core.workforce.prompts import StepContext, mock_artifact
from core.workforce.roles import role_template
from db.models import Customer, CustomerLesson, Task, TaskStep

TASKS_PER_WORKER = 3
DESCRIPTIONS = {
    "research-analyst": ("Market map of {c}'s closest competitors", "Pricing tiers in {c}'s market"),
    "copywriter": ("Launch email for {c}'s spring offer", "Landing page copy for {c}"),
    "sdr": ("Outreach sequence for {c}'s partner channel", "Follow-up emails after {c}'s webinar"),
}


def seed_worker_tasks(session: Session, rng: random.Random, now: datetime,
                      customers: list[tuple[int, str, datetime]]) -> int:
    """Per active worker: finished workflows and, when its work is reviewed, the newest waiting for review."""
    if not customers:
        return 0
    n = 0
    for worker in list_workers(session):
        template = role_template(worker.role)
        ideas = DESCRIPTIONS.get(worker.role, ("Weekly summary for {c}",))
        for i in range(TASKS_PER_WORKER):
            cid, company, _since = rng.choice(customers)
            waiting = worker.review_required and i == TASKS_PER_WORKER - 1
            created = now - timedelta(days=rng.randint(1, 20) if not waiting else 0, hours=rng.randint(1, 9))
            description = rng.choice(ideas).format(c=company)
            reward = rng.randint(4_000, 12_000)  # a multi-step deliverable: $40–$120
            took = [timedelta(seconds=rng.randint(20, 90)) for _ in template.steps]
            cost = pricing.MOCK_COST_CENTS * len(template.steps)
            task_id = session.execute(insert(Task).values(
                customer_id=cid, description=description, agent=worker.name, reward_cents=reward,
                status="needs_review" if waiting else "done", mode="mock", model="mock", attempts=1,
                cost_cents=cost, profit_cents=profit_cents(reward, cost), created_at=created,
                admitted_at=created,
                run_after=created, started_at=created, completed_at=None if waiting else created + sum(took, timedelta()),
            ).returning(Task.id)).scalar_one()
            ctx = StepContext(task_id, description, company, "pro", "", worker.name, worker.tone)
            artifacts, at = [], created
            for idx, (step, spent) in enumerate(zip(template.steps, took, strict=True)):
                artifacts.append(mock_artifact(step, ctx))
                session.execute(insert(TaskStep).values(
                    task_id=task_id, idx=idx, name=step.name, status="done", attempt=1, artifact=artifacts[-1],
                    prompt="(demo data: no prompt was sent)", response=artifacts[-1], model="mock",
                    cost_cents=pricing.MOCK_COST_CENTS, latency_ms=0, started_at=at, finished_at=at + spent))
                at += spent
            session.execute(update(Task).where(Task.id == task_id).values(
                result_summary=artifacts[template.deliverable_index]))
            n += 1
    return n


# What a reviewer would have taught the workers about the first demo customers: a review note on a worker's task,
# an operator's own line, and one edited after the fact (only for that worker), so the tab is not empty.
LESSONS = (
    ("review_note", False, "Quote prices in euros with VAT shown separately: {c} pays in euros, from Germany and Austria."),
    ("operator", False, "Keep outreach emails under 120 words and never open with \"I hope this finds you well\"."),
    ("edit", True, "The CFO at {c} reads every summary: lead with the figure, then the reason, then the next step."),
)


def seed_lessons(session: Session, now: datetime, actor: Actor) -> int:
    """Three lessons over the first two customers with worker tasks, in the install owner's name; audited."""
    rows = session.execute(select(Task.id, Task.customer_id, Task.agent, Task.created_at, Customer.company)
                           .join(Customer, Customer.id == Task.customer_id).where(Task.agent.isnot(None))
                           .order_by(Task.id)).all()
    first_task: dict[int, object] = {}
    for row in rows:
        first_task.setdefault(row.customer_id, row)
    firsts = list(first_task.values())[:2]
    if not firsts:
        return 0
    n = 0
    for i, (source, for_worker, words) in enumerate(LESSONS):
        task = firsts[min(i // 2, len(firsts) - 1)]
        # after the task it came from, before now
        added = min(max(task.created_at, now - timedelta(days=6 - 2 * i)) + timedelta(hours=3),
                    now - timedelta(minutes=40 * (3 - i)))
        lesson_id = session.execute(insert(CustomerLesson).values(
            customer_id=task.customer_id, agent=task.agent if for_worker else None, text=words.format(c=task.company),
            source=source, task_id=task.id if source != "operator" else None, added_by=INSTALL_OWNER,
            created_at=added - timedelta(days=1) if source == "edit" else added,
            updated_at=added if source == "edit" else None).returning(CustomerLesson.id)).scalar_one()
        record_audit(session, actor, "lesson", lesson_id, None, "active",
                     {"customer_id": task.customer_id, "source": source, "seed": True})
        n += 1
    return n
