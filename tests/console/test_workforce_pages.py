"""The Workforce page and the task view through AppTest against a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from tests.console_support import page_path, run_page, use_database
from tests.ops_helpers import walk_tasks
from tests.workforce.conftest import hire_and_task

HOSTILE = "<script>alert(1)</script> **bold** [click](https://evil.example) ![x](https://evil.example/p.png)"


@pytest.fixture(autouse=True)
def _db(monkeypatch, db_url):
    yield from use_database(monkeypatch, db_url)


def test_workforce_page_shows_the_roster_and_the_templates_steps(session) -> None:
    at = run_page("pages/workforce.py", state={"workforce_hire_box": True})
    assert not at.exception
    roster = at.dataframe[0].value
    assert sorted(roster["name"]) == ["Corin", "Rhea", "Sasha"]
    assert {"revision rate", "approved as is", "margin", "median time to done"} <= set(roster.columns)
    steps = " ".join(m.value for m in at.markdown)
    assert "plan" in steps and "self\\-check" in steps


def test_hiring_from_the_page_adds_the_worker_with_the_signed_in_operator(session) -> None:
    at = run_page("pages/workforce.py", operator="ann", state={"workforce_hire_box": True})
    at.selectbox(key="hire_role").set_value("sdr").run()
    at.text_input(key="hire_name").set_value("Mo")
    at.text_input(key="hire_hours").set_value("mon-fri 09:00-17:00 Europe/Berlin")
    at.button[[b.label for b in at.button].index("Hire")].click().run()
    assert not at.exception
    row = session.execute(text("SELECT role, hours_tz FROM agents WHERE name = 'Mo'")).one()
    actor = session.execute(text("SELECT actor_id FROM audit_log WHERE entity = 'agent' AND entity_id = 'Mo'")).scalar()
    assert tuple(row) == ("sdr", "Europe/Berlin") and actor == "ann"


def test_editing_a_worker_from_the_page_changes_its_hours_and_is_audited(session) -> None:
    at = run_page("pages/workforce.py", operator="ann", state={"workforce_edit_box": True})
    at.button_group(key="workforce_worker").set_value("Sasha").run()
    at.text_input(key="edit_hours_Sasha").set_value("sat,sun 10:00-12:00 UTC")
    at.button[[b.label for b in at.button].index("Save changes")].click().run()
    assert not at.exception
    hours = session.execute(text("SELECT hours_days, hours_tz FROM agents WHERE name = 'Sasha'")).one()
    action = session.execute(text("SELECT metadata->>'action' FROM audit_log WHERE entity_id = 'Sasha'")).scalar()
    assert tuple(hours) == ([6, 7], "UTC") and action == "edit"


def test_firing_from_the_page_hands_pending_tasks_to_the_chosen_worker(session) -> None:
    task_id = hire_and_task(session, "sdr", "Mo", description="Outreach to dental clinics")
    at = run_page("pages/workforce.py", operator="ann")
    at.button_group(key="workforce_worker").set_value("Mo").run()
    at.button_group(key="workforce_heir").set_value("Sasha").run()
    at.button(key="workforce_fire").click().run()
    at.button(key="workforce_fire_yes").click().run()
    assert not at.exception
    agent = session.execute(text("SELECT agent FROM tasks WHERE id = :t"), {"t": task_id}).scalar()
    status = session.execute(text("SELECT fired_at IS NOT NULL FROM agents WHERE name = 'Mo'")).scalar()
    assert agent == "Sasha" and status


def test_pausing_from_the_page_ignores_the_hand_over_choice(session) -> None:
    at = run_page("pages/workforce.py", operator="ann")
    at.button_group(key="workforce_worker").set_value("Rhea").run()
    at.button_group(key="workforce_heir").set_value("Corin").run()
    at.button(key="workforce_pause").click().run()
    assert not at.exception
    assert session.execute(text("SELECT enabled FROM agents WHERE name = 'Rhea'")).scalar() is False


def test_firing_from_the_page_with_stranded_tasks_says_why_and_keeps_the_worker(session) -> None:
    hire_and_task(session, "bookkeeper", "Bea", description="Reconcile November")
    at = run_page("pages/workforce.py", operator="ann")
    at.button_group(key="workforce_worker").set_value("Bea").run()
    at.button(key="workforce_fire").click().run()
    at.button(key="workforce_fire_yes").click().run()
    assert not at.exception
    assert any("Not done" in m.value and "pending task" in m.value for m in [*at.markdown, *at.text, *at.caption])
    assert session.execute(text("SELECT fired_at FROM agents WHERE name = 'Bea'")).scalar() is None


def _task_view(task_id: int) -> AppTest:
    at = AppTest.from_file(str(page_path("pages/task.py")), default_timeout=20)
    at.query_params["task"] = str(task_id)
    return at.run()


def _waiting_task(session) -> int:
    task_id = hire_and_task(session)
    session.execute(text("INSERT INTO task_steps (task_id, idx, name, status, attempt, artifact, prompt, response, "
                         "input_tokens, output_tokens, cost_cents, finished_at) VALUES (:t, 0, 'plan', 'done', 1, "
                         ":a, 'the prompt', :a, 120, 80, 1, now())"), {"t": task_id, "a": HOSTILE})
    walk_tasks(session, task_id, "running", "needs_review")  # its workflow ran and stopped for review
    session.commit()
    return task_id


def test_task_view_renders_a_hostile_artifact_as_text(session) -> None:
    at = _task_view(_waiting_task(session))
    assert not at.exception
    assert any(c.value == HOSTILE for c in at.code)
    assert not any("<script>" in m.value or "](https://" in m.value for m in at.markdown)


def test_task_view_approves_a_task_waiting_for_review(session) -> None:
    task_id = _waiting_task(session)
    at = _task_view(task_id)
    at.button(key="review_approve").click().run()
    assert not at.exception
    status = session.execute(text("SELECT status FROM tasks WHERE id = :t"), {"t": task_id}).scalar()
    proposals = session.execute(text("SELECT count(*) FROM action_proposals WHERE action_type = 'deliver'")).scalar()
    assert (status, proposals) == ("done", 1)


def test_recent_worker_tasks_are_read_and_sent_only_when_their_box_is_opened(session) -> None:
    task_id = hire_and_task(session, name="Mo", description=HOSTILE)
    closed = run_page("pages/workforce.py")
    opened = run_page("pages/workforce.py", state={"workforce_recent_box": True})
    assert not closed.exception and not opened.exception
    assert len(closed.dataframe) == 1  # the roster only
    recent = opened.dataframe[1].value
    assert list(recent["view"])[0] == f"task?task={task_id}" and list(recent["description"])[0] == HOSTILE


def test_fire_asks_first_and_cancel_keeps_the_worker(session) -> None:
    at = run_page("pages/workforce.py", operator="ann")
    at.button_group(key="workforce_worker").set_value("Rhea").run()
    at.button(key="workforce_fire").click().run()
    assert any("Fire Rhea?" in w.value and "undo" in w.value for w in at.warning)
    assert session.execute(text("SELECT fired_at FROM agents WHERE name = 'Rhea'")).scalar() is None
    at.button(key="workforce_fire_cancel").click().run()
    assert not at.exception and not at.warning
    assert session.execute(text("SELECT fired_at FROM agents WHERE name = 'Rhea'")).scalar() is None


def test_a_firing_is_undone_from_the_page_within_ten_minutes(session) -> None:
    at = run_page("pages/workforce.py", operator="ann")
    at.button_group(key="workforce_worker").set_value("Rhea").run()
    at.button(key="workforce_fire").click().run()
    at.button(key="workforce_fire_yes").click().run()
    assert session.execute(text("SELECT fired_at IS NOT NULL FROM agents WHERE name = 'Rhea'")).scalar()
    at.button(key="undo_fire_Rhea").click().run()
    assert not at.exception
    row = session.execute(text("SELECT fired_at, enabled FROM agents WHERE name = 'Rhea'")).one()
    assert tuple(row) == (None, True)


def test_discard_asks_first_then_the_task_is_discarded_not_failed(session) -> None:
    task_id = _waiting_task(session)
    at = _task_view(task_id)
    at.button(key="review_discard").click().run()
    assert any("Discard this work?" in w.value for w in at.warning)
    assert session.execute(text("SELECT status FROM tasks WHERE id = :t"), {"t": task_id}).scalar() == "needs_review"
    at.button(key="review_discard_yes").click().run()
    assert not at.exception
    assert session.execute(text("SELECT status FROM tasks WHERE id = :t"), {"t": task_id}).scalar() == "discarded"


def test_an_off_duty_workers_task_says_when_it_will_start(session) -> None:
    from datetime import datetime, timezone

    from core.workforce.hiring import parse_hours

    other_day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(datetime.now(timezone.utc).weekday() + 3) % 7]
    task_id = hire_and_task(session, hours=parse_hours(f"{other_day} 09:00-10:00 UTC"))
    at = _task_view(task_id)
    assert not at.exception
    said = " ".join(t.value for t in at.text)
    assert "Ada is off duty now; the task starts in " in said and "when Ada's next shift begins" in said
