"""The app context for the console, built once per server process."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

from core.app.context import bootstrap
from core.audit import Actor
from core.config.context import AppContext
from core.config.settings import ConfigError

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


def _guard_direct_page_run(ctx: AppContext) -> None:
    """Apply the sign-in to a page that Streamlit ran without the router (streamlit_app.py).

    Streamlit starts in its old multipage mode because a `pages/` folder sits next to streamlit_app.py: until
    some session calls st.navigation, a deep link such as /inbox runs pages/inbox.py directly (from Streamlit's
    `_mpa_v1`), skipping the router and so the sign-in. Every page calls app_context() first: here such a run
    gets the sign-in inline (no rerun, so a click in it is not lost) and the old mode is switched off, as
    st.navigation would, so later runs go through the router. tests/console/test_browser_deep_link.py guards this.
    """
    from streamlit.runtime.pages_manager import PagesManager

    from ui.auth import require_operator

    if PagesManager.uses_pages_directory and _run_by_old_multipage_mode():
        PagesManager.uses_pages_directory = False
        require_operator(ctx)


def _run_by_old_multipage_mode() -> bool:
    """Whether Streamlit's pages-folder runner is on the stack and the router (streamlit_app.py) is not."""
    old_mode = False
    frame = sys._getframe(1)  # noqa: SLF001 - the documented way to walk the caller's stack
    while frame is not None:
        if Path(frame.f_code.co_filename).name == "streamlit_app.py":
            return False
        old_mode = old_mode or frame.f_code.co_name == "_mpa_v1"
        frame = frame.f_back
    return old_mode


def app_context() -> AppContext:
    """The process-wide context; on a start-up error, one clear message and the page stops."""
    try:
        ctx = _bootstrap()
    except ConfigError as exc:
        st.error(f"Configuration error: {exc}")
    except Exception as exc:  # database unreachable, embedded server failed: say it in one line
        st.error(f"HossAgent could not start: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    else:
        _guard_direct_page_run(ctx)
        return ctx
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises; this keeps type checkers honest


def current_actor() -> Actor:
    """Who is using the console: the operator the sign-in named (ui.auth.require_operator, re-read every run);
    "operator" when no sign-in is configured (or a page ran without one, as a bare AppTest run does)."""
    return Actor.user(str(st.session_state.get("operator", "operator")))


def current_role() -> str | None:
    """The signed-in identity's role as the sign-in read it this run (the operator's row; a one-person install's
    owner), else None (the caller looks it up with core.approvals.operators.role_of)."""
    role = st.session_state.get("operator_role")
    return str(role) if role else None
