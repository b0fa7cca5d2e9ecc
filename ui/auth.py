"""Operator sign-in (SPEC §19): an identity is an operator, never a typed name.

Once any active operator has a password (`operator passwd NAME`), the form takes a name and THAT operator's
password. With HOSS_CONSOLE_PASSWORD alone the install is a one-person install: the form takes the password and
its one identity is the owner. With an OIDC provider (`st.login`) the verified email names an active operator;
an unknown email is refused. With none of these a loud banner says the console is open. Who is signed in is
re-read from the operators table on every run, so a deactivation or a changed role takes effect at once.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime

import streamlit as st

from core.app.signin import client_address, record_signin, signin_refusal
from core.approvals.credentials import operator_by_password
from core.approvals.operators import (
    install_owner,
    operator_active,
    passwords_in_use,
    role_of,
    signin_identity,
)
from core.audit import Actor
from core.config.context import AppContext

MAX_NAME = 64
_SIGNED_IN = "_hoss_signed_in"  # how: "operator" (their own password) or "install" (HOSS_CONSOLE_PASSWORD)
_OPEN = "operator"  # the identity of a console with no sign-in at all


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
    with ctx.sessions() as session:  # one session per run for the open console's two reads
        per_operator = passwords_in_use(session)
        if not (per_operator or password):
            st.warning(
                "This console has no sign-in: anyone who can reach it can approve actions and run agents. "
                "Set HOSS_CONSOLE_PASSWORD, give each operator a password (`python -m core operator passwd NAME`), "
                "or configure an [auth] provider in .streamlit/secrets.toml."
            )
            name = str(st.session_state.setdefault("operator", _OPEN))  # tests may seat an operator here
            _enter(name, role_of(session, Actor.user(name)), None)
            return name
    return _password(ctx, password, per_operator)


def _enter(name: str, role: str, how: str | None) -> None:
    st.session_state["operator"] = name
    st.session_state["operator_role"] = role
    if how is not None:
        st.session_state[_SIGNED_IN] = how


def _signed_in_as(name: str, on_sign_out) -> None:  # noqa: ANN001 - a callback
    with st.sidebar:
        st.caption("Signed in as")
        st.text(name)
        st.button("Sign out", on_click=on_sign_out, key="hoss_sign_out")


def _oidc(ctx: AppContext) -> str:
    if not st.user.is_logged_in:
        st.title("HossAgent")
        st.write("Sign in to open the operator console.")
        st.button("Sign in", on_click=st.login, type="primary")
        st.stop()
    email = st.user.get("email")
    with ctx.sessions() as session:
        found = signin_identity(session, str(email) if email else None)
    if found is None:
        _sign_out()
        st.title("HossAgent")
        st.error(f"{email or 'This account'} is not an operator of this console, so it cannot open it. "
                 "Ask an owner to add you with your email address.")
        st.button("Sign out", on_click=st.logout, key="hoss_sign_out")
        st.stop()
        raise AssertionError("unreachable")
    _enter(found.name, found.role, "oidc")
    _signed_in_as(found.name, st.logout)
    return found.name


def _sign_out() -> None:
    for key in (_SIGNED_IN, "operator", "operator_role"):
        st.session_state.pop(key, None)


def _still_signed_in(ctx: AppContext, per_operator: bool) -> bool:
    """Re-read the signed-in identity: its operator must still be active (role as it is now); a one-person
    sign-in ends once operators have passwords of their own."""
    how, name = st.session_state.get(_SIGNED_IN), st.session_state.get("operator")
    with ctx.sessions() as session:
        if how == "operator" and name and (found := operator_active(session, name)) and found.has_password:
            _enter(found.name, found.role, how)
            return True
        if how == "install" and not per_operator:
            owner = install_owner(session)
            _enter(owner, role_of(session, Actor.user(owner)), how)
            return True
    _sign_out()
    return False


def _client(ctx: AppContext) -> str:
    ip, forwarded = st.context.ip_address, st.context.headers.get("X-Forwarded-For")
    # Outside a browser session (AppTest, bare mode) Streamlit has no address: count those as one "unknown".
    return client_address(ip if isinstance(ip, str) else None, forwarded if isinstance(forwarded, str) else None,
                          trust_forwarded=ctx.settings.hoss_trust_forwarded_for)


def _password(ctx: AppContext, password: str | None, per_operator: bool) -> str:
    if st.session_state.get(_SIGNED_IN) and _still_signed_in(ctx, per_operator):
        name = st.session_state["operator"]
        _signed_in_as(name, _sign_out)
        return name
    st.title("HossAgent")
    with st.form("hoss_sign_in"):
        if per_operator:
            name = st.text_input("Your operator name", max_chars=MAX_NAME)
        else:
            name = ""
            st.caption("One-person install: the console password signs in the owner.")
        typed = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        _check(ctx, password, per_operator, name.strip(), typed)
    st.stop()
    raise AssertionError("unreachable")


def _check(ctx: AppContext, password: str | None, per_operator: bool, name: str, typed: str) -> None:
    """One attempt: refused unseen while this address waits out its backoff; else checked and recorded."""
    client, now = _client(ctx), datetime.now(UTC)
    with ctx.sessions() as session:
        if refusal := signin_refusal(session, client, now):
            st.error(refusal.message)
            return
        if per_operator:
            found = operator_by_password(session, name, typed) if name else None
            right = found is not None
        else:
            right = password is not None and password_matches(typed, password)
        record_signin(session, client, right, now)
    if not right:
        st.error("Wrong name or password." if per_operator else "Wrong password.")
        return
    st.session_state[_SIGNED_IN] = "operator" if per_operator else "install"
    st.session_state["operator"] = name
    st.rerun()
