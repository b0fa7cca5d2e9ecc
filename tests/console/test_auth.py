"""Operator sign-in: the password form, the OIDC path, and the open-console banner."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from ui.auth import failure_delay_seconds, password_matches


def _gate(password: str | None = None, secrets: dict | None = None) -> AppTest:
    def script(password: str | None) -> None:
        import streamlit as st

        from core.config.settings import Settings
        from ui.auth import require_operator
        from ui.context import current_actor

        name = require_operator(Settings(_env_file=None, hoss_console_password=password))
        st.text(f"inside as {name}; actor {current_actor().type}:{current_actor().id}")

    at = AppTest.from_function(script, args=(password,), default_timeout=15)
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
    assert at.session_state["_hoss_failed_signins"] == 1


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


def test_failure_delay_grows_and_is_capped() -> None:
    delays = [failure_delay_seconds(n) for n in range(0, 10)]
    assert delays[0] == 0 and delays[1] > 0
    assert delays == sorted(delays) and max(delays) == 5.0


def test_password_compare_handles_non_ascii() -> None:
    assert password_matches("pässwörd", "pässwörd") and not password_matches("pässwörd", "passwörd")
