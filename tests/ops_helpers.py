"""Shared pieces of the Ops tests: seeding tasks by SQL, an openai-mode settings object for a stand-in server, and
a pool process to kill with SIGKILL mid-task."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.config.settings import Settings
from core.money.figures import profit_cents
from core.ops.claims import Claim
from core.workforce.finish import RunResult, finish_task, submit_for_review


def seed_tasks(session: Session, n: int, *, reward: int = 80, company: str = "Acme Robotics",
               plan: str = "pro", notes: str = "Sells warehouse robots to mid-size retailers.") -> list[int]:
    """One customer and `n` pending tasks (plain INSERTs, defaults from the schema); return the task ids."""
    customer_id = session.execute(
        text("INSERT INTO customers (company, plan, notes) VALUES (:c, :p, :n) RETURNING id"),
        {"c": company, "p": plan, "n": notes},
    ).scalar_one()
    ids = session.execute(
        text("INSERT INTO tasks (customer_id, description, reward_cents) "
             "SELECT :c, 'Initial market research for ' || :company || ' #' || g, :r "
             "FROM generate_series(1, :n) g RETURNING id"),
        {"c": customer_id, "company": company, "r": reward, "n": n},
    ).scalars().all()
    session.commit()
    return sorted(ids)


def walk_tasks(session: Session, task_ids: int | Sequence[int], *statuses: str) -> None:
    """Move tasks through `statuses` in order, one UPDATE each, no commit. The database refuses a status change
    core.transitions.ALLOWED['task'] lacks (migration status_move_triggers), so a test that wants a done task walks
    it as the runner would: `walk_tasks(session, ids, "running")`, then its own UPDATE to done."""
    ids = [task_ids] if isinstance(task_ids, int) else list(task_ids)
    for status in statuses:
        session.execute(text("UPDATE tasks SET status = :s WHERE id = ANY(:ids)"), {"s": status, "ids": ids})


def task_row(session: Session, task_id: int):
    """The task's columns as they are now in the database."""
    session.rollback()
    return session.execute(text("SELECT * FROM tasks WHERE id = :id"), {"id": task_id}).one()


def finish_run(session: Session, claim: Claim, *, cost: int = 0, to_review: bool = False) -> bool:
    """Complete a claim's run as the runner does after its last step (the one finisher, or to review); commit.
    False when the claim was no longer ours (nothing written)."""
    run = RunResult(claim.task_id, claim.worker, claim.attempt, claim.revision, "result", "mock", "mock", 0, 0,
                    cost, profit_cents(claim.reward_cents, cost), 1, date.today())
    kept = submit_for_review(session, run) if to_review else finish_task(session, claim.task_id, run) is not None
    if kept:
        session.commit()
    else:
        session.rollback()
    return kept


def openai_settings(settings: Settings, base_url: str, **overrides: object) -> Settings:
    """`settings` switched to openai mode against a local OpenAI-compatible server."""
    return settings.model_copy(update={"openai_api_key": SecretStr("sk-test-not-real"),
                                       "openai_base_url": f"{base_url}/v1", **overrides})


ROOT = Path(__file__).resolve().parents[1]
_POOL_CHILD = """
import sys
from core.config.settings import Settings
from core.ops.pool import OpsPool
from db.engine import make_engine, make_session_factory
settings = Settings(_env_file=None, database_url=sys.argv[1], openai_api_key="sk-test", openai_base_url=sys.argv[2],
                    ops_worker_count=int(sys.argv[3]), ops_lease_seconds=1)
OpsPool(make_session_factory(make_engine(sys.argv[1], pool_size=4)), settings).run_until_idle()
"""


def wait_until(predicate: Callable[[], object], what: str) -> None:
    """Poll `predicate` until it is truthy; fail after 60 s naming `what` (a deadline, not a timing assertion)."""
    deadline = time.monotonic() + 60
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.02)


def kill_pool_when(db_url: str, llm_url: str, slots: int, ready: Callable[[], object], what: str) -> None:
    """Start a pool process (lease 1 s) on `db_url` against the stand-in at `llm_url`; SIGKILL it once `ready`."""
    child = subprocess.Popen([sys.executable, "-c", _POOL_CHILD, db_url, llm_url, str(slots)], cwd=ROOT)
    try:
        wait_until(ready, what)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()


def lapsed_leases(session: Session) -> int:
    """Running tasks whose lease has lapsed (their worker died), read in a fresh snapshot."""
    session.rollback()
    return session.execute(text("SELECT count(*) FROM tasks WHERE status = 'running' "
                                "AND lease_expires_at < now()")).scalar()
