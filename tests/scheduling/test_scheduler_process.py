"""`python -m core scheduler` as real processes: replicas, kill -9, SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from core.config.context import AppContext
from core.scheduling.scheduler import PERIODIC_AGENTS
from tests.sched_support import count, schedule_only, wait_for

ROOT = Path(__file__).resolve().parents[2]
GRACE_SECONDS = 10


@pytest.fixture
def spawn(db_url: str, tmp_path: Path) -> Iterator:
    """Start `python -m core scheduler` processes on this test's database; kill leftovers at the end."""
    procs: list[subprocess.Popen] = []

    def _spawn() -> subprocess.Popen:
        env = dict(
            os.environ,
            DATABASE_URL=db_url,
            HOSS_DATA_DIR=str(tmp_path / "data"),
            SCHED_TICK_SECONDS="0.2",
            SCHED_SHUTDOWN_GRACE_SECONDS=str(GRACE_SECONDS),
        )
        log = open(tmp_path / f"scheduler-{len(procs)}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen([sys.executable, "-m", "core", "scheduler"], cwd=ROOT, env=env, stdout=log, stderr=log)
        log.close()
        procs.append(proc)
        return proc

    yield _spawn
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _claimed_by(ctx: AppContext, pid: int) -> int:
    return count(ctx.sessions, "SELECT count(*) FROM scheduler_slots WHERE split_part(claimed_by, ':', 2) = :p", p=str(pid))


def test_a_killed_replica_does_not_stop_the_other_from_running_the_next_period(ctx: AppContext, spawn) -> None:
    schedule_only(ctx.sessions, ctx.settings, {name: 1 for name in PERIODIC_AGENTS})
    victim, survivor = spawn(), spawn()
    wait_for(lambda: count(ctx.sessions, "SELECT count(*) FROM scheduler_slots") >= 6, "both replicas ticking")

    victim.send_signal(signal.SIGKILL)
    victim.wait()
    with ctx.sessions() as session:
        killed_at = session.execute(text("SELECT now()")).scalar_one()
    after_kill = (
        "SELECT count(*) FROM scheduler_slots WHERE agent = :a AND scheduled_for > :t"
        " AND split_part(claimed_by, ':', 2) = :p"
    )
    for agent in PERIODIC_AGENTS:
        wait_for(
            lambda a=agent: count(ctx.sessions, after_kill, a=a, t=killed_at, p=str(survivor.pid)),
            f"the survivor to run a period of {agent} after the kill",
        )

    survivor.send_signal(signal.SIGTERM)
    assert survivor.wait(timeout=GRACE_SECONDS + 30) == 0
    # Every period the survivor claimed, it ran exactly once.
    runs = count(ctx.sessions, "SELECT count(*) FROM agent_runs WHERE trigger = 'schedule' AND pid = :p", p=survivor.pid)
    assert runs == _claimed_by(ctx, survivor.pid)


def test_sigterm_exits_zero_and_leaves_no_task_running_with_a_claim(ctx: AppContext, spawn) -> None:
    with ctx.sessions() as session:
        cid = session.execute(text("INSERT INTO customers (company) VALUES ('Acme') RETURNING id")).scalar_one()
        for i in range(5):
            session.execute(text("INSERT INTO tasks (customer_id, description) VALUES (:c, :d)"), {"c": cid, "d": f"t{i}"})
        session.commit()
    schedule_only(ctx.sessions, ctx.settings, {"bizdev": 1, "onboarding": 1, "billing": 1, "ops_batch": 1})
    proc = spawn()
    wait_for(
        lambda: count(ctx.sessions, "SELECT count(*) FROM agent_runs WHERE pid = :p", p=proc.pid) >= 3,
        "the scheduler to run its agents",
    )

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=GRACE_SECONDS + 30) == 0
    assert count(ctx.sessions, "SELECT count(*) FROM tasks WHERE status = 'running' AND claimed_by IS NOT NULL") == 0
    assert count(ctx.sessions, "SELECT count(*) FROM agent_runs WHERE pid = :p AND status = 'running'", p=proc.pid) == 0
