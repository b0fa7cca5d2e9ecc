"""The Guide in the sidebar: a question box answered from the project's docs, streamed with st.write_stream."""

from __future__ import annotations

from collections.abc import Iterator

import streamlit as st

from core.agents.guide import MAX_QUESTION, answer_from_docs
from ui.context import app_context
from ui.safe import md_escape


def _escaped(chunks: Iterator[str]) -> Iterator[str]:
    # st.write_stream renders Markdown; the answer (LLM text) is shown as typed, never as links or HTML.
    for chunk in chunks:
        yield md_escape(chunk)


def render_guide() -> None:
    """The sidebar Guide: one question box; the answer streams below it."""
    with st.sidebar.expander("Guide: ask about the console", icon=":material/help:"):
        with st.form("hoss_guide", clear_on_submit=False, border=False):
            question = st.text_input("Question", max_chars=MAX_QUESTION, placeholder="How do I turn on real email?")
            asked = st.form_submit_button("Ask")
        if asked and question.strip():
            st.write_stream(_escaped(answer_from_docs(app_context().settings, question)))
