"""Buttons that ask first (SPEC §21): fire, discard and reject show their consequence and wait for a second click."""

from __future__ import annotations

from typing import Any

import streamlit as st


def asking(key: str) -> bool:
    """Whether `key`'s button was clicked once and now waits for Yes or Cancel."""
    return bool(st.session_state.get(f"confirm_{key}"))


def confirmed(key: str, label: str, question: str, yes: str, *, where: Any = None, disabled: bool = False,
              help: str | None = None, shortcut: str | None = None) -> bool:
    """A button that asks: its first click shows `question` with `yes` and Cancel; True once, on `yes`.

    `where` is the column or container the button goes in (the page's main area unless given).
    """
    area = where if where is not None else st
    state = f"confirm_{key}"
    if st.session_state.get(state):
        box = area.container(border=True)
        box.warning(question, icon=":material/help:")
        y, n = box.columns(2)
        if y.button(yes, key=f"{key}_yes", type="primary", disabled=disabled, help=help):
            st.session_state.pop(state, None)
            return True
        if n.button("Cancel", key=f"{key}_cancel"):
            st.session_state.pop(state, None)
            st.rerun()
        return False
    if area.button(label, key=key, disabled=disabled, help=help, shortcut=shortcut):
        st.session_state[state] = True
        st.rerun()
    return False
