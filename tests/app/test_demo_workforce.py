"""Demo data gives the hired workers finished workflows (steps and all) and work waiting for review."""

from __future__ import annotations

from sqlalchemy import text

from core.app.demo import seed_demo
from core.workforce.views import task_detail


def test_demo_data_gives_every_worker_finished_workflows_and_one_waiting_for_review(session) -> None:
    counts = seed_demo(session)
    session.commit()
    rows = session.execute(text("SELECT agent, status, count(*) FROM tasks WHERE agent IS NOT NULL "
                                "GROUP BY agent, status ORDER BY agent, status")).all()
    assert counts["worker tasks"] == 9
    assert [tuple(r) for r in rows] == [("Corin", "done", 2), ("Corin", "needs_review", 1), ("Rhea", "done", 2),
                                        ("Rhea", "needs_review", 1), ("Sasha", "done", 2),
                                        ("Sasha", "needs_review", 1)]


def test_a_demo_workflow_is_labelled_mock_with_its_steps_and_its_deliverable(session) -> None:
    seed_demo(session)
    session.commit()
    task_id = session.execute(text("SELECT min(id) FROM tasks WHERE agent = 'Rhea' AND status = 'done'")).scalar()
    detail = task_detail(session, task_id)
    assert [s.name for s in detail.steps] == ["plan", "research", "synthesize", "self-check"]
    assert all(s.status == "done" and "[MOCK RESULT" in (s.artifact or "") for s in detail.steps)
    assert detail.result_summary == detail.steps[2].artifact and detail.cost_cents == detail.steps_cost_cents


def test_demo_data_gives_two_customers_lessons_of_every_source(session) -> None:
    from core.memory.lessons import list_lessons

    counts = seed_demo(session)
    session.commit()
    lessons = list_lessons(session)
    assert counts["lessons"] == 3 == len(lessons)
    assert sorted(lesson.source for lesson in lessons) == ["edit", "operator", "review_note"]
    assert len({lesson.customer_id for lesson in lessons}) == 2
    assert all("{" not in lesson.text and lesson.added_by == "owner" for lesson in lessons)
