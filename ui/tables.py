"""A paginated table widget: the page number lives in session state; rows come from one core call."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.console.control_room import TablePage
from ui.format import frame


def paged_table(key: str, load: Callable[[int], TablePage], *, money: tuple[str, ...] = (),
                column_config: dict | None = None) -> TablePage:
    """Render one page from `load(page)` with Previous/Next controls; return the page shown."""
    page_key = f"{key}_page"
    page = st.session_state.get(page_key, 1)
    result = load(page)
    if not result.rows and page > 1:  # the filter shrank the table under us: go back to the first page
        st.session_state[page_key] = 1
        result = load(1)
    df = frame(result.rows, result.columns, money=money)
    config = {c.removesuffix("_cents"): st.column_config.NumberColumn(format="dollar") for c in money}
    for col in df.columns:  # timestamps to the minute, in UTC, not ISO noise
        if str(df[col].dtype).startswith("datetime64"):
            config[col] = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")
    config.update(column_config or {})
    st.dataframe(df, hide_index=True, width="stretch", column_config=config)
    left, mid, right = st.columns([1, 2, 1])
    if left.button("← Previous", key=f"{key}_prev", disabled=result.page <= 1):
        st.session_state[page_key] = result.page - 1
        st.rerun()
    mid.caption(f"Page {result.page}")
    if right.button("Next →", key=f"{key}_next", disabled=not result.has_next):
        st.session_state[page_key] = result.page + 1
        st.rerun()
    return result
