"""The scheduler in-process: once per period across replicas, no overlap with manual runs, errors never kill it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from core.agents import run_named_agent
from core.agents.locks import agent_lock
from core.agents.runs import AgentResult, record_skipped_run
from core.config.context import AppContext
from core.scheduling.scheduler import PERIODIC_AGENTS, POOL_AGENT, Scheduler, claim_period
from tests.sched_support import count, schedule_only, slots_per_agent, wait_for


@pytest.fixture
def fast_ctx(ctx: AppContext) -> AppContext:
    """The test context with a short scheduler tick."""
    return AppContext(ctx.settings.model_copy(update={"sched_tick_seconds": 0.1}), ctx.engine, ctx.sessions)


@pytest.fixture
def replicas(fast_ctx: AppContext) -> Iterator[list[Scheduler]]:
    """Schedulers the test starts; all are stopped (and waited for) at the end."""
    started: list[Scheduler] = []
    yield started
    for s in started:
        s.stop(30)


def _start(replicas: list[Scheduler], s: Scheduler) -> Scheduler:
    replicas.append(s)
    s.start()
    return s


def test_two_replicas_run_each_periodic_agent_once_per_period(fast_ctx: AppContext, replicas: list[Scheduler]) -> None:
    schedule_only(fast_ctx.sessions, fast_ctx.settings, {name: 1 for name in PERIODIC_AGENTS})
    a = _start(replicas, Scheduler(fast_ctx, agents=PERIODIC_AGENTS))
    b = _start(replicas, Scheduler(fast_ctx, agents=PERIODIC_AGENTS))
    wait_for(lambda: min(slots_per_agent(fast_ctx.sessions, PERIODIC_AGENTS).values()) >= 3, "3 periods per agent")
    assert a.stop(30) and b.stop(30)

    with fast_ctx.sessions() as session:
        for agent in PERIODIC_AGENTS:
            slots = session.execute(
                text("SELECT scheduled_for, claimed_by FROM scheduler_slots WHERE agent = :a"), {"a": agent}
            ).all()
            runs = count(
                fast_ctx.sessions, "SELECT count(*) FROM agent_runs WHERE agent = :a AND trigger = 'schedule'", a=agent
            )
            assert runs == len(slots), f"{agent}: {runs} scheduled runs for {len(slots)} periods"
            assert len({s.scheduled_for for s in slots}) == len(slots)
            assert {s.claimed_by for s in slots} <= {a.replica, b.replica}


def test_same_period_is_claimed_by_one_replica_only(session) -> None:
    # An interval of 10**9 s puts "now" in one period for the whole test.
    first = claim_period(session, "bizdev", 10**9, "replica-a")
    second = claim_period(session, "bizdev", 10**9, "replica-b")
    assert first is not None
    assert second is None


def test_manual_run_while_the_agent_runs_says_already_running(ctx: AppContext) -> None:
    with agent_lock(ctx.engine, "bizdev") as held:
        assert held
        result = run_named_agent(ctx, "bizdev", trigger="manual")
    assert (result.status, result.summary) == ("skipped", "bizdev is already running")
    row = ctx.sessions().execute(
        text("SELECT status, summary, trigger FROM agent_runs WHERE id = :i"), {"i": result.run_id}
    ).one()
    assert tuple(row) == ("skipped", "bizdev is already running", "manual")


def test_scheduled_run_while_a_manual_run_holds_the_agent_is_skipped(
    fast_ctx: AppContext, replicas: list[Scheduler]
) -> None:
    schedule_only(fast_ctx.sessions, fast_ctx.settings, {"billing": 1})
    with agent_lock(fast_ctx.engine, "billing") as held:
        assert held
        _start(replicas, Scheduler(fast_ctx, agents=("billing",)))
        wait_for(
            lambda: count(fast_ctx.sessions, "SELECT count(*) FROM agent_runs WHERE trigger = 'schedule'"),
            "a scheduled billing run",
        )
        replicas[0].stop(30)
    rows = fast_ctx.sessions().execute(text("SELECT status, summary FROM agent_runs")).all()
    assert rows and all(tuple(r) == ("skipped", "billing is already running") for r in rows)


def test_agent_lock_is_exclusive_per_agent_and_released_on_exit(ctx: AppContext) -> None:
    with agent_lock(ctx.engine, "onboarding") as first:
        with agent_lock(ctx.engine, "onboarding") as second, agent_lock(ctx.engine, "billing") as other:
            assert (first, second, other) == (True, False, True)
    with agent_lock(ctx.engine, "onboarding") as again:
        assert again


def test_a_job_that_raises_is_recorded_as_failed_and_the_scheduler_keeps_going(
    fast_ctx: AppContext, replicas: list[Scheduler]
) -> None:
    def broken(_ctx: AppContext, name: str, *, trigger: str) -> AgentResult:
        raise RuntimeError(f"{name} exploded")

    schedule_only(fast_ctx.sessions, fast_ctx.settings, {"onboarding": 1})
    s = _start(replicas, Scheduler(fast_ctx, agents=("onboarding",), runner=broken))
    failed = "SELECT count(*) FROM agent_runs WHERE agent = 'onboarding' AND status = 'failed' AND error = :e"
    wait_for(lambda: count(fast_ctx.sessions, failed, e="RuntimeError: onboarding exploded") >= 3, "3 failed runs")
    assert s.stats["failures"] >= 3


def test_a_disabled_agent_does_not_run_until_enabled_without_restart(
    fast_ctx: AppContext, replicas: list[Scheduler]
) -> None:
    schedule_only(fast_ctx.sessions, fast_ctx.settings, {})
    s = _start(replicas, Scheduler(fast_ctx, agents=("bizdev",)))
    wait_for(lambda: s.stats["ticks"] >= 10, "10 ticks")
    assert slots_per_agent(fast_ctx.sessions, ["bizdev"]) == {"bizdev": 0}

    schedule_only(fast_ctx.sessions, fast_ctx.settings, {"bizdev": 3600})
    wait_for(lambda: slots_per_agent(fast_ctx.sessions, ["bizdev"])["bizdev"] == 1, "the enabled agent's period")


def test_pool_drains_every_due_task_and_leaves_future_ones(fast_ctx: AppContext, replicas: list[Scheduler]) -> None:
    calls: list[str] = []

    def one_task_per_call(ctx: AppContext, name: str, *, trigger: str) -> AgentResult:
        # Stands in for run_ops_batch: claims and finishes one due task per call, as a pool with one slot would.
        calls.append(name)
        with ctx.sessions() as session:
            done = session.execute(
                text(
                    "UPDATE tasks SET status = 'running' WHERE id = (SELECT id FROM tasks"
                    " WHERE status = 'pending' AND run_after <= now() ORDER BY id LIMIT 1) RETURNING id"
                )
            ).all()
            session.execute(text("UPDATE tasks SET status = 'done', completed_at = now() WHERE id = ANY(:ids)"),
                            {"ids": [row.id for row in done]})
            session.commit()
        return AgentResult(name, 0, "succeeded", len(done), f"{len(done)} task(s)")

    with fast_ctx.sessions() as session:
        cid = session.execute(text("INSERT INTO customers (company) VALUES ('Acme') RETURNING id")).scalar_one()
        for _ in range(3):
            session.execute(text("INSERT INTO tasks (customer_id, description) VALUES (:c, 'due')"), {"c": cid})
        session.execute(
            text("INSERT INTO tasks (customer_id, description, run_after) VALUES (:c, 'later', now() + interval '1 day')"),
            {"c": cid},
        )
        session.commit()
    schedule_only(fast_ctx.sessions, fast_ctx.settings, {POOL_AGENT: 3600})
    s = _start(replicas, Scheduler(fast_ctx, agents=(POOL_AGENT,), runner=one_task_per_call))
    wait_for(lambda: count(fast_ctx.sessions, "SELECT count(*) FROM tasks WHERE status = 'done'") == 3, "3 done tasks")
    wait_for(lambda: s.stats["ticks"] >= 10, "10 more ticks")
    assert calls == [POOL_AGENT] * 3
    assert count(fast_ctx.sessions, "SELECT count(*) FROM tasks WHERE status = 'pending'") == 1


def test_skipped_runs_are_recorded_with_their_reason(ctx: AppContext) -> None:
    result = record_skipped_run(ctx.sessions, "billing", "api", "billing is already running")
    assert result.status == "skipped"
    assert count(ctx.sessions, "SELECT count(*) FROM agent_runs WHERE status = 'skipped' AND trigger = 'api'") == 1
