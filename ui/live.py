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


def live_fragment(run_every_seconds: float) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: the function becomes a fragment that reruns itself every `run_every_seconds`."""
    return st.fragment(run_every=timedelta(seconds=run_every_seconds))
