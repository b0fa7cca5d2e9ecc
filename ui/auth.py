"""Operator sign-in: a password form, or Streamlit's OIDC login, or a loud banner when the console is open."""

from __future__ import annotations

import hmac
import time

import streamlit as st

from core.config.settings import Settings

MAX_NAME = 64
_FAILS = "_hoss_failed_signins"
_SIGNED_IN = "_hoss_signed_in"


def failure_delay_seconds(failures: int) -> float:
    """How long a failed attempt waits before answering: doubling from 0.25 s per failure, capped at 5 s."""
    return 0.0 if failures <= 0 else min(0.25 * 2 ** (failures - 1), 5.0)


def password_matches(typed: str, expected: str) -> bool:
    """Constant-time comparison (on bytes, so non-ASCII passwords work)."""
    return hmac.compare_digest(typed.encode("utf-8"), expected.encode("utf-8"))


def oidc_configured() -> bool:
    """Whether .streamlit/secrets.toml has an [auth] section (then st.login does the sign-in)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises rather than answering False
        return False


def require_operator(settings: Settings) -> str:
    """Gate every page: return the operator's name (also in st.session_state["operator"]) or stop the script."""
    if oidc_configured():
        return _oidc()
    password = settings.secret("hoss_console_password")
    if password:
        return _password(password)
    st.warning(
        "This console has no sign-in: anyone who can reach it can approve actions and run agents. "
        "Set HOSS_CONSOLE_PASSWORD, or configure an [auth] provider in .streamlit/secrets.toml."
    )
    st.session_state.setdefault("operator", "operator")
    return st.session_state["operator"]


def _oidc() -> str:
    if not st.user.is_logged_in:
        st.title("HossAgent")
        st.write("Sign in to open the operator console.")
        st.button("Sign in", on_click=st.login, type="primary")
        st.stop()
    name = str(st.user.get("email") or st.user.get("name") or "operator")[:MAX_NAME]
    st.session_state["operator"] = name
    with st.sidebar:
        st.caption("Signed in as")
        st.text(name)
        st.button("Sign out", on_click=st.logout, key="hoss_sign_out")
    return name


def _sign_out() -> None:
    for key in (_SIGNED_IN, "operator"):
        st.session_state.pop(key, None)


def _password(password: str) -> str:
    if st.session_state.get(_SIGNED_IN) and st.session_state.get("operator"):
        name = st.session_state["operator"]
        with st.sidebar:
            st.caption("Signed in as")
            st.text(name)
            st.button("Sign out", on_click=_sign_out, key="hoss_sign_out")
        return name
    st.title("HossAgent")
    with st.form("hoss_sign_in"):
        name = st.text_input("Your name", max_chars=MAX_NAME)
        typed = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        name = name.strip()
        if password_matches(typed, password) and name:
            st.session_state[_SIGNED_IN] = True
            st.session_state["operator"] = name
            st.session_state[_FAILS] = 0
            st.rerun()
        elif password_matches(typed, password):
            st.error("Enter your name: it is recorded as the actor of your decisions.")
        else:
            failures = st.session_state.get(_FAILS, 0) + 1
            st.session_state[_FAILS] = failures
            time.sleep(failure_delay_seconds(failures))  # slows guessing; grows with each failure
            st.error("Wrong password.")
    st.stop()
    raise AssertionError("unreachable")
