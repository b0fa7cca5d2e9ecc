"""Operator sign-in: the password form, the OIDC path, and the open-console banner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from core.app.signin import record_signin, wait_after
from ui.auth import password_matches


@pytest.fixture(autouse=True)
def _database(db_url: str) -> None:
    global DB_URL
    DB_URL = db_url


DB_URL = ""


def _gate(password: str | None = None, secrets: dict | None = None) -> AppTest:
    def script(password: str | None, db_url: str) -> None:
        import streamlit as st

        from core.config.context import AppContext
        from core.config.settings import Settings
        from db.engine import make_engine, make_session_factory
        from ui.auth import require_operator
        from ui.context import current_actor

        engine = make_engine(db_url, pool_size=1)
        ctx = AppContext(Settings(_env_file=None, database_url=db_url, hoss_console_password=password), engine,
                         make_session_factory(engine))
        try:
            name = require_operator(ctx)
        finally:
            engine.dispose()
        st.text(f"inside as {name}; actor {current_actor().type}:{current_actor().id}")

    at = AppTest.from_function(script, args=(password, DB_URL), default_timeout=15)
    if secrets:
        at.secrets.update(secrets)
    return at


def _inside(at: AppTest) -> list[str]:
    return [t.value for t in at.text if t.value.startswith("inside")]


def test_with_a_password_nothing_renders_before_sign_in() -> None:
    at = _gate("s3cret").run()
    assert _inside(at) == [] and at.button[0].label == "Sign in"


def test_the_right_password_signs_the_operator_in_as_the_actor() -> None:
    at = _gate("s3cret").run()
    at.text_input[0].set_value("Ann")
    at.text_input[1].set_value("s3cret")
    at.button[0].click().run()
    assert _inside(at) == ["inside as Ann; actor user:Ann"]
    assert at.session_state["operator"] == "Ann"


def test_a_wrong_password_is_refused_and_counted() -> None:
    at = _gate("s3cret").run()
    at.text_input[0].set_value("Ann")
    at.text_input[1].set_value("guess")
    at.button[0].click().run()
    assert _inside(at) == [] and [e.value for e in at.error] == ["Wrong password."]
    assert _attempts() == [("unknown", False)]


def test_sign_out_returns_to_the_form() -> None:
    at = _gate("s3cret").run()
    at.text_input[0].set_value("Ann")
    at.text_input[1].set_value("s3cret")
    at.button[0].click().run()
    at.button(key="hoss_sign_out").click().run()
    assert _inside(at) == [] and "operator" not in at.session_state


def test_without_password_or_oidc_a_banner_says_the_console_is_open() -> None:
    at = _gate(None).run()
    assert "anyone who can reach it" in at.warning[0].value
    assert _inside(at) == ["inside as operator; actor user:operator"]


def test_with_an_oidc_provider_a_signed_out_visitor_sees_only_sign_in() -> None:
    at = _gate("ignored", secrets={"auth": {"redirect_uri": "http://localhost/oauth2callback"}})
    at.user = {"is_logged_in": False}
    at.run()
    assert _inside(at) == [] and at.button[0].label == "Sign in"


def test_with_an_oidc_provider_the_user_email_is_the_actor() -> None:
    at = _gate(None, secrets={"auth": {"redirect_uri": "http://localhost/oauth2callback"}})
    at.user = {"is_logged_in": True, "email": "ann@example.com"}
    at.run()
    assert _inside(at) == ["inside as ann@example.com; actor user:ann@example.com"]


def _attempts() -> list[tuple[str, bool]]:
    import psycopg

    with psycopg.connect(DB_URL.replace("postgresql+psycopg://", "postgresql://", 1)) as conn:
        return [tuple(r) for r in conn.execute(text("SELECT client, ok FROM signin_attempts ORDER BY id").text)]


def _try(at: AppTest, password: str) -> AppTest:
    at.text_input[0].set_value("Ann")
    at.text_input[1].set_value(password)
    return at.button[0].click().run()


def _earlier_failures(n: int, ago: timedelta) -> None:
    """Record n failed attempts from the test's client `ago` before now, as the product records them."""
    from db.engine import make_engine, make_session_factory

    engine = make_engine(DB_URL, pool_size=1)
    try:
        with make_session_factory(engine)() as session:
            for _ in range(n):
                record_signin(session, "unknown", False, datetime.now(UTC) - ago)
    finally:
        engine.dispose()


def test_a_reload_does_not_reset_the_wait_after_a_wrong_password() -> None:
    # Four old failures make the next wait 8 s, so a slow machine cannot outlast it between the two sessions
    # (regression: with the first failure's 0.5 s wait, CI took longer than that and the second try got in).
    _earlier_failures(4, ago=timedelta(minutes=1))
    _try(_gate("s3cret").run(), "guess")
    again = _try(_gate("s3cret").run(), "s3cret")  # a new browser session, straight away, with the right password
    assert _inside(again) == []
    assert "Try again in" in again.error[0].value
    assert _attempts() == [("unknown", False)] * 5  # the refused attempt was not even checked


def test_failure_wait_grows_and_is_capped() -> None:
    waits = [wait_after(n) for n in range(0, 12)]
    assert waits[0] == 0 and waits[1] > 0
    assert waits == sorted(waits) and max(waits) == 60.0


def test_password_compare_handles_non_ascii() -> None:
    assert password_matches("pässwörd", "pässwörd") and not password_matches("pässwörd", "passwörd")
