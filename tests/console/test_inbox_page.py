"""The inbox page through Streamlit's AppTest, on this test's database: approve, edit, reject, batch, badge."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import text
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from tests.inbox_data import audit_rows, checkout_proposal, email_proposal, make_invoice, make_lead

APP = Path(__file__).resolve().parents[2] / "streamlit_app.py"


@pytest.fixture
def inbox(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    st.cache_resource.clear()
    at = AppTest.from_file(str(APP), default_timeout=30)
    yield at
    from ui.context import _bootstrap

    _bootstrap().engine.dispose()  # the page's cached context: close its connections before the DB is dropped
    st.cache_resource.clear()


def _open(at: AppTest) -> AppTest:
    at.run()
    at.switch_page("pages/inbox.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _status(session: Session, pid: int) -> str:
    session.rollback()  # see what the page committed
    return session.execute(text("SELECT status FROM action_proposals WHERE id = :i"), {"i": pid}).scalar_one()


def test_card_shows_the_exact_message_as_text(inbox: AppTest, session: Session) -> None:
    lead = make_lead(session)
    pid = email_proposal(session, lead, to="<script>alert(1)</script>@x.test")
    session.commit()
    at = _open(inbox)
    assert any("To: <script>alert(1)</script>@x.test" in t.value for t in at.text)
    assert any(f"#{pid}" in t.value for t in at.text)
    assert all("<script>" not in m.value for m in at.markdown)


def test_approve_on_the_card_approves_and_queues(inbox: AppTest, session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    session.commit()
    at = _open(inbox)
    at.button(key=f"approve_{pid}").click().run()
    assert _status(session, pid) == "approved"
    assert audit_rows(session, "proposal", pid)[-1].actor_id == "operator"
    assert session.execute(text("SELECT count(*) FROM executions")).scalar_one() == 1


def test_edit_then_approve_executes_the_edited_payload(inbox: AppTest, session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    session.commit()
    at = _open(inbox)
    at.toggle(key=f"edit_{pid}").set_value(True).run()
    # The form is made from the email payload model: one field per model field, not raw JSON.
    at.text_input(key=f"field_{pid}_subject").input("Edited subject").run()
    assert any("• Subject: " in t.value and "→ Edited subject" in t.value for t in at.text)  # the diff, in words
    at.button(key=f"approve_{pid}").click().run()
    assert _status(session, pid) == "approved"
    payload = session.execute(text("SELECT payload FROM action_proposals")).scalar_one()
    assert payload["subject"] == "Edited subject" and payload["lead_id"]  # fields outside the form are kept


def test_invalid_edit_shows_the_field_error_and_approves_nothing(inbox: AppTest, session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    session.commit()
    at = _open(inbox)
    at.toggle(key=f"edit_{pid}").set_value(True).run()
    at.text_input(key=f"field_{pid}_to").input("not an address").run()
    at.button(key=f"approve_{pid}").click().run()
    assert any(e.value.startswith("to:") for e in at.error)
    assert at.text_input(key=f"field_{pid}_to").value == "not an address"
    assert _status(session, pid) == "pending"


def test_reject_with_a_note(inbox: AppTest, session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    session.commit()
    at = _open(inbox)
    at.text_input(key=f"note_{pid}").input("not now").run()
    at.button(key=f"reject_{pid}").click().run()
    assert _status(session, pid) == "pending"  # asked first
    at.button(key=f"reject_{pid}_yes").click().run()
    assert _status(session, pid) == "rejected"
    assert session.execute(text("SELECT decision_note FROM action_proposals")).scalar_one() == "not now"


def test_a_rejection_is_undone_from_the_inbox(inbox: AppTest, session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    session.commit()
    at = _open(inbox)
    at.button(key=f"reject_{pid}").click().run()
    at.button(key=f"reject_{pid}_yes").click().run()
    at.button(key=f"undo_reject_{pid}").click().run()
    assert not at.exception and _status(session, pid) == "pending"


def test_batch_approve_of_selected_cards(inbox: AppTest, session: Session) -> None:
    lead = make_lead(session)
    a, b, c = (email_proposal(session, lead, key=k) for k in "abc")
    session.commit()
    at = _open(inbox)
    at.checkbox(key=f"sel_{a}").check().run()
    at.checkbox(key=f"sel_{c}").check().run()
    at.button(key="batch_approve").click().run()
    assert [_status(session, p) for p in (a, b, c)] == ["approved", "pending", "approved"]


def test_navigation_shows_the_pending_count(inbox: AppTest, session: Session) -> None:
    lead = make_lead(session)
    email_proposal(session, lead, key="one")
    email_proposal(session, lead, key="two")
    session.commit()
    at = inbox
    at.run()
    assert not at.exception
    titles = [info.get("page_name") for info in at._registered_pages.values()]
    assert "Inbox (2)" in titles


def test_card_links_back_to_the_event_that_made_it(console, session) -> None:
    from sqlalchemy import text as sql

    from core.approvals.proposals import draft_proposal
    from core.audit import Actor

    event_id = session.execute(sql(
        "INSERT INTO events (source, type, dedupe_key) VALUES ('stripe', 'invoice.payment_failed', 'evt_x') "
        "RETURNING id")).scalar_one()
    draft_proposal(session, Actor.agent("money"), vertical="money", action_type="email", title="Dunning",
                   reasoning="payment failed", payload={"to": "a@b.test", "subject": "s", "body": "b"},
                   dedupe_key="money:dunning:in_x", event_id=event_id)
    session.commit()
    console.switch_page("pages/inbox.py").run()
    assert not console.exception
    links = [e for e in console.get("page_link")]
    assert any(f"event #{event_id}" in str(e.proto.label) for e in links)


def test_a_checkout_proposal_shows_as_a_card_not_json(inbox: AppTest, session: Session) -> None:
    invoice_id, customer_id = make_invoice(session, 166)
    checkout_proposal(session, invoice_id, customer_id, 166)
    session.commit()
    at = _open(inbox)
    shown = "\n".join(t.value for t in at.text)
    assert "A payment link for" in shown and "Amount: $1.66" in shown and "amount_cents" not in shown
