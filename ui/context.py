"""The app context for the console, built once per server process."""

from __future__ import annotations

import streamlit as st

from core.audit import Actor
from core.context import AppContext, bootstrap
from core.settings import ConfigError


@st.cache_resource(show_spinner="Starting the database…")
def _bootstrap() -> AppContext:
    return bootstrap()


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
    """The signed-in operator (set by ui.auth.require_operator), as the actor of decisions and manual runs."""
    return Actor.user(st.session_state.get("operator", "operator"))
