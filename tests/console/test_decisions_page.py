"""The Inbox's decisions pieces through AppTest: viewers see no buttons, revise, time left, Trust tab, Operators."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from core.approvals.operators import add_operator
from core.approvals.policies import update_policy
from core.audit import Actor
from tests.console_support import page_path, use_database
from tests.inbox_data import email_proposal, make_lead


@pytest.fixture(autouse=True)
def _db(monkeypatch, db_url):
    yield from use_database(monkeypatch, db_url)


def _run(page: str, *, operator: str = "ana", role: str | None = None, tab: str | None = None) -> AppTest:
    at = AppTest.from_file(str(page_path(page)), default_timeout=30)
    at.session_state["operator"] = operator
    if role:
        at.session_state["operator_role"] = role
    if tab:  # the inbox's and the Agents page's tabs are lazy: only the open one renders
        at.session_state["agents_tab" if page.endswith("agents.py") else "inbox_tab"] = tab
    return at.run()


def test_a_viewer_sees_the_card_without_buttons(session) -> None:
    pid = email_proposal(session, make_lead(session))
    session.commit()
    at = _run("pages/inbox.py", role="viewer")
    assert not at.exception
    keys = {b.key for b in at.button}
    assert f"approve_{pid}" not in keys and f"reject_{pid}" not in keys
    assert any("viewer" in t.value for t in at.text)


def test_the_card_shows_time_left_marks_opened_and_request_changes_makes_v2(session) -> None:
    update_policy(session, "email", Actor.system("test"), sla_minutes=90)
    pid = email_proposal(session, make_lead(session))
    session.commit()
    at = _run("pages/inbox.py", role="owner")
    assert any("left (then expire)" in t.value for t in at.text)
    assert session.execute(text("SELECT opened_at IS NOT NULL FROM action_proposals")).scalar_one()
    approve = next(b for b in at.button if b.key == f"approve_{pid}")
    assert approve.proto.shortcut.lower() == "a"  # the focused card answers the keyboard
    at.text_input(key=f"note_{pid}").input("add: P.S. The first task is free.").run()
    at.button(key=f"revise_{pid}").click().run()
    session.rollback()
    rows = session.execute(text("SELECT status, supersedes_id FROM action_proposals ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("superseded", None), ("pending", pid)]


def test_trust_tab_and_operators_section_for_the_owner_only(session) -> None:
    email_proposal(session, make_lead(session))
    add_operator(session, "bo", "approver", Actor.system("test"))
    session.commit()
    at = _run("pages/inbox.py", role="owner", tab="Trust")
    assert any("first opening" in t.value for t in at.text)
    owner = _run("pages/agents.py", role="owner", tab="Approval policies")
    assert any(s.value == "Operators" for s in owner.subheader)
    approver = _run("pages/agents.py", operator="bo", tab="Approval policies")
    assert not any(s.value == "Operators" for s in approver.subheader)
