"""Read models of the workforce: one task with its steps (task show, the task view) and per-worker figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.memory.lessons import UsedLesson, lessons_named
from core.money.figures import gross_margin_cents
from core.workforce.hiring import Worker, get_worker, next_on_duty
from db.models import Customer, Task, TaskStep


@dataclass(frozen=True)
class StepView:
    """One row of task_steps as the timeline shows it (prompt and response are the trace, shown on demand)."""

    id: int
    idx: int
    name: str
    revision: int
    status: str
    attempt: int
    artifact: str | None
    prompt: str | None
    response: str | None
    model: str | None
    input_tokens: int
    output_tokens: int
    cost_cents: int
    latency_ms: int | None
    error: str | None
    started_at: datetime | None
    finished_at: datetime | None
    version: int | None = None  # the worker's instructions version the step ran (SPEC §20)
    lesson_ids: tuple[int, ...] = ()  # the customer lessons its prompt carried, newest first (SPEC §20)


@dataclass(frozen=True)
class TaskDetail:
    """A task, its worker and customer, and every step row in the order they ran (superseded ones included)."""

    id: int
    status: str
    agent: str | None
    customer_id: int
    company: str
    description: str
    reward_cents: int
    cost_cents: int
    profit_cents: int
    input_tokens: int
    output_tokens: int
    revision: int
    review_note: str | None
    result_summary: str | None
    last_error: str | None
    created_at: datetime
    completed_at: datetime | None
    steps: tuple[StepView, ...]
    starts_at: datetime | None = None  # a pending task: when it may start (its run_after, or its worker's next shift)
    off_duty: bool = False  # its worker is off duty now, so it starts when the next shift does
    lessons: tuple[UsedLesson, ...] = ()  # every lesson a step carried, forgotten ones too, newest first

    @property
    def steps_cost_cents(self) -> int:
        return sum(s.cost_cents for s in self.steps)

    def lessons_of(self, step: StepView) -> tuple[UsedLesson, ...]:
        """The lessons `step`'s prompt carried, newest first, with their text."""
        return tuple(lesson for lesson in self.lessons if lesson.id in step.lesson_ids)


def task_detail(session: Session, task_id: int) -> TaskDetail:
    """The task and its steps; NotFound for an unknown id. Read-only (rolls back)."""
    row = session.execute(select(Task, Customer.company).join(Customer, Customer.id == Task.customer_id)
                          .where(Task.id == task_id)).one_or_none()
    if row is None:
        session.rollback()
        raise NotFound(f"task {task_id} not found")
    t, company = row
    steps = session.execute(select(TaskStep).where(TaskStep.task_id == task_id)
                            .order_by(TaskStep.revision, TaskStep.idx, TaskStep.id)).scalars().all()
    views = tuple(StepView(s.id, s.idx, s.name, s.revision, s.status, s.attempt, s.artifact, s.prompt, s.response,
                           s.model, s.input_tokens, s.output_tokens, s.cost_cents, s.latency_ms, s.error,
                           s.started_at, s.finished_at, s.version, tuple(s.lesson_ids or ())) for s in steps)
    used = lessons_named(session, (n for step in views for n in step.lesson_ids))
    detail = TaskDetail(
        t.id, t.status, t.agent, t.customer_id, company, t.description, t.reward_cents, t.cost_cents,
        t.profit_cents, t.input_tokens, t.output_tokens, t.revision, t.review_note, t.result_summary, t.last_error,
        t.created_at, t.completed_at, views, *_start(session, t), lessons=used)
    session.rollback()
    return detail


def _start(session: Session, t: Task) -> tuple[datetime | None, bool]:
    """When a pending task may start: its run_after, moved to its worker's next shift while the worker is off duty."""
    if t.status != "pending":
        return None, False
    now = datetime.now(timezone.utc)
    start = max(t.run_after or now, now)
    worker: Worker | None = None
    if t.agent:
        try:
            worker = get_worker(session, t.agent)
        except NotFound:
            worker = None
    if worker is None or worker.hours is None:
        return start, False
    shift = next_on_duty(worker.hours, start)
    return shift, shift > start


