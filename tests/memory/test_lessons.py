"""Lessons (SPEC §20): added, edited, forgotten and listed with the manage_memory permission, audited, bounded."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.app.cli import main
from core.approvals.credentials import issue_token
from core.approvals.operators import add_operator
from core.audit import Actor
from core.errors import Forbidden, InvalidInput, NotFound
from core.memory.lessons import add_lesson, edit_lesson, forget_lesson, list_lessons
from core.memory.prompt import LESSON_BUDGET_CHARS, LESSONS_HEADING, lessons_section
from tests.workforce.conftest import OPERATOR, make_customer

ADMIN = Actor.system("test")


def _count(session) -> int:
    value = session.execute(text("SELECT count(*) FROM customer_lessons")).scalar_one()
    session.rollback()
    return value


def test_adding_a_lesson_writes_one_audit_row_naming_its_customer(session) -> None:
    cid = make_customer(session)
    lesson_id = add_lesson(session, customer_id=cid, text="Prefers short bullet points", actor=OPERATOR)
    session.commit()
    row = session.execute(text("SELECT actor_id, to_status, metadata FROM audit_log WHERE entity = 'lesson' "
                               "AND entity_id = :i"), {"i": str(lesson_id)}).one()
    assert (row.actor_id, row.to_status, row.metadata["customer_id"]) == ("tester", "active", cid)


def test_an_edit_changes_the_text_and_audits_before_and_after(session) -> None:
    cid = make_customer(session)
    lesson_id = add_lesson(session, customer_id=cid, text="Short bullets", actor=OPERATOR)
    edit_lesson(session, lesson_id, "Short bullets, no emojis", OPERATOR)
    session.commit()
    assert [lesson.text for lesson in list_lessons(session, customer_id=cid)] == ["Short bullets, no emojis"]
    meta = session.execute(text("SELECT metadata FROM audit_log WHERE entity = 'lesson' ORDER BY id DESC LIMIT 1")
                           ).scalar_one()
    assert (meta["before"], meta["text"]) == ("Short bullets", "Short bullets, no emojis")


def test_an_edit_makes_the_source_edit_and_the_editor_its_author(session) -> None:
    cid = make_customer(session)
    lesson_id = add_lesson(session, customer_id=cid, text="Short bullets", actor=ADMIN, source="review_note")
    session.commit()
    assert edit_lesson(session, lesson_id, "Short bullets, no emojis", OPERATOR) is True
    session.commit()
    (lesson,) = list_lessons(session, customer_id=cid)
    assert (lesson.source, lesson.added_by, lesson.added_at) == ("edit", "tester", lesson.updated_at)


def test_an_edit_to_the_same_text_writes_nothing(session) -> None:
    cid = make_customer(session)
    lesson_id = add_lesson(session, customer_id=cid, text="Short bullets", actor=OPERATOR)
    session.commit()
    assert edit_lesson(session, lesson_id, "  Short bullets ", OPERATOR) is False
    session.commit()
    assert [lesson.source for lesson in list_lessons(session, customer_id=cid)] == ["operator"]
    assert session.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'lesson'")).scalar_one() == 1


def test_an_edited_review_note_says_so_in_words() -> None:
    from datetime import datetime, timezone

    from core.memory.lessons import Lesson

    at = datetime(2026, 12, 7, tzinfo=timezone.utc)
    edited = Lesson(1, 2, "Zahn GmbH", None, "x", "edit", 12, "ann", at, at)
    assert edited.source_words == "an edit of a review note on task 12"


def test_a_forgotten_lesson_is_no_longer_listed_and_cannot_be_forgotten_twice(session) -> None:
    cid = make_customer(session)
    lesson_id = add_lesson(session, customer_id=cid, text="Short bullets", actor=OPERATOR)
    forget_lesson(session, lesson_id, OPERATOR)
    session.commit()
    assert list_lessons(session, customer_id=cid) == []
    with pytest.raises(NotFound):
        forget_lesson(session, lesson_id, OPERATOR)


def test_a_viewer_cannot_add_a_lesson(session) -> None:
    cid = make_customer(session)
    add_operator(session, "vic", "viewer", ADMIN)
    session.commit()
    with pytest.raises(Forbidden):
        add_lesson(session, customer_id=cid, text="Short bullets", actor=Actor.user("vic"))
    session.rollback()
    assert _count(session) == 0


@pytest.mark.parametrize("bad", ["", "   ", "x" * 1001, "a\x00b"])
def test_empty_overlong_or_nul_text_is_refused(session, bad: str) -> None:
    cid = make_customer(session)
    with pytest.raises(InvalidInput):
        add_lesson(session, customer_id=cid, text=bad, actor=OPERATOR)


def test_a_lesson_for_an_unknown_customer_or_worker_is_not_found(session) -> None:
    cid = make_customer(session)
    with pytest.raises(NotFound):
        add_lesson(session, customer_id=cid + 1000, text="x", actor=OPERATOR)
    with pytest.raises(NotFound):
        add_lesson(session, customer_id=cid, text="x", actor=OPERATOR, agent="Nobody")


def test_the_section_is_newest_first_and_within_its_budget() -> None:
    lessons = [(n, f"lesson number {n} " + "x" * 180) for n in range(20, 0, -1)]
    section, ids = lessons_section(lessons)
    assert section.startswith(LESSONS_HEADING) and len(section) <= LESSON_BUDGET_CHARS
    assert ids == tuple(range(20, 20 - len(ids), -1)) and 0 < len(ids) < 20


def test_no_lessons_make_no_section() -> None:
    assert lessons_section([]) == ("", ())


def test_memory_add_edit_and_list_from_the_shell(cli_env, session, capsys) -> None:
    cid = make_customer(session)
    assert main(["memory", "add", "--customer", str(cid), "Sign off as the Zahn team"]) == 0
    lesson_id = int(capsys.readouterr().out.split()[1])
    assert main(["memory", "edit", str(lesson_id), "Sign off as the Zahn GmbH team"]) == 0
    capsys.readouterr()
    assert main(["memory", "list", "--customer", str(cid)]) == 0
    out = capsys.readouterr().out
    assert "Sign off as the Zahn GmbH team (from an edit, added by" in out and "_" not in out.split(":", 1)[1]
    assert "just now" in out


def test_a_viewers_token_cannot_forget_from_the_shell(cli_env, session, monkeypatch, capsys) -> None:
    cid = make_customer(session)
    lesson_id = add_lesson(session, customer_id=cid, text="Short bullets", actor=OPERATOR)
    add_operator(session, "vic", "viewer", ADMIN)
    session.commit()
    monkeypatch.setenv("HOSS_OPERATOR_TOKEN", issue_token(session, "vic", ADMIN))
    session.commit()
    assert main(["memory", "forget", str(lesson_id)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert [lesson.id for lesson in list_lessons(session, customer_id=cid)] == [lesson_id]


@pytest.mark.parametrize("argv", [["memory", "forget", "9" * 20], ["memory", "add", "--customer", "1", ""],
                                  ["memory", "edit", "12345", "text"], ["memory", "add", "--customer", "999999", "x"]])
def test_hostile_memory_input_is_one_line_exit_2_and_stores_nothing(cli_env, session, capsys, argv) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:  # a usage error (argparse): exit 2 with its one line
        code = exc.code
    assert code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert _count(session) == 0
