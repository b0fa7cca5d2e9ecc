"""Task claims, leases and outcomes: every SQL statement the Ops workers run, each in a short transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.audit import Actor
from core.proposals import draft_proposal
from core.settings import Settings
from core.transitions import transition_task

OPS_ACTOR = Actor.agent("ops")

# Lapsed leases first (their worker died), then the oldest claimable pending task. Each branch walks its
# partial index (ix_tasks_lease / ix_tasks_claimable), locks one row and skips rows other claimers hold.
# The branches sit in sub-selects because FOR UPDATE is not allowed directly under UNION.
_CANDIDATE = """
    SELECT id, kind, prev_worker FROM (
        SELECT id, 'reclaim' AS kind, claimed_by AS prev_worker FROM tasks
        WHERE status = 'running' AND lease_expires_at < now()
        ORDER BY lease_expires_at LIMIT 1 FOR UPDATE SKIP LOCKED) expired
    UNION ALL
    SELECT id, kind, prev_worker FROM (
        SELECT id, 'claim' AS kind, NULL::text AS prev_worker FROM tasks
        WHERE status = 'pending' AND run_after <= now() {only_id}
        ORDER BY run_after, id LIMIT 1 FOR UPDATE SKIP LOCKED) pending
    LIMIT 1
"""
# Each statement below changes a task AND writes its audit row (and, on completion, the ledger entry) in
# one data-modifying CTE: one round trip, atomic on its own, so a slot's pinned connection can run them in
# autocommit with no BEGIN/COMMIT round trips. `record_audit`'s columns, written by SQL.
_AUDIT = """
    audit AS (
        INSERT INTO audit_log (actor_type, actor_id, entity, entity_id, from_status, to_status, metadata)
        SELECT 'agent', 'ops', 'task', id::text, {from_status}, {to_status}, jsonb_strip_nulls({metadata})
        FROM {source})
"""
_CLAIM = """
    WITH candidate AS ({candidate}),
    claimed AS (
        UPDATE tasks t SET status = 'running', claimed_by = :worker, attempts = t.attempts + 1,
            lease_expires_at = now() + make_interval(secs => :lease), started_at = now()
        FROM candidate, customers c
        WHERE t.id = candidate.id AND c.id = t.customer_id
        RETURNING t.id, t.customer_id, t.description, t.reward_cents, t.attempts,
            candidate.kind, candidate.prev_worker, c.company, c.plan, c.notes),
""" + _AUDIT.format(
    from_status="CASE WHEN kind = 'reclaim' THEN 'running' ELSE 'pending' END", to_status="'running'",
    metadata="jsonb_build_object('worker', CAST(:worker AS text), 'attempt', attempts, "
             "'reclaimed_from', prev_worker)", source="claimed",
) + "SELECT * FROM claimed"
CLAIM_NEXT_SQL = text(_CLAIM.format(candidate=_CANDIDATE.format(only_id="")))
# A named task: only itself, pending-and-due or with a lapsed lease.
CLAIM_ONE_SQL = text(_CLAIM.format(candidate=_CANDIDATE.replace(
    "WHERE status = 'running' AND", "WHERE id = :task_id AND status = 'running' AND"
).format(only_id="AND id = :task_id")))

RENEW_SQL = text("""
    UPDATE tasks SET lease_expires_at = now() + make_interval(secs => :lease)
    WHERE id = ANY(:ids) AND claimed_by = ANY(:workers) AND status = 'running'
""")
# The guard (worker, attempt, running) makes a reclaimed task's stale worker a no-op: completed once.
_GUARD = "id = :id AND claimed_by = :worker AND attempts = :attempt AND status = 'running'"
COMPLETE_SQL = text(f"""
    WITH done AS (
        UPDATE tasks SET status = 'done', result_summary = :summary, model = :model, mode = :mode,
            input_tokens = :input_tokens, output_tokens = :output_tokens, cost_cents = :cost,
            profit_cents = GREATEST(reward_cents - :cost, 0), completed_at = now(),
            lease_expires_at = NULL, last_error = NULL
        WHERE {_GUARD}
        RETURNING id, profit_cents),
    ledger AS (
        INSERT INTO ledger_entries (direction, amount_cents, counterparty, category, source, ref, description)
        SELECT 'out', :cost, 'OpenAI', 'llm', 'llm_usage', :ref, :description FROM done WHERE :cost > 0
        ON CONFLICT (source, ref) DO NOTHING),
