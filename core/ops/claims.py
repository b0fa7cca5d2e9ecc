"""Task claims, leases and requeues: what the Ops workers do to a task, each one statement (core.ops.sql); a
finished run is completed by core.workforce.finish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from core.approvals.acting import check
from core.audit import Actor
from core.memory.prompt import LESSON_KEYS
from core.ops import sql
from core.plans.budgets import BUDGET_FACT_KEYS, BudgetFacts
from core.transitions import transition_task


@dataclass(frozen=True)
class Claim:
    """A task this worker holds: what the prompt needs and the (worker, attempt) pair that guards its outcome."""

    task_id: int
    customer_id: int
    description: str
    reward_cents: int
    attempt: int
    worker: str
    company: str
    plan: str
    notes: str
    reclaimed_from: str | None = None
    # A hired worker's task (SPEC §12): the worker, its role and settings, and the review round it is in.
    agent: str | None = None
    role: str | None = None
    tone: str = ""
    model: str | None = None
    review_required: bool = False
    revision: int = 0
    review_note: str | None = None
    # The workflow's steps already done (a resumed or revised task): (idx, artifact), never called again.
    done_steps: tuple[tuple[int, str], ...] = ()
    # The task's budget facts as of the claim: what the check before its first LLM call reads.
    budget: BudgetFacts | None = None
    # What the task's step rows spent before this claim (cost, input tokens, output tokens), and its customer's
    # Google Sheet: what the run's completion adds its calls to, and whether it drafts a sheet row.
    spent: tuple[int, int, int] = (0, 0, 0)
    sheet_id: str | None = None
    # The worker's instructions version (SPEC §20): its number, recorded on every step row, and the step prompts
    # it overrides the template's with, (step name, instruction).
    version: int | None = None
    step_prompts: tuple[tuple[str, str], ...] = ()
    # The customer's newest active lessons (SPEC §20), (id, text) newest first: what every step's prompt carries.
    lessons: tuple[tuple[int, str], ...] = ()


def claim_next(session: Session, worker: str, lease_seconds: float) -> Claim | None:
    """Claim a lapsed-lease task or the oldest due pending task, audit it and commit; None when nothing is claimable."""
    row = session.execute(sql.CLAIM, {"worker": worker, "lease": lease_seconds, "task_id": None,
                                      **BUDGET_FACT_KEYS, **LESSON_KEYS}).first()
    return _finish_claim(session, row, worker)


def claim_task(session: Session, task_id: int, worker: str, lease_seconds: float) -> Claim | None:
    """Claim one named task if it is due-pending or its lease lapsed; commit. None when it is not claimable."""
    row = session.execute(sql.CLAIM, {"worker": worker, "lease": lease_seconds, "task_id": task_id,
                                      **BUDGET_FACT_KEYS, **LESSON_KEYS}).first()
    return _finish_claim(session, row, worker)


def _finish_claim(session: Session, row, worker: str) -> Claim | None:  # noqa: ANN001 - a result Row
    if row is None:
        session.rollback()
        return None
    reclaimed = row.kind == "reclaim"
    session.commit()
    agent_settings = row.agent_settings or {}
    return Claim(row.id, row.customer_id, row.description, row.reward_cents, row.attempts, worker,
                 row.company, row.plan, row.notes or "", row.prev_worker if reclaimed else None,
                 agent=row.agent, role=row.role, tone=str(agent_settings.get("tone") or ""),
                 model=agent_settings.get("model") or None, review_required=bool(row.review_required),
                 revision=row.revision or 0, review_note=row.review_note,
                 done_steps=tuple((int(idx), str(artifact)) for idx, artifact in row.done_steps or ()),
                 budget=BudgetFacts.from_mapping(row.budget_facts) if row.budget_facts else None,
                 spent=tuple(int(n) for n in row.spent), sheet_id=row.sheet_id,
                 version=agent_settings.get("version"),
                 step_prompts=tuple(sorted((agent_settings.get("step_prompts") or {}).items())),
                 lessons=tuple((int(i), str(t)) for i, t in row.lessons or ()))


def renew_leases(session: Session, claims: list[Claim], lease_seconds: float) -> int:
    """Push the leases of tasks this process still runs; return how many rows were renewed."""
    if not claims:
        return 0
    result = session.execute(sql.RENEW_LEASES, {"lease": lease_seconds, "ids": [c.task_id for c in claims],
                                         "workers": sorted({c.worker for c in claims})})
    session.commit()
    return result.rowcount


def backoff_seconds(attempt: int, base: float, cap: float) -> float:
    """Exponential retry delay: base · 2^(attempt−1), capped."""
    return min(base * (2 ** max(attempt - 1, 0)), cap)


def requeue_claim(
    session: Session, claim: Claim, error: str, *, final: bool, give_back: bool, delay: float, reason: str,
) -> str | None:
    """Put the task back to pending after `delay` (or `failed` when final), keep the error; commit. None if stale."""
    to_status = "failed" if final else "pending"
    row = session.execute(sql.REQUEUE, {
        "id": claim.task_id, "worker": claim.worker, "attempt": claim.attempt, "to_status": to_status,
        "give_back": 1 if give_back else 0, "error": error[:2000], "delay": max(delay, 0.0), "reason": reason,
        "retry_in": None if final else round(delay, 3),
    }).first()
    session.commit()
    return None if row is None else row.status


def review_claim(session: Session, claim: Claim, reason: str) -> bool:
    """Send the claimed task to needs_review with `reason` (a budget stop before its LLM call); commit.

    False when the claim was no longer ours.
    """
    row = session.execute(sql.TO_REVIEW, {"id": claim.task_id, "worker": claim.worker, "attempt": claim.attempt,
                                          "reason": reason[:2000]}).first()
    session.commit()
    return row is not None


def release_claim(session: Session, claim: Claim) -> bool:
    """Hand a task back untouched (shutdown): pending now, attempt given back; False if it was no longer ours."""
    return requeue_claim(session, claim, "released at shutdown before it finished", final=False,
                         give_back=True, delay=0.0, reason="released") is not None


def requeue_failed_task(session: Session, task_id: int, actor: Actor) -> None:
    """A `failed` task becomes pending now with fresh attempts; audited; no commit (bulk retries batch them).

    NotFound for an unknown id; IllegalTransition when the task is not `failed`.
    """
    transition_task(session, task_id, "pending", actor, values={
        "attempts": 0, "run_after": datetime.now(timezone.utc), "claimed_by": None, "lease_expires_at": None,
    }, metadata={"action": "retry"})


def retry_failed_task(session: Session, task_id: int, actor: Actor) -> None:
    """The console's retry of one task (requeue_failed_task) in its own transaction; commit."""
    check(session, actor, "run_agent")
    requeue_failed_task(session, task_id, actor)
    session.commit()


def work_due(session: Session) -> bool:
    """Whether a task is claimable now: pending and due, or running with a lapsed lease (its worker died)."""
    return bool(session.execute(sql.WORK_DUE).scalar_one())


def seconds_until_work(session: Session) -> float | None:
    """Seconds until the next pending task falls due or the next lease lapses (<= 0: now); None when neither exists."""
    value = session.execute(sql.SECONDS_UNTIL_WORK).scalar_one()
    return None if value is None else float(value)
