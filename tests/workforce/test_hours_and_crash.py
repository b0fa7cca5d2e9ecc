"""Working hours in the claim, and a workflow resumed after its worker was killed with SIGKILL mid-step."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import text

from core.ops.pool import OpsPool
from core.workforce.hiring import DAYS, parse_hours
from core.workforce.views import task_detail
from tests.ops_helpers import kill_pool_when, lapsed_leases, openai_settings, wait_until
from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI
from tests.workforce.conftest import hire_and_task, make_customer, step_of, valid_reply


def _status(session, task_id: int) -> str:
    session.rollback()
    return session.execute(text("SELECT status FROM tasks WHERE id = :id"), {"id": task_id}).scalar()


def test_a_worker_outside_its_hours_leaves_its_task_pending_while_another_is_done(ctx, session, settings):
    today = datetime.now(timezone.utc).isoweekday()
    other_days = ",".join(d for i, d in enumerate(DAYS, start=1) if i != today)
    cid = make_customer(session)
    # The off-duty worker's task is older, so a claim that stopped at it would block the other (head of line).
    off = hire_and_task(session, "support-triage", "Night", review=False, customer_id=cid,
                        hours=parse_hours(f"{other_days} 00:00-24:00 UTC"))
    on = hire_and_task(session, "qa-reviewer", "Day", review=False, customer_id=cid)
    summary = OpsPool(ctx.sessions, settings, max_workers=1).run_until_idle()
    assert (_status(session, off), _status(session, on)) == ("pending", "done")
    assert summary.counts == {"done": 1}


def test_a_paused_worker_is_not_claimed_for(ctx, session, settings):
    from core.workforce.hiring import set_worker_status
    from tests.workforce.conftest import OPERATOR

    task_id = hire_and_task(session, review=False)
    set_worker_status(session, "Ada", "paused", OPERATOR)
    session.commit()
    OpsPool(ctx.sessions, settings, max_workers=1).run_until_idle()
    assert _status(session, task_id) == "pending"


def test_killed_mid_step_the_workflow_resumes_and_never_recalls_a_finished_step(ctx, session, settings, db_url):
    fake = FakeOpenAI(reply=valid_reply)
    task_id = hire_and_task(session, review=False)
    with serve_asgi(fake.app()) as url:
        fake.latency_s = 1.5  # slow enough to kill the child while step 2 is in flight

        def step_one_done() -> bool:
            session.rollback()
            return session.execute(text("SELECT count(*) FROM task_steps WHERE task_id = :id AND idx = 0 "
                                        "AND status = 'done'"), {"id": task_id}).scalar() == 1

        kill_pool_when(db_url, f"{url}/v1", 1, lambda: step_one_done() and fake.calls >= 2,
                       "step 2 of the child's workflow in flight")
        fake.latency_s = 0.0
        wait_until(lambda: lapsed_leases(session) == 1, "the dead worker's lease to lapse")
        OpsPool(ctx.sessions, openai_settings(settings, url), max_workers=1).run_until_idle()
    names = [step_of(b) for b in fake.requests]
    detail = task_detail(session, task_id)
    assert detail.status == "done" and names.count("plan") == 1 and names.count("research") == 2
    assert [s.status for s in detail.steps] == ["done"] * 4 and detail.steps[1].attempt == 1