""" + _AUDIT.format(
    from_status="'running'", to_status="'done'",
    metadata="jsonb_build_object('worker', CAST(:worker AS text), 'attempt', CAST(:attempt AS int), "
             "'mode', CAST(:mode AS text), 'cost_cents', CAST(:cost AS bigint), 'profit_cents', profit_cents)",
    source="done",
) + "SELECT profit_cents FROM done")
REQUEUE_SQL = text(f"""
    WITH moved AS (
        UPDATE tasks SET status = :to_status, attempts = attempts - :give_back, last_error = :error,
            run_after = now() + make_interval(secs => :delay), claimed_by = NULL, lease_expires_at = NULL
        WHERE {_GUARD}
        RETURNING id, status),
""" + _AUDIT.format(
    from_status="'running'", to_status="status",
    metadata="jsonb_build_object('worker', CAST(:worker AS text), 'attempt', CAST(:attempt AS int), "
             "'reason', CAST(:reason AS text), 'error', left(CAST(:error AS text), 500), "
             "'retry_in_seconds', CAST(:retry_in AS float8), 'attempt_given_back', CAST(:give_back AS int) = 1)",
    source="moved",
) + "SELECT status FROM moved")
# From the daily rollup the canvas keeps exact by triggers on tasks: one small row per customer and model
# instead of today's task rows. Mock tasks cost nothing, so the sum is the real LLM spend.
SPEND_TODAY_SQL = text("""
    SELECT coalesce(sum(cost_cents), 0) FROM canvas_task_done_daily
    WHERE day = (now() AT TIME ZONE 'UTC')::date
