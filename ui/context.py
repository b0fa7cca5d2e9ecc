"""The app context for the console, built once per server process."""

from __future__ import annotations

import streamlit as st

from core.audit import Actor
from core.context import AppContext, bootstrap
from core.settings import ConfigError


_created: list[AppContext] = []


@st.cache_resource(show_spinner="Starting the database…")
def _bootstrap() -> AppContext:
    ctx = bootstrap()
    _created.append(ctx)
    return ctx


def dispose_contexts() -> None:
    """Close every engine this process made for the console (tests, shutdown)."""
    st.cache_resource.clear()
    while _created:
        _created.pop().engine.dispose()


def app_context() -> AppContext:
    """The process-wide context; on a start-up error, one clear message and the page stops."""
    try:
        return _bootstrap()
    except ConfigError as exc:
        st.error(f"Configuration error: {exc}")
    except Exception as exc:  # database unreachable, embedded server failed: say it in one line
        st.error(f"HossAgent could not start: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises; this keeps type checkers honest


def current_actor() -> Actor:
    """Who is using the console: the signed-in operator's name once sign-in lands, "operator" until then."""
    return Actor.user(str(st.session_state.get("operator", "operator")))
