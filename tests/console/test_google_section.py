"""The Agents page's Google section through AppTest: Connect disabled with its reason, the consent link, delivery."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.console_support import run_page, use_database

GOOGLE_TAB = {"agents_tab": "Google Workspace"}  # the Agents page's tabs are lazy: open this one


@pytest.fixture
def plain_console(monkeypatch, db_url):
    yield from use_database(monkeypatch, db_url)


@pytest.fixture
def google_console(monkeypatch, db_url):
    monkeypatch.setenv("GOOGLE_CLIENT_ID", "hoss-test-client.apps.googleusercontent.com")
    monkeypatch.setenv("GOOGLE_CLIENT_SECRET", "stand-in-client-secret-5f3a")
    monkeypatch.setenv("HOSS_SECRET_KEY", "a-test-secret-key-of-some-length")
    yield from use_database(monkeypatch, db_url)


def test_connect_is_disabled_with_the_reason_when_google_is_not_configured(plain_console) -> None:
    at = run_page("pages/agents.py", state=GOOGLE_TAB)
    assert not at.exception
    button = next(b for b in at.button if b.label == "Connect Google")
    assert button.disabled
    assert any("GOOGLE_CLIENT_ID" in c.value for c in at.caption)


def test_connect_keeps_a_state_and_offers_the_consent_link(google_console, session) -> None:
    at = run_page("pages/agents.py", operator="ann", state=GOOGLE_TAB)
    next(b for b in at.button if b.label == "Connect Google").click()
    at.run()
    assert not at.exception
    assert session.execute(text("SELECT created_by FROM oauth_states")).scalar_one() == "user:ann"
    url = at.session_state["google_consent_url"]
    assert "access_type=offline" in url and "state=" in url


def test_customer_delivery_saves_gmail_draft_and_the_sheet_id_from_a_url(plain_console, session) -> None:
    cid = session.execute(text("INSERT INTO customers (company) VALUES ('Northwind') RETURNING id")).scalar_one()
    session.commit()
    at = run_page("pages/agents.py", operator="ann", state=GOOGLE_TAB)
    radio = next(r for r in at.radio if r.label == "Deliver finished work by")
    radio.set_value("gmail_draft")
    next(t for t in at.text_input if t.label.startswith("Google Sheet")).set_value(
        "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOp_q-r/edit#gid=0")
    next(b for b in at.button if b.label == "Save delivery").click()
    at.run()
    assert not at.exception
    row = session.execute(text("SELECT delivery, sheet_id FROM customers WHERE id = :i"), {"i": cid}).one()
    assert tuple(row) == ("gmail_draft", "1AbCdEfGhIjKlMnOp_q-r")