""")
# The operator's budget from the Agents page (settings table) wins over OPS_DAILY_BUDGET_CENTS.
STORED_BUDGET_SQL = text("""
    SELECT (value #>> '{}')::bigint FROM settings
    WHERE key = 'ops.daily_budget_cents' AND jsonb_typeof(value) = 'number'
""")
POOL_STATE_SQL = text("""
    SELECT (SELECT count(*) FROM tasks WHERE status = 'pending'),
           (SELECT count(*) FROM tasks WHERE status = 'running'),
           (SELECT count(*) FROM tasks WHERE status = 'failed'),
           (SELECT coalesce(sum(tasks), 0) FROM canvas_task_done_daily
              WHERE day = (now() AT TIME ZONE 'UTC')::date)
""")


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


@dataclass(frozen=True)
class PoolState:
    """What the control room shows about the Ops queue today (UTC)."""

    pending: int
    running: int
    failed: int
    done_today: int
    spend_today_cents: int
    budget_cents: int | None
    budget_exhausted: bool


def claim_next(session: Session, worker: str, lease_seconds: float) -> Claim | None:
    """Claim a lapsed-lease task or the oldest due pending task, audit it and commit; None when nothing is claimable."""
    row = session.execute(CLAIM_NEXT_SQL, {"worker": worker, "lease": lease_seconds}).first()
    return _finish_claim(session, row, worker)


def claim_task(session: Session, task_id: int, worker: str, lease_seconds: float) -> Claim | None:
    """Claim one named task if it is due-pending or its lease lapsed; commit. None when it is not claimable."""
    row = session.execute(CLAIM_ONE_SQL, {"worker": worker, "lease": lease_seconds, "task_id": task_id}).first()
    return _finish_claim(session, row, worker)


def _finish_claim(session: Session, row, worker: str) -> Claim | None:  # noqa: ANN001 - a result Row
    if row is None:
        session.rollback()
        return None
    reclaimed = row.kind == "reclaim"
    session.commit()
    return Claim(row.id, row.customer_id, row.description, row.reward_cents, row.attempts, worker,
                 row.company, row.plan, row.notes or "", row.prev_worker if reclaimed else None)


def renew_leases(session: Session, claims: list[Claim], lease_seconds: float) -> int:
    """Push the leases of tasks this process still runs; return how many rows were renewed."""
    if not claims:
        return 0
    result = session.execute(RENEW_SQL, {"lease": lease_seconds, "ids": [c.task_id for c in claims],
                                         "workers": sorted({c.worker for c in claims})})
    session.commit()
    return result.rowcount


@dataclass(frozen=True)
class Outcome:
    """A finished task's result and its cost."""

    summary: str
    model: str
    mode: str
    input_tokens: int
    output_tokens: int
    cost_cents: int


def complete_claim(session: Session, claim: Claim, outcome: Outcome) -> int | None:
    """Mark the task done (once: refused if it was reclaimed), book LLM spend in the ledger; return profit or None."""
    row = session.execute(COMPLETE_SQL, {
        "id": claim.task_id, "worker": claim.worker, "attempt": claim.attempt, "summary": outcome.summary,
        "model": outcome.model, "mode": outcome.mode, "input_tokens": outcome.input_tokens,
        "output_tokens": outcome.output_tokens, "cost": outcome.cost_cents,
        "ref": f"task:{claim.task_id}:attempt:{claim.attempt}",
        "description": f"{outcome.model}: {outcome.input_tokens} in / {outcome.output_tokens} out tokens",
    }).first()
    session.commit()
    return None if row is None else row.profit_cents


def backoff_seconds(attempt: int, base: float, cap: float) -> float:
    """Exponential retry delay: base · 2^(attempt−1), capped."""
    return min(base * (2 ** max(attempt - 1, 0)), cap)


def requeue_claim(
    session: Session, claim: Claim, error: str, *, final: bool, give_back: bool, delay: float, reason: str,
) -> str | None:
    """Put the task back to pending after `delay` (or `failed` when final), keep the error; commit. None if stale."""
    to_status = "failed" if final else "pending"
    row = session.execute(REQUEUE_SQL, {
        "id": claim.task_id, "worker": claim.worker, "attempt": claim.attempt, "to_status": to_status,
        "give_back": 1 if give_back else 0, "error": error[:2000], "delay": max(delay, 0.0), "reason": reason,
        "retry_in": None if final else round(delay, 3),
    }).first()
    session.commit()
    return None if row is None else row.status


def release_claim(session: Session, claim: Claim) -> bool:
    """Hand a task back untouched (shutdown): pending now, attempt given back; False if it was no longer ours."""
    return requeue_claim(session, claim, "released at shutdown before it finished", final=False,
                         give_back=True, delay=0.0, reason="released") is not None


def retry_failed_task(session: Session, task_id: int, actor: Actor) -> None:
    """The console's retry: a `failed` task becomes pending now with fresh attempts; audited; commit."""
    transition_task(session, task_id, "pending", actor, values={
        "attempts": 0, "run_after": datetime.now(timezone.utc), "claimed_by": None, "lease_expires_at": None,
    }, metadata={"action": "retry"})
    session.commit()


def spend_today_cents(session: Session) -> int:
    """LLM spend of tasks completed today (UTC), in cents."""
    return int(session.execute(SPEND_TODAY_SQL).scalar_one())


def daily_budget_cents(session: Session, settings: Settings) -> int | None:
    """Today's LLM budget: the one set on the Agents page, else OPS_DAILY_BUDGET_CENTS, else None (no cap)."""
    stored = session.execute(STORED_BUDGET_SQL).scalar_one_or_none()
    return int(stored) if stored is not None else settings.ops_daily_budget_cents


def budget_exhausted(session: Session, settings: Settings) -> bool:
    """Whether today's LLM spend reached the daily budget (never in mock mode or with no budget)."""
    if settings.llm_mode != "openai":
        return False
    budget = daily_budget_cents(session, settings)
    return budget is not None and spend_today_cents(session) >= budget


def propose_budget_increase(session: Session, settings: Settings, spent: int) -> tuple[int, bool]:
    """Draft the day's one `budget_increase` proposal (deduplicated by date); commit; return (id, created)."""
    budget = daily_budget_cents(session, settings) or 0
    day = datetime.now(timezone.utc).date().isoformat()
    proposal = draft_proposal(
        session, OPS_ACTOR, vertical="ops", action_type="budget_increase", urgency="high",
        title=f"Ops paused: daily LLM budget of ${budget / 100:.2f} spent ({day})",
        reasoning=(f"Today's LLM spend is {spent} cents against a daily budget of {budget} cents. The Ops pool "
                   "stopped claiming tasks; approve a higher budget to resume today, or tasks wait until tomorrow."),
        payload={"date": day, "current_budget_cents": budget, "spent_today_cents": spent,
                 "proposed_budget_cents": max(budget * 2, budget + 100)},
        dedupe_key=f"ops:budget:{day}",
    )
    session.commit()
    return proposal


def pool_state(session: Session, settings: Settings) -> PoolState:
    """Queue counts, today's spend and whether the daily budget stops new LLM calls."""
    pending, running, failed, done_today = session.execute(POOL_STATE_SQL).one()
    spent = spend_today_cents(session)
    budget = daily_budget_cents(session, settings)
    session.rollback()  # read-only; do not leave a transaction open behind a page
    exhausted = budget is not None and settings.llm_mode == "openai" and spent >= budget
    return PoolState(pending, running, failed, done_today, spent, budget, exhausted)
