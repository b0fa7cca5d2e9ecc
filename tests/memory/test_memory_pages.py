"""The console's memory and give-a-task controls through AppTest against a real database (SPEC §20)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from core.memory.lessons import add_lesson, list_lessons
from tests.console_support import page_path, use_database
from tests.ops_helpers import walk_tasks
from tests.workforce.conftest import OPERATOR, hire_and_task, make_customer


@pytest.fixture(autouse=True)
def _db(monkeypatch, db_url):
    yield from use_database(monkeypatch, db_url)


def _page(page: str, *, operator: str = "ann", state=None, query=None) -> AppTest:
    at = AppTest.from_file(str(page_path(page)), default_timeout=30)
    at.session_state["operator"] = operator
    for key, value in (state or {}).items():
        at.session_state[key] = value
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def _button(at: AppTest, label: str):
    return at.button[[b.label for b in at.button].index(label)]


def test_the_customer_page_lists_a_lesson_and_forgets_it(session) -> None:
    cid = make_customer(session)
    lesson_id = add_lesson(session, customer_id=cid, text="Quote prices in euros", actor=OPERATOR)
    session.commit()
    at = _page("pages/customers.py", state={"customers_detail_tab": "What we have learned"},
               query={"customer": str(cid)})
    assert not at.exception
    assert at.text_area(key=f"lesson_{lesson_id}").value == "Quote prices in euros"
    at.button(key=f"lesson_forget_{lesson_id}").click().run()
    assert not at.exception and list_lessons(session, customer_id=cid) == []


def test_giving_a_worker_a_task_from_the_workforce_page_adds_it_through_the_intake(session) -> None:
    hire_and_task(session, "sdr", "Mo")
    at = _page("pages/workforce.py", state={"workforce_give_box": True})
    at.button_group(key="workforce_worker").set_value("Mo").run()
    at.text_area[[t.label for t in at.text_area].index("What to do")].set_value("Ten dental clinics to call")
    _button(at, "Give the task").click().run()
    assert not at.exception
    row = session.execute(text("SELECT agent, status FROM tasks WHERE description = 'Ten dental clinics to call'")
                          ).one()
    actor = session.execute(text("SELECT actor_id FROM audit_log WHERE entity = 'task' AND to_status = 'pending' "
                                 "ORDER BY id DESC LIMIT 1")).scalar()
    assert tuple(row) == ("Mo", "pending") and actor == "ann"
    assert any("given to Mo" in m.value for m in at.success)


def test_unticking_remember_on_the_task_page_keeps_the_note_out_of_memory(session) -> None:
    task_id = hire_and_task(session)
    walk_tasks(session, task_id, "running", "needs_review")
    session.commit()
    at = _page("pages/task.py", query={"task": str(task_id)})
    at.text_area(key=f"review_note_{task_id}").set_value("shorter, please")
    at.checkbox(key=f"review_remember_{task_id}").uncheck()
    at.button(key="review_revise").click().run()
    assert not at.exception
    assert session.execute(text("SELECT status FROM tasks WHERE id = :t"), {"t": task_id}).scalar() == "pending"
    assert session.execute(text("SELECT count(*) FROM customer_lessons")).scalar() == 0


def test_a_viewer_sees_the_lessons_with_forget_disabled(session) -> None:
    cid = make_customer(session)
    lesson_id = add_lesson(session, customer_id=cid, text="Quote prices in euros", actor=OPERATOR)
    session.execute(text("INSERT INTO operators (name, role) VALUES ('vic', 'viewer')"))
    session.commit()
    at = _page("pages/customers.py", operator="vic", state={"customers_detail_tab": "What we have learned",
                                                              "operator_role": "viewer"},
               query={"customer": str(cid)})
    assert not at.exception
    assert at.button(key=f"lesson_forget_{lesson_id}").disabled


def test_the_remember_box_is_ticked_by_default_and_an_approval_note_becomes_a_lesson(session) -> None:
    task_id = hire_and_task(session)
    walk_tasks(session, task_id, "running", "needs_review")
    session.commit()
    at = _page("pages/task.py", query={"task": str(task_id)})
    assert at.checkbox(key=f"review_remember_{task_id}").value is True
    at.text_area(key=f"review_note_{task_id}").set_value("Lovely; keep the tables this short")
    at.button(key="review_approve").click().run()
    assert not at.exception
    row = session.execute(text("SELECT text, source, task_id FROM customer_lessons")).one()
    assert tuple(row) == ("Lovely; keep the tables this short", "review_note", task_id)


def test_the_customer_tab_shows_each_lessons_source_author_and_when_in_words(session) -> None:
    task_id = hire_and_task(session)
    cid = session.execute(text("SELECT customer_id FROM tasks WHERE id = :t"), {"t": task_id}).scalar_one()
    add_lesson(session, customer_id=cid, text="Quote prices in euros", actor=OPERATOR, source="review_note",
               task_id=task_id)
    session.commit()
    at = _page("pages/customers.py", state={"customers_detail_tab": "What we have learned"},
               query={"customer": str(cid)})
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any(f"from a review note on task {task_id} · added by tester just now (" in c for c in captions), captions


def test_a_steps_trace_lists_the_lessons_its_prompt_carried_in_words(session) -> None:
    task_id = hire_and_task(session)
    cid = session.execute(text("SELECT customer_id FROM tasks WHERE id = :t"), {"t": task_id}).scalar_one()
    kept = add_lesson(session, customer_id=cid, text="Quote prices in euros", actor=OPERATOR)
    gone = add_lesson(session, customer_id=cid, text="Never mention the old brand", actor=OPERATOR)
    session.execute(text("UPDATE customer_lessons SET active = false WHERE id = :g"), {"g": gone})
    session.execute(text("INSERT INTO task_steps (task_id, idx, name, status, attempt, prompt, lesson_ids) "
                         "VALUES (:t, 0, 'plan', 'done', 1, 'the prompt', CAST(:ids AS bigint[]))"),
                    {"t": task_id, "ids": [gone, kept]})
    session.commit()
    at = _page("pages/task.py", query={"task": str(task_id)})
    assert not at.exception
    assert f"• Never mention the old brand (lesson #{gone}, since forgotten)\n• Quote prices in euros (lesson #{kept})" \
        in [t.value for t in at.text]
