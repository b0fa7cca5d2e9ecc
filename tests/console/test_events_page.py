"""The Events & ledger page renders events (as text) with their proposals, and sets the cash balance."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from core.agents.events import run_event_processor
from core.config.settings import Settings
from core.config.store import get_cash_balance
from core.events.webhooks import store_stripe_event
from tests.standins.stripe_events import event, payment_failed

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "events.py")


@pytest.fixture
def page_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The page bootstraps its own context from the environment: point it at this test's database."""
    import ui.context

    monkeypatch.setenv("DATABASE_URL", settings.database_url or "")
    ui.context._bootstrap.clear()
    yield
    ui.context._bootstrap().engine.dispose()  # the cached context of the page's runs
    ui.context._bootstrap.clear()


def test_events_table_shows_each_event_with_its_proposal_ids(page_env: None, session: Session,
                                                             settings: Settings) -> None:
    store_stripe_event(session, payment_failed("in_a"))
    store_stripe_event(session, event("<script>alert(1)</script>", {"id": "x"}, id_="evt_x"))
    run_event_processor(session, settings)
    proposal = session.execute(text("SELECT id FROM action_proposals")).scalar_one()
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    assert not at.exception
    df = at.dataframe[0].value
    assert list(df["type"]) == ["<script>alert(1)</script>", "invoice.payment_failed"]
    assert list(df["status"]) == ["ignored", "processed"]
    assert list(df["proposals"].iloc[1]) == [f"#{proposal}"]
    assert all("<script>" not in m.value for m in at.markdown)


def test_events_are_filtered_by_the_type_typed_in_the_search_box(page_env: None, session: Session) -> None:
    store_stripe_event(session, payment_failed("in_a"))
    store_stripe_event(session, event("customer.created", {"id": "cus_1"}, id_="evt_c"))
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.text_input(key="events_type").input("invoice.payment_failed").run()  # the whole type, as stored
    assert not at.exception and list(at.dataframe[0].value["type"]) == ["invoice.payment_failed"]


def test_cash_balance_form_saves_whole_cents(page_env: None, session: Session) -> None:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["events_tab"] = "Ledger"  # the tabs are lazy: only the open one renders
    at.run()
    cash = next(n for n in at.number_input if n.label == "Cash balance ($)")
    cash.set_value(12345.67)
    at.get("form_submit_button")[0].click().run()
    assert not at.exception
    assert get_cash_balance(session) == 1_234_567
