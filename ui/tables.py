"""A paginated table widget: the page number lives in session state; rows come from one core call."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

import streamlit as st

from core.console.control_room import TablePage
from ui.format import frame, status_word

_STREAMLIT_COLOUR = {"grey": "gray"}


def label(column: str) -> str:
    """A column's readable header: `last_contacted_at` → "last contacted", `amount_cents` → "amount"."""
    return column.removesuffix("_at").removesuffix("_cents").removesuffix("_s").replace("_", " ")


def _badge(statuses: list[str]) -> st.column_config.MultiselectColumn:
    """The status column as a badge: each status's word and colour (core.present)."""
    words = [status_word(s) for s in statuses]
    return st.column_config.MultiselectColumn("status", options=[w.text for w in words],
                                              color=[_STREAMLIT_COLOUR.get(w.colour, w.colour) for w in words])


def readable_table(rows: list[dict], columns: tuple[str, ...], *, money: tuple[str, ...] = (),
                   column_config: dict | None = None, timezone: str = "UTC") -> None:
    """Render rows as a dataframe the way every console table reads: readable headers, `money` columns (cents)
    in dollars, timestamps as "3 hours ago" in the operator's `timezone`, a `status` column as a badge."""
    df = frame(rows, columns, money=money)
    config: dict = {col: st.column_config.Column(label(col)) for col in df.columns}
    config.update({c.removesuffix("_cents"): st.column_config.NumberColumn(label(c), format="dollar") for c in money})
    for col in df.columns:
        if str(df[col].dtype).startswith("datetime64"):
            config[col] = st.column_config.DatetimeColumn(label(col), format="distance", timezone=timezone)
    if "status" in df.columns and len(df):
        shown = sorted(set(df["status"].dropna()))
        df["status"] = df["status"].map(lambda v: [status_word(v).text] if isinstance(v, str) else [])
        config["status"] = _badge(shown)
    config.update(column_config or {})
    st.dataframe(df, hide_index=True, width="stretch", column_config=config)


def paged_table(key: str, load: Callable[[int], TablePage], *, money: tuple[str, ...] = (),
                column_config: dict | None = None, timezone: str = "UTC") -> TablePage:
    """Render one page from `load(page)` (as readable_table does) with Previous/Next controls; return the page."""
    page_key = f"{key}_page"
    page = st.session_state.get(page_key, 1)
    result = load(page)
    if not result.rows and page > 1:  # the filter shrank the table under us: go back to the first page
        st.session_state[page_key] = 1
        result = load(1)
    readable_table(result.rows, result.columns, money=money, column_config=column_config, timezone=timezone)
    pager(key, result.page, result.has_next).caption(f"Page {result.page}")
    return result


def page_for_filter(key: str, inputs: object) -> int:
    """The page of `key`'s table to show (`{key}_page`): the first again whenever the filter `inputs` changed."""
    if st.session_state.get(f"{key}_shown_filter") != inputs:
        st.session_state[f"{key}_shown_filter"] = inputs
        st.session_state[f"{key}_page"] = 1
    return st.session_state.get(f"{key}_page", 1)


def pager(key: str, page: int, has_next: bool):  # noqa: ANN201 - Streamlit's column DeltaGenerator
    """Previous/Next under `key`'s table: a click moves `{key}_page` and reruns. The middle column, for a caption."""
    left, mid, right = st.columns([1, 2, 1])
    if left.button("← Previous", key=f"{key}_prev", disabled=page <= 1):
        st.session_state[f"{key}_page"] = page - 1
        st.rerun()
    if right.button("Next →", key=f"{key}_next", disabled=not has_next):
        st.session_state[f"{key}_page"] = page + 1
        st.rerun()
    return mid


def selection_key(prefix: str, row_ids: Iterable[object]) -> str:
    """The key of a table whose rows can be selected: named by the rows it shows, so a selection made on some rows
    never moves onto others (a retry, a new filter or a new row starts with no selection)."""
    digest = hashlib.sha256(",".join(map(str, row_ids)).encode()).hexdigest()[:16]
    return f"{prefix}_{digest}"