def task_json(detail: TaskDetail) -> dict[str, Any]:
    """`task show --json`: {"id", "status", "agent", "cost_cents", "steps": [...]} (plus a few useful extras)."""
    return {
        "id": detail.id, "status": detail.status, "agent": detail.agent, "cost_cents": detail.cost_cents,
        "customer_id": detail.customer_id, "revision": detail.revision, "input_tokens": detail.input_tokens,
        "output_tokens": detail.output_tokens,
        "steps": [{"name": s.name, "status": s.status, "attempt": s.attempt, "input_tokens": s.input_tokens,
                   "output_tokens": s.output_tokens, "cost_cents": s.cost_cents, "artifact": s.artifact,
                   "revision": s.revision, "latency_ms": s.latency_ms, "version": s.version,
                   "lesson_ids": list(s.lesson_ids)} for s in detail.steps],
    }


@dataclass(frozen=True)
class WorkerStats:
    """One worker's record: tasks done, how often sent back, approved as is, money, and median time to done."""

    name: str
    done: int
    revision_rate: float | None  # share of done tasks that went back at least once
    approved_as_is_rate: float | None  # share of reviewed-and-approved tasks approved at their first version
    cost_cents: int  # LLM spend of all the worker's tasks, whatever their status
    earned_cents: int
    margin_cents: int  # gross margin: earned − the LLM cost of done tasks (core.money.figures)
    median_minutes_to_done: float | None


_STATS = text("""
    SELECT a.name,
        count(t.id) FILTER (WHERE t.status = 'done') AS done,
        count(t.id) FILTER (WHERE t.status = 'done' AND t.revision > 0) AS revised,
        count(t.id) FILTER (WHERE t.status = 'done' AND EXISTS (SELECT 1 FROM audit_log l WHERE l.entity = 'task'
            AND l.entity_id = t.id::text AND l.from_status = 'needs_review' AND l.to_status = 'done')) AS reviewed,
        count(t.id) FILTER (WHERE t.status = 'done' AND t.revision = 0 AND EXISTS (SELECT 1 FROM audit_log l
            WHERE l.entity = 'task' AND l.entity_id = t.id::text AND l.from_status = 'needs_review'
            AND l.to_status = 'done')) AS as_is,
        coalesce(sum(t.cost_cents), 0) AS cost,
        coalesce(sum(t.cost_cents) FILTER (WHERE t.status = 'done'), 0) AS done_cost,
        coalesce(sum(t.reward_cents) FILTER (WHERE t.status = 'done'), 0) AS earned,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.completed_at - t.created_at) / 60.0)
            FILTER (WHERE t.status = 'done') AS median_minutes
    FROM agents a LEFT JOIN tasks t ON t.agent = a.name
    WHERE a.kind = 'worker'
    GROUP BY a.name ORDER BY a.name
""")


def worker_stats(session: Session) -> list[WorkerStats]:
    """Every worker's figures (fired ones included: their work still counts). Read-only."""
    rows = session.execute(_STATS).all()
    session.rollback()
    return [WorkerStats(r.name, r.done, (r.revised / r.done) if r.done else None,
                        (r.as_is / r.reviewed) if r.reviewed else None, int(r.cost), int(r.earned),
                        gross_margin_cents(int(r.earned), int(r.done_cost)), None if r.median_minutes is None else float(r.median_minutes))
            for r in rows]


def recent_worker_tasks(session: Session, *, limit: int = 50) -> list[dict[str, Any]]:
    """The newest tasks of hired workers, with a link to the task view. Read-only."""
    rows = session.execute(
        select(Task.id, Task.agent.label("worker"), Customer.company.label("customer"), Task.description,
               Task.status, Task.revision, Task.cost_cents, Task.reward_cents, Task.created_at)
        .join(Customer, Customer.id == Task.customer_id).where(Task.agent.is_not(None))
        .order_by(Task.id.desc()).limit(limit)).mappings().all()
    session.rollback()
    return [{"view": f"task?task={r['id']}", **r} for r in rows]
