"""The claim SQL: SKIP LOCKED under concurrent claimers, leases, reclaim after a lapse, completion exactly once."""

from __future__ import annotations

import threading

from sqlalchemy import text

from core.ops.claims import claim_next, claim_task, renew_leases
from tests.ops_helpers import finish_run, seed_tasks, task_row


def test_concurrent_claimers_never_claim_a_task_twice(ctx, session):
    ids = seed_tasks(session, 120)
    claimed: list[list[int]] = [[] for _ in range(8)]

    def claimer(slot: int) -> None:
        with ctx.sessions() as s:
            while (claim := claim_next(s, f"w{slot}", 60)) is not None:
                claimed[slot].append(claim.task_id)

    threads = [threading.Thread(target=claimer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [task_id for ids_ in claimed for task_id in ids_]
    assert sorted(every) == ids  # each task once, none missed
    assert session.execute(text("SELECT count(*) FROM tasks WHERE status = 'running' AND attempts = 1")).scalar() == 120


def test_claim_takes_the_oldest_due_task_first(session):
    a, b, c = seed_tasks(session, 3)
    session.execute(text("UPDATE tasks SET run_after = now() - interval '1 hour' WHERE id = :c"), {"c": c})
    session.execute(text("UPDATE tasks SET run_after = now() + interval '1 hour' WHERE id = :a"), {"a": a})
    session.commit()
    assert [claim_next(session, "w", 60).task_id for _ in range(2)] == [c, b]
    assert claim_next(session, "w", 60) is None  # `a` is not due yet


def test_claim_sets_worker_lease_start_and_attempt(session):
    [task_id] = seed_tasks(session, 1)
    claim = claim_next(session, "worker-1", 60)
    row = task_row(session, task_id)
    assert (claim.task_id, claim.attempt, claim.company) == (task_id, 1, "Acme Robotics")
    assert (row.status, row.claimed_by, row.attempts) == ("running", "worker-1", 1)
    assert 55 < (row.lease_expires_at - row.started_at).total_seconds() <= 60


def test_a_live_lease_is_not_reclaimed(session):
    seed_tasks(session, 1)
    claim_next(session, "a", 60)
    assert claim_next(session, "b", 60) is None


def test_lapsed_lease_is_reclaimed_and_completed_once(session):
    [task_id] = seed_tasks(session, 1)
    stale = claim_next(session, "dead-worker", 60)
    session.execute(text("UPDATE tasks SET lease_expires_at = now() - interval '1 second'"))
    session.commit()
    fresh = claim_next(session, "new-worker", 60)
    assert (fresh.task_id, fresh.attempt, fresh.reclaimed_from) == (task_id, 2, "dead-worker")
    assert finish_run(session, fresh) and task_row(session, task_id).profit_cents == 80
    assert not finish_run(session, stale)  # the dead worker's late answer is refused
    dones = session.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'task' AND to_status = 'done'"))
    assert dones.scalar() == 1 and task_row(session, task_id).claimed_by == "new-worker"


def test_stale_worker_cannot_complete_after_reclaim_even_first(session):
    [task_id] = seed_tasks(session, 1)
    stale = claim_next(session, "dead-worker", 60)
    session.execute(text("UPDATE tasks SET lease_expires_at = now() - interval '1 second'"))
    session.commit()
    fresh = claim_next(session, "new-worker", 60)
    assert not finish_run(session, stale)
    assert finish_run(session, fresh) and task_row(session, task_id).profit_cents == 80
    assert task_row(session, task_id).status == "done"


def test_renewal_pushes_the_lease_forward(session):
    [task_id] = seed_tasks(session, 1)
    claim = claim_next(session, "w", 5)
    before = task_row(session, task_id).lease_expires_at
    assert renew_leases(session, [claim], 600) == 1
    assert (task_row(session, task_id).lease_expires_at - before).total_seconds() > 500


def test_renewal_skips_a_task_no_longer_ours(session):
    seed_tasks(session, 1)
    claim = claim_next(session, "w", 60)
    finish_run(session, claim)
    assert renew_leases(session, [claim], 600) == 0


def test_named_claim_takes_only_that_task(session):
    a, b = seed_tasks(session, 2)
    claim = claim_task(session, b, "w", 60)
    assert claim.task_id == b and task_row(session, a).status == "pending"
    assert claim_task(session, b, "w2", 60) is None  # already held


def _on_duty_calls(session, claim_sql) -> int:
    """How often one claim statement called worker_on_duty_at (this transaction's function statistics; setting
    track_functions takes a superuser, so `session` is the owner's)."""
    from core.memory.prompt import LESSON_KEYS
    from core.plans.budgets import BUDGET_FACT_KEYS

    session.execute(text("SET LOCAL track_functions = 'all'"))
    session.execute(claim_sql, {"worker": "w", "lease": 60, "task_id": None, **BUDGET_FACT_KEYS,
                                **LESSON_KEYS}).first()
    calls = session.execute(text("SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions "
                                 "WHERE funcname = 'worker_on_duty_at'")).scalar_one()
    session.rollback()
    return int(calls)


def test_a_claim_asks_no_duty_hours_of_tasks_without_a_worker(session, owner_session):
    # Regression: planned on stale statistics (right after a bulk load), the claim filtered every pending row
    # through worker_on_duty, ~6 µs each; bench drain read 130 tasks/s where it reads 650.
    from core.ops import sql

    seed_tasks(session, 50)
    session.rollback()
    assert _on_duty_calls(owner_session, sql.CLAIM) == 0


def test_a_claim_asks_the_duty_hours_of_a_hired_worker_s_task(session, owner_session):
    from core.audit import Actor
    from core.ops import sql
    from core.workforce.hiring import hire

    [task_id] = seed_tasks(session, 1)
    name = hire(session, "copywriter", "Bench", Actor.system("test"), review=False).name
    session.execute(text("UPDATE tasks SET agent = :a WHERE id = :t"), {"a": name, "t": task_id})
    session.commit()
    assert _on_duty_calls(owner_session, sql.CLAIM) >= 1
