"""Operator sign-in (SPEC §19): each operator with their own password, the one-person install's console password,
the OIDC path (an unknown email is refused), and the open-console banner."""

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


def _with_db(work) -> None:
    """Run `work` in a committed session of the test database (operators, passwords, proposals)."""
    from db.engine import make_engine, make_session_factory

    engine = make_engine(DB_URL, pool_size=1)
    try:
        with make_session_factory(engine)() as session:
            work(session)
            session.commit()
    finally:
        engine.dispose()


def _operators(*rows: tuple[str, str, str | None]) -> None:
    """Add operators (name, role, own password or None)."""
    from core.approvals.credentials import set_password
    from core.approvals.operators import add_operator
    from core.audit import Actor

    def work(session) -> None:
        for name, role, password in rows:
            add_operator(session, name, role, Actor.system("test"))
            if password:
                set_password(session, name, password, Actor.system("test"))

    _with_db(work)


def _sign_in(at: AppTest, password: str, name: str | None = None) -> AppTest:
    if name is not None:
        at.text_input[0].set_value(name)
    at.text_input[-1].set_value(password)
    return at.button[0].click().run()


def test_the_console_password_alone_signs_in_the_owner() -> None:
    at = _sign_in(_gate("s3cret").run(), "s3cret")
    assert _inside(at) == ["inside as owner; actor user:owner"]
    assert at.session_state["operator_role"] == "owner"


def test_the_console_password_signs_in_the_only_owner_operator_when_there_is_one() -> None:
    _operators(("ana", "owner", None), ("vic", "viewer", None))
    at = _sign_in(_gate("s3cret").run(), "s3cret")
    assert _inside(at) == ["inside as ana; actor user:ana"]


def test_two_sign_ins_with_one_console_password_are_one_person() -> None:
    from core.approvals.policies import update_policy
    from core.approvals.proposals import decide
    from core.audit import Actor
    from tests.inbox_data import checkout_proposal, make_invoice

    first = _sign_in(_gate("s3cret").run(), "s3cret")  # once "mallory-1" ...
    second = _sign_in(_gate("s3cret").run(), "s3cret")  # ... and once "mallory-2": no name is asked for
    actors = [at.session_state["operator"] for at in (first, second)]
    assert actors == ["owner", "owner"]
    outcome: list[str] = []

    def approve_twice(session) -> None:
        update_policy(session, "stripe_checkout", Actor.system("test"), two_person_above_cents=10_000)
        cid, iid = make_invoice(session, 50_000)
        pid = checkout_proposal(session, iid, cid, 50_000)
        outcome.extend(decide(session, pid, "approve", Actor.user(name)).status for name in actors)

    _with_db(approve_twice)
    assert outcome == ["pending", "pending"]  # one person's approval; a second person is still needed


def test_a_wrong_password_is_refused_and_counted() -> None:
    at = _sign_in(_gate("s3cret").run(), "guess")
    assert _inside(at) == [] and [e.value for e in at.error] == ["Wrong password."]
    assert _attempts() == [("unknown", False)]


def test_once_an_operator_has_a_password_each_signs_in_with_their_own() -> None:
    _operators(("ana", "owner", "ana-password"), ("bo", "approver", "bo-password"))
    at = _sign_in(_gate("s3cret").run(), "bo-password", "bo")
    assert _inside(at) == ["inside as bo; actor user:bo"]
    assert at.session_state["operator_role"] == "approver"


def test_typing_a_viewers_name_does_not_make_its_decision() -> None:
    _operators(("vic", "viewer", None))
    one_person = _gate("s3cret").run()
    assert [t.label for t in one_person.text_input] == ["Password"]  # no name to type: the install's owner
    assert _inside(_sign_in(one_person, "s3cret")) == ["inside as owner; actor user:owner"]
    _operators(("ana", "owner", "ana-password"))
    at = _sign_in(_gate("s3cret").run(), "s3cret", "vic")  # the console password is not vic's own
    assert _inside(at) == [] and [e.value for e in at.error] == ["Wrong name or password."]
    assert "operator" not in at.session_state and _attempts()[-1] == ("unknown", False)


