"""A viewer sees every page's actions disabled with the table's sentence, and a forged click changes nothing (§19).

Each case signs in the viewer `vic` (an operator row and the session's role) and checks the control is disabled
with the refusal as its help. Then the session claims the owner's role, as the password sign-in did for any typed
name (issue 29): the page enables the control, the click reaches the core function, and the server, which looks
vic up itself, refuses it: no audit row, and nothing else, is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from core.approvals.operators import add_operator
from core.approvals.permissions import Action, refusal
from core.audit import Actor
from tests.console_support import page_path, use_database
from tests.ops_helpers import seed_tasks, walk_tasks
from tests.workforce.conftest import hire_and_task

SETUP = Actor.system("test")


@pytest.fixture(autouse=True)
def _db(monkeypatch, db_url):
    monkeypatch.setenv("GOOGLE_CLIENT_ID", "hoss-test-client.apps.googleusercontent.com")
    monkeypatch.setenv("GOOGLE_CLIENT_SECRET", "stand-in-client-secret-5f3a")
    monkeypatch.setenv("HOSS_SECRET_KEY", "a-test-secret-key-of-some-length")
    yield from use_database(monkeypatch, db_url)


def _sign_in_vic(session: Session) -> None:
    add_operator(session, "olga", "owner", SETUP)
    add_operator(session, "vic", "viewer", SETUP)
    session.commit()


def _as_viewer(page: str, state: dict[str, object] | None = None, query: dict[str, str] | None = None, *,
               claimed: str = "viewer") -> AppTest:
    at = AppTest.from_file(str(page_path(page)), default_timeout=30)
    at.session_state["operator"] = "vic"
    at.session_state["operator_role"] = claimed
    for key, value in (state or {}).items():
        at.session_state[key] = value
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def _count(session: Session, sql: str) -> int:
    session.rollback()
    return session.execute(text(sql)).scalar_one()


def _failed_task(session: Session) -> int:
    task_id = seed_tasks(session, 1)[0]
    walk_tasks(session, task_id, "running", "failed")
    session.execute(text("UPDATE tasks SET last_error = 'boom' WHERE id = :t"), {"t": task_id})
    session.commit()
    return task_id


def _waiting_task(session: Session) -> int:
    task_id = hire_and_task(session)
    walk_tasks(session, task_id, "running", "needs_review")
    session.commit()
    return task_id


@dataclass(frozen=True)
class Case:
    """One page's action: how to reach it, its control, the action it takes, and what must not change."""

    page: str
    label: str  # the control's label (a button or a form's submit button)
    action: Action
    probe: str  # SQL whose answer a refused click leaves as it was
    state: dict[str, object] = field(default_factory=dict)
    setup: Callable[[Session], object] | None = None
    query: Callable[[object], dict[str, str]] | None = None


CASES = {
    "control_room_run_bizdev": Case("pages/control_room.py", "Run BizDev", "run_agent",
                                    "SELECT count(*) FROM agent_runs"),
    "control_room_retry_task": Case("pages/control_room.py", "Retry task", "run_agent",
                                    "SELECT count(*) FROM tasks WHERE status = 'failed'",
                                    {"control_room_tab": "Tasks"}, _failed_task),
    "task_page_approve": Case("pages/task.py", "Approve", "review_task",
                              "SELECT count(*) FROM tasks WHERE status = 'needs_review'", setup=_waiting_task,
                              query=lambda task_id: {"task": str(task_id)}),
    "workforce_fire": Case("pages/workforce.py", "Fire", "manage_workforce",
                           "SELECT count(*) FROM agents WHERE fired_at IS NOT NULL", setup=_waiting_task),
    "workforce_hire": Case("pages/workforce.py", "Hire", "manage_workforce", "SELECT count(*) FROM agents",
                           {"workforce_hire_box": True}),
    "customers_settings": Case("pages/customers.py", "Save settings", "change_settings",
                               "SELECT count(*) FROM settings", {"customers_budgets_box": True}),
    "customers_add_plan": Case("pages/customers.py", "Add plan", "change_plan", "SELECT count(*) FROM plans",
                               {"customers_plans_box": True}),
    "failures_retry_all": Case("pages/failures.py", "Retry all 1 matching row(s)", "run_agent",
                               "SELECT count(*) FROM tasks WHERE status = 'failed'", setup=_failed_task),
    "policies_save": Case("pages/agents.py", "Save", "change_policy", "SELECT count(*) FROM settings",
                          {"agents_tab": "Approval policies"}),
    "agents_money_settings": Case("pages/agents.py", "Save settings", "change_settings",
                                  "SELECT count(*) FROM settings", {"agents_tab": "Settings"}),
    "google_connect": Case("pages/agents.py", "Connect Google", "connect_google", "SELECT count(*) FROM oauth_states",
                           {"agents_tab": "Google Workspace"}),
    "events_cash_balance": Case("pages/events.py", "Save cash balance", "change_settings",
                                "SELECT count(*) FROM settings", {"events_tab": "Ledger"}),
}


