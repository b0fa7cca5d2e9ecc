"""A pool process killed with SIGKILL mid-task: its tasks are reclaimed after the lease and completed once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from core.ops.pool import OpsPool
from tests.ops_helpers import openai_settings, seed_tasks
from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import sys
from core.config.settings import Settings
from core.ops.pool import OpsPool
from db.engine import make_engine, make_session_factory
settings = Settings(_env_file=None, database_url=sys.argv[1], openai_api_key="sk-test", openai_base_url=sys.argv[2],
                    ops_worker_count=2, ops_lease_seconds=1)
OpsPool(make_session_factory(make_engine(sys.argv[1], pool_size=4)), settings).run_until_idle()
"""


def _wait_until(predicate, what: str) -> None:
    deadline = time.monotonic() + 60
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.02)


def test_killed_worker_tasks_are_reclaimed_and_completed_once(ctx, session, settings, db_url):
    fake = FakeOpenAI(latency_s=3.0)
    seed_tasks(session, 5)
    with serve_asgi(fake.app()) as url:
        child = subprocess.Popen([sys.executable, "-c", CHILD, db_url, f"{url}/v1"], cwd=ROOT)
        _wait_until(lambda: fake.calls >= 2, "the child's two slots to be mid-call")
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        fake.latency_s = 0.0

        def lapsed() -> int:
            session.rollback()
            return session.execute(text("SELECT count(*) FROM tasks WHERE status = 'running' "
                                        "AND lease_expires_at < now()")).scalar()

        _wait_until(lambda: lapsed() == 2, "the dead worker's leases to lapse")
        summary = OpsPool(ctx.sessions, openai_settings(settings, url), max_workers=2).run_until_idle()
    rows = session.execute(text("SELECT status, attempts FROM tasks ORDER BY id")).all()
    done_audits = session.execute(text("SELECT count(*) FROM audit_log WHERE to_status = 'done'")).scalar()
    reclaims = session.execute(text("SELECT count(*) FROM audit_log WHERE metadata ? 'reclaimed_from'")).scalar()
    assert summary.counts == {"done": 5} and {r.status for r in rows} == {"done"}
    assert fake.calls == 5 + 2  # one extra call for each task that was in flight when the worker died
    assert (done_audits, reclaims) == (5, 2)
    assert sorted(r.attempts for r in rows) == [1, 1, 1, 2, 2]
