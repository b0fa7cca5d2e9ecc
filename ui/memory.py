"""A customer's "What we have learned" section (SPEC §20): its lessons listed, edited, forgotten and added, each
through core.memory.lessons (which checks manage_memory and audits)."""

from __future__ import annotations

import streamlit as st

from core.errors import HossError
from core.memory.lessons import MAX_LESSON_CHARS, add_lesson, edit_lesson, forget_lesson, list_lessons
from core.present.times import when
from ui.context import app_context, current_actor
from ui.permits import permit


def _act(key: str, change, said: str) -> None:  # noqa: ANN001 - change(session) does one audited move
    try:
        with app_context().sessions() as session:
            changed = change(session)
            session.commit()
        # edit_lesson answers False when the text is what it was: nothing was written, so say so
        st.session_state[f"memory_flash_{key}"] = (True, said if changed is not False else
                                                   "Nothing to save: the lesson already says that.")
    except HossError as exc:
        st.session_state[f"memory_flash_{key}"] = (False, f"Not done: {exc}")


def memory_section(customer_id: int) -> None:
    """The customer's active lessons, newest first, with Edit and Forget, and a form to add one."""
    key = str(customer_id)
    if message := st.session_state.pop(f"memory_flash_{key}", None):
        (st.success if message[0] else st.error)(message[1])
    st.caption("Every later task of this customer carries these in its prompts, newest first; no other customer's "
               "does. A review note becomes one unless “Remember for this customer” is unticked.")
    may = permit("manage_memory")
    if may.help:
        st.caption(may.help)
    with app_context().sessions() as session:
        lessons = list_lessons(session, customer_id=customer_id)
    if not lessons:
        st.text("Nothing learned yet.")
    for lesson in lessons:
        with st.container(border=True):
            scope = f" · only for {lesson.agent}" if lesson.agent else ""
            st.caption(f"Lesson #{lesson.id} · from {lesson.source_words} · added by {lesson.added_by} "
                       f"{when(lesson.added_at, tz=app_context().settings.hoss_timezone)}{scope}")
            st.text_area("Lesson", value=lesson.text, max_chars=MAX_LESSON_CHARS, key=f"lesson_{lesson.id}",
                                label_visibility="collapsed", disabled=may.disabled)
            save, forget = st.columns(2)
            save.button("Save the edit", key=f"lesson_save_{lesson.id}", disabled=may.disabled, help=may.help,
                        on_click=_act, args=(key, lambda s, i=lesson.id: edit_lesson(s, i, st.session_state[f"lesson_{i}"],
                                                                            current_actor()),
                                             f"Lesson #{lesson.id} changed: later prompts carry the new text."))
            forget.button("Forget", key=f"lesson_forget_{lesson.id}", disabled=may.disabled, help=may.help,
                          on_click=_act, args=(key, lambda s, i=lesson.id: forget_lesson(s, i, current_actor()),
                                               f"Lesson #{lesson.id} forgotten: no later prompt carries it."))
    with st.form(f"lesson_add_{key}", clear_on_submit=True):
        new = st.text_area("Remember something about this customer", max_chars=MAX_LESSON_CHARS)
        if st.form_submit_button("Remember", disabled=may.disabled, help=may.help):
            _act(key, lambda s: add_lesson(s, customer_id=customer_id, text=new, actor=current_actor()),
                 "Remembered for this customer.")
            st.rerun()