def test_another_operators_password_does_not_sign_in_a_viewer() -> None:
    _operators(("ana", "owner", "ana-password"), ("vic", "viewer", None))
    at = _sign_in(_gate(None).run(), "ana-password", "vic")
    assert _inside(at) == [] and "operator" not in at.session_state


def test_a_typed_name_with_the_console_password_is_no_one_once_operators_have_passwords() -> None:
    _operators(("ana", "owner", "ana-password"))
    at = _sign_in(_gate("s3cret").run(), "s3cret", "mallory-1")
    assert _inside(at) == [] and "operator" not in at.session_state


def test_a_deactivated_operator_is_signed_out_on_the_next_run() -> None:
    from core.approvals.operators import deactivate_operator
    from core.audit import Actor

    _operators(("ana", "owner", "ana-password"), ("bo", "approver", "bo-password"))
    at = _sign_in(_gate(None).run(), "bo-password", "bo")
    assert _inside(at) == ["inside as bo; actor user:bo"]
    _with_db(lambda session: deactivate_operator(session, "bo", Actor.system("test")))
    at.run()
    assert _inside(at) == [] and "operator" not in at.session_state


def test_a_changed_role_takes_effect_on_the_next_run() -> None:
    from core.approvals.operators import add_operator
    from core.audit import Actor

    _operators(("ana", "owner", "ana-password"), ("bo", "approver", "bo-password"))
    at = _sign_in(_gate(None).run(), "bo-password", "bo")
    _with_db(lambda session: add_operator(session, "bo", "viewer", Actor.system("test")))
    at.run()
    assert _inside(at) == ["inside as bo; actor user:bo"] and at.session_state["operator_role"] == "viewer"


def test_sign_out_returns_to_the_form() -> None:
    at = _sign_in(_gate("s3cret").run(), "s3cret")
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


def test_with_an_oidc_provider_the_email_names_its_operator() -> None:
    from core.approvals.operators import add_operator
    from core.audit import Actor

    _with_db(lambda session: add_operator(session, "ann", "approver", Actor.system("test"), email="ann@example.com"))
    at = _gate(None, secrets={"auth": {"redirect_uri": "http://localhost/oauth2callback"}})
    at.user = {"is_logged_in": True, "email": "ANN@example.com"}
    at.run()
    assert _inside(at) == ["inside as ann; actor user:ann"] and at.session_state["operator_role"] == "approver"


def test_with_an_oidc_provider_an_unknown_email_is_refused() -> None:
    at = _gate(None, secrets={"auth": {"redirect_uri": "http://localhost/oauth2callback"}})
    at.user = {"is_logged_in": True, "email": "stranger@example.com"}
    at.run()
    assert _inside(at) == [] and "operator" not in at.session_state
    assert "stranger@example.com is not an operator of this console" in at.error[0].value


def _attempts() -> list[tuple[str, bool]]:
    import psycopg

    with psycopg.connect(DB_URL.replace("postgresql+psycopg://", "postgresql://", 1)) as conn:
        return [tuple(r) for r in conn.execute(text("SELECT client, ok FROM signin_attempts ORDER BY id").text)]


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
    _sign_in(_gate("s3cret").run(), "guess")
    again = _sign_in(_gate("s3cret").run(), "s3cret")  # a new browser session, straight away, with the right password
    assert _inside(again) == []
    assert "Try again in" in again.error[0].value
    assert _attempts() == [("unknown", False)] * 5  # the refused attempt was not even checked


def test_failure_wait_grows_and_is_capped() -> None:
    waits = [wait_after(n) for n in range(0, 12)]
    assert waits[0] == 0 and waits[1] > 0
    assert waits == sorted(waits) and max(waits) == 60.0


def test_password_compare_handles_non_ascii() -> None:
    assert password_matches("pässwörd", "pässwörd") and not password_matches("pässwörd", "passwörd")
