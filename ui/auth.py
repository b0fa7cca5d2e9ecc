"""Operator sign-in: a password form, or Streamlit's OIDC login, or a loud banner when the console is open."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime

import streamlit as st

from core.app.signin import client_address, record_signin, signin_refusal
from core.approvals.operators import signin_identity
from core.config.context import AppContext

MAX_NAME = 64
_SIGNED_IN = "_hoss_signed_in"


def password_matches(typed: str, expected: str) -> bool:
    """Constant-time comparison (on bytes, so non-ASCII passwords work)."""
    return hmac.compare_digest(typed.encode("utf-8"), expected.encode("utf-8"))


def oidc_configured() -> bool:
    """Whether .streamlit/secrets.toml has an [auth] section (then st.login does the sign-in)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises rather than answering False
        return False


def require_operator(ctx: AppContext) -> str:
    """Gate every page: return the operator's name (also in st.session_state["operator"]) or stop the script."""
    if oidc_configured():
        return _oidc(ctx)
    password = ctx.settings.secret("hoss_console_password")
    if password:
        return _password(ctx, password)
    st.warning(
        "This console has no sign-in: anyone who can reach it can approve actions and run agents. "
        "Set HOSS_CONSOLE_PASSWORD, or configure an [auth] provider in .streamlit/secrets.toml."
    )
    st.session_state.setdefault("operator", "operator")
    return st.session_state["operator"]


def _oidc(ctx: AppContext) -> str:
    if not st.user.is_logged_in:
        st.title("HossAgent")
        st.write("Sign in to open the operator console.")
        st.button("Sign in", on_click=st.login, type="primary")
        st.stop()
    email = st.user.get("email")
    fallback = str(st.user.get("name") or "operator")
    # SPEC §14: the email names the operator (and so the role); an unknown email signs in as a viewer.
    with ctx.sessions() as session:
        name, role = signin_identity(session, str(email) if email else None, fallback)
    st.session_state["operator"] = name
    st.session_state["operator_role"] = role
    with st.sidebar:
        st.caption("Signed in as")
        st.text(name)
        st.button("Sign out", on_click=st.logout, key="hoss_sign_out")
    return name


def _sign_out() -> None:
    for key in (_SIGNED_IN, "operator", "operator_role"):
        st.session_state.pop(key, None)


def _client(ctx: AppContext) -> str:
    ip, forwarded = st.context.ip_address, st.context.headers.get("X-Forwarded-For")
    # Outside a browser session (AppTest, bare mode) Streamlit has no address: count those as one "unknown".
    return client_address(ip if isinstance(ip, str) else None, forwarded if isinstance(forwarded, str) else None,
                          trust_forwarded=ctx.settings.hoss_trust_forwarded_for)


def _password(ctx: AppContext, password: str) -> str:
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
        _check(ctx, password, name.strip(), typed)
    st.stop()
    raise AssertionError("unreachable")


def _check(ctx: AppContext, password: str, name: str, typed: str) -> None:
    """One attempt: refused unseen while this address waits out its backoff; else checked and recorded."""
    client, now = _client(ctx), datetime.now(UTC)
    with ctx.sessions() as session:
        if refusal := signin_refusal(session, client, now):
            st.error(refusal.message)
            return
        right = password_matches(typed, password)
        if right and not name:
            st.error("Enter your name: it is recorded as the actor of your decisions.")
            return
        record_signin(session, client, right, now)
    if not right:
        st.error("Wrong password.")
        return
    st.session_state[_SIGNED_IN] = True
    st.session_state["operator"] = name
    st.session_state["operator_role"] = "owner"  # SPEC §14: the password sign-in is the owner
    st.rerun()