def _control(at: AppTest, label: str):
    controls = [*at.button, *at.get("form_submit_button")]
    found = [c for c in controls if c.label == label]
    assert found, f"no control {label!r} on the page: {[c.label for c in controls]}"
    return found[0]


def _said(at: AppTest) -> list[str]:
    """Every message, text, caption and Markdown on the page."""
    return [str(e.value).replace("\\", "") for kind in ("error", "warning", "info", "success", "text", "caption", "markdown")
            for e in at.get(kind)]


@pytest.mark.parametrize("name", list(CASES))
def test_a_viewers_click_on_any_pages_action_is_refused_and_changes_nothing(name: str, session: Session) -> None:
    case = CASES[name]
    made = case.setup(session) if case.setup else None
    _sign_in_vic(session)
    audit_before, probe_before = _count(session, "SELECT count(*) FROM audit_log"), _count(session, case.probe)
    query = case.query(made) if case.query else None
    at = _as_viewer(case.page, case.state, query)
    assert not at.exception
    control = _control(at, case.label)
    assert control.disabled and control.proto.help == refusal("viewer", case.action)
    at = _as_viewer(case.page, case.state, query, claimed="owner")
    control = _control(at, case.label)
    assert not control.disabled
    control.click()
    at.run()
    if asked := [b for b in at.button if b.label.startswith("Yes, ")]:  # fire, discard, reject ask first
        asked[0].click()
        at.run()
    assert not at.exception
    assert any(refusal("viewer", case.action) in shown for shown in _said(at)), _said(at)
    assert (_count(session, "SELECT count(*) FROM audit_log"), _count(session, case.probe)) == (audit_before,
                                                                                                probe_before)


def test_a_viewer_cannot_run_bizdev_from_the_control_room(session: Session) -> None:
    _sign_in_vic(session)
    at = _as_viewer("pages/control_room.py", claimed="owner")
    _control(at, "Run BizDev").click()
    at.run()
    assert not at.exception
    assert any("A viewer cannot run agents" in e.value for e in at.error)
    assert _count(session, "SELECT count(*) FROM agent_runs") == 0


def test_a_viewer_cannot_approve_a_task_on_the_task_page(session: Session) -> None:
    task_id = _waiting_task(session)
    _sign_in_vic(session)
    at = _as_viewer("pages/task.py", query={"task": str(task_id)}, claimed="owner")
    _control(at, "Approve").click()
    at.run()
    assert not at.exception
    assert any("A viewer cannot review tasks" in t.value for t in at.text)
    assert _count(session, "SELECT count(*) FROM action_proposals") == 0
    assert _count(session, f"SELECT count(*) FROM tasks WHERE id = {task_id} AND status = 'needs_review'") == 1


def test_a_viewer_sees_no_operators_section(session: Session) -> None:
    _sign_in_vic(session)
    at = _as_viewer("pages/agents.py", {"agents_tab": "Approval policies"})
    assert not at.exception
    assert "Operators" not in [h.value for h in at.subheader]
    assert "operator_deactivate_go" not in {b.key for b in at.button}


def test_an_approver_may_review_but_the_workforce_buttons_stay_disabled(session: Session) -> None:
    task_id = _waiting_task(session)
    add_operator(session, "olga", "owner", SETUP)
    add_operator(session, "ana", "approver", SETUP)
    session.commit()
    at = AppTest.from_file(str(page_path("pages/workforce.py")), default_timeout=30)
    at.session_state["operator"], at.session_state["operator_role"] = "ana", "approver"
    at.run()
    assert _control(at, "Fire").disabled
    at = AppTest.from_file(str(page_path("pages/task.py")), default_timeout=30)
    at.session_state["operator"], at.session_state["operator_role"] = "ana", "approver"
    at.query_params["task"] = str(task_id)
    at.run()
    assert not _control(at, "Approve").disabled
