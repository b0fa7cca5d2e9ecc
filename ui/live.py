"""Live updates: parts of a page that refresh themselves with st.fragment(run_every=...), never a sleep loop.

Pattern for any page (the control room's counters, a run history):

    @live_fragment(5)
    def counters() -> None:
        with app_context().sessions() as s:
            st.dataframe(...)

    counters()

Only the fragment reruns every N seconds; the rest of the page and its widgets keep their state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import streamlit as st

from core.approvals.queries import count_pending
from ui.context import app_context

BADGE_REFRESH_SECONDS = 10


def live_fragment(run_every_seconds: float) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: the function becomes a fragment that reruns itself every `run_every_seconds`."""
    return st.fragment(run_every=timedelta(seconds=run_every_seconds))


@live_fragment(BADGE_REFRESH_SECONDS)
def inbox_badge() -> None:
    """The sidebar's count of proposals waiting for a decision, refreshed on its own."""
    with app_context().sessions() as session:
        pending = count_pending(session)
    # A caption, not st.metric: the sidebar is on every page, and a metric pulls its own frontend bundle into
    # each cold load (issue 16 measured the sidebar at +0.26x of a hello-world page; +0.03x like this).
    st.caption(f"Inbox: **{pending}** pending decision{'' if pending == 1 else 's'}")
