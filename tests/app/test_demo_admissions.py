"""Demo data books each task against the month it was created in, as the plans' monthly caps count them."""

from __future__ import annotations

from sqlalchemy import text

from core.app.demo import seed_demo


def test_demo_tasks_were_admitted_when_they_were_created_not_when_the_demo_was_loaded(session) -> None:
    # Bug: admitted_at defaulted to now(), so every demo and bulk task counted against this month's cap.
    seed_demo(session, tasks=400)
    session.commit()
    rows = session.execute(text("SELECT count(*) FILTER (WHERE admitted_at IS DISTINCT FROM created_at), "
                                "count(*) FILTER (WHERE created_at < now() - interval '40 days'), count(*) "
                                "FROM tasks")).one()
    assert rows[2] == 400 and rows[1] > 0
    assert rows[0] == 0
