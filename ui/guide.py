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
    """The sidebar Guide: a button that opens the question box in a dialog; the answer streams below it."""
    # A dialog, not an expander: its form is built only when opened, so no page's cold load carries the text
    # input's and the form's frontend bundles for a box that is usually closed (issue 16).
    if st.sidebar.button("Guide: ask about the console", icon=":material/help:", key="hoss_guide_open"):
        _guide()


@st.dialog("Guide: ask about the console")
def _guide() -> None:
    with st.form("hoss_guide", clear_on_submit=False, border=False):
        question = st.text_input("Question", max_chars=MAX_QUESTION, placeholder="How do I turn on real email?")
        asked = st.form_submit_button("Ask")
    if not (asked and question.strip()):
        return
    settings = app_context().settings
    if settings.llm_mode != "openai":  # the best docs section itself: our own Markdown, rendered as such
        st.markdown("".join(answer_from_docs(settings, question)))
        return
    st.write_stream(_escaped(answer_from_docs(settings, question)))
