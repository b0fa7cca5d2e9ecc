"""A pool process killed with SIGKILL mid-task: its tasks are reclaimed after the lease and completed once."""

from __future__ import annotations

from sqlalchemy import text

from core.ops.pool import OpsPool
from tests.ops_helpers import kill_pool_when, lapsed_leases, openai_settings, seed_tasks, wait_until
from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI


def test_killed_worker_tasks_are_reclaimed_and_completed_once(ctx, session, settings, db_url):
    fake = FakeOpenAI(latency_s=3.0)
    seed_tasks(session, 5)
    with serve_asgi(fake.app()) as url:
        kill_pool_when(db_url, f"{url}/v1", 2, lambda: fake.calls >= 2, "the child's two slots to be mid-call")
        fake.latency_s = 0.0
        wait_until(lambda: lapsed_leases(session) == 2, "the dead worker's leases to lapse")
        summary = OpsPool(ctx.sessions, openai_settings(settings, url), max_workers=2).run_until_idle()
    rows = session.execute(text("SELECT status, attempts FROM tasks ORDER BY id")).all()
    done_audits = session.execute(text("SELECT count(*) FROM audit_log WHERE to_status = 'done'")).scalar()
    reclaims = session.execute(text("SELECT count(*) FROM audit_log WHERE metadata ? 'reclaimed_from'")).scalar()
    assert summary.counts == {"done": 5} and {r.status for r in rows} == {"done"}
    assert fake.calls == 5 + 2  # one extra call for each task that was in flight when the worker died
    assert (done_audits, reclaims) == (5, 2)
    assert sorted(r.attempts for r in rows) == [1, 1, 1, 2, 2]
