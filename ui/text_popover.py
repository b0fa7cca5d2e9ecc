"""Text fields in a popover whose label shows what they hold, so a closed box still says which text is in force.

A popover's contents are built by the script on every run (a typed value stays in session state) but mounted in the
browser only when it is opened, so a cold page load carries no text input's frontend bundle (issue 16). Used for
the pages' text filters and the Inbox's notes.
"""

from __future__ import annotations

import streamlit as st

from ui.safe import md_escape

SHOWN_CHARS = 40  # of each value, in the box's label


def text_popover(key: str, title: str, fields: dict[str, str], *, placeholders: dict[str, str] | None = None,
                 max_chars: int | None = 200, icon: str = ":material/search:") -> dict[str, str]:
    """Text inputs (widget key → label) in a popover under `key`, titled `title` until one holds text, then named
    by the text; return each field's text, stripped."""
    state = st.session_state
    held = {k: str(state.get(k) or "").strip() for k in fields}
    label = " · ".join(f"{fields[k]}: {md_escape(_cut(v))}" for k, v in held.items() if v) or title
    with st.popover(label, icon=icon, key=key):
        for widget_key, field in fields.items():
            st.text_input(field, key=widget_key, max_chars=max_chars,
                          placeholder=(placeholders or {}).get(widget_key, ""))
    return held  # what the inputs hold: a typed value is in session state before the run that shows it


def _cut(value: str) -> str:
    return value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS - 1] + "…"
