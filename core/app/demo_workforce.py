"""Demo data for the hired workers: finished workflows, steps and all, and one waiting for review per worker.

Mock-mode work (labelled artifacts, no LLM cost), so the Workforce page's record and the task view's timeline
have something to show on a fresh `make run`, and nobody mistakes it for real output.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from core.llm import pricing
from core.money.figures import profit_cents
from core.workforce.hiring import list_workers
from core.workforce.prompts import StepContext, mock_artifact
from core.workforce.roles import role_template
from db.models import Task, TaskStep

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
