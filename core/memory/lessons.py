"""What we have learned about a customer (SPEC §20): add, edit, forget and list lessons; each change audited.

A lesson belongs to a customer and, optionally, to one worker (then only that worker's tasks carry it). Forgetting
keeps the row, inactive, so a step's trace still names the lesson it used. Editing makes the text the editor's: its
source becomes "edit", its "added by" the editor and its "when" the edit (the audit row keeps what it said before).
Every change checks `manage_memory`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.approvals.acting import check
from core.audit import Actor, record_audit
from core.errors import InvalidInput, NotFound
from core.memory import sql
from db.statuses import LessonSource

MAX_LESSON_CHARS = 1000
MAX_LISTED = 500
SOURCE_WORDS: dict[str, str] = {"review_note": "a review note", "edit": "an edit", "operator": "an operator"}


@dataclass(frozen=True)
class Lesson:
    """One active lesson as lists show it."""

    id: int
    customer_id: int
    company: str
    agent: str | None
    text: str
    source: str
    task_id: int | None
    added_by: str
    created_at: datetime
    updated_at: datetime | None

    @property
    def source_words(self) -> str:
        """Where it came from, in words ("a review note on task 12", "an edit of a review note on task 12")."""
        if self.task_id is None:
            return SOURCE_WORDS.get(self.source, self.source)
        # Only a review note names a task, so an edited lesson with a task was a review note before the edit.
        words = "an edit of a review note" if self.source == "edit" else SOURCE_WORDS.get(self.source, self.source)
        return f"{words} on task {self.task_id}"

    @property
    def added_at(self) -> datetime:
        """When its text was written: the edit's time once edited, else when it was added."""
        return self.updated_at or self.created_at

    def as_json(self) -> dict[str, Any]:
        """`memory list --json`: one lesson."""
        return {"id": self.id, "customer_id": self.customer_id, "company": self.company, "worker": self.agent,
                "text": self.text, "source": self.source, "task_id": self.task_id, "added_by": self.added_by,
                "created_at": self.created_at.isoformat(),
                "updated_at": self.updated_at.isoformat() if self.updated_at else None}


def clean_text(raw: str) -> str:
    """A lesson's text, stripped; InvalidInput when empty, too long or holding a NUL."""
    value = (raw or "").strip()
    if not value or len(value) > MAX_LESSON_CHARS or "\x00" in value:
        raise InvalidInput(f"a lesson is 1-{MAX_LESSON_CHARS} characters of text")
    return value


def add_lesson(session: Session, *, customer_id: int, text: str, actor: Actor, source: LessonSource = "operator",
               agent: str | None = None, task_id: int | None = None) -> int:
    """Remember `text` for the customer (and only `agent`'s tasks when given); audited; its id. No commit.

    Forbidden without manage_memory; NotFound for an unknown customer or worker; InvalidInput for bad text.
    """
    check(session, actor, "manage_memory")
    value = clean_text(text)
    if not session.execute(sql.CUSTOMER_EXISTS, {"id": customer_id}).scalar_one():
        raise NotFound(f"customer {customer_id} not found")
    if agent is not None and not session.execute(sql.WORKER_EXISTS, {"name": agent}).scalar_one():
        raise NotFound(f"no worker named {agent!r}")
    lesson_id = session.execute(sql.INSERT_LESSON, {
        "customer_id": customer_id, "agent": agent, "text": value, "source": source, "task_id": task_id,
        "added_by": actor.label}).scalar_one()
    record_audit(session, actor, "lesson", lesson_id, None, "active", {
        "customer_id": customer_id, "text": value, "source": source,
        **({"agent": agent} if agent else {}), **({"task_id": task_id} if task_id is not None else {})})
    return lesson_id


def edit_lesson(session: Session, lesson_id: int, text: str, actor: Actor) -> bool:
    """Change an active lesson's text (source "edit", added by `actor`, now); audited (before and after); False
    when the text is unchanged (nothing written). No commit. NotFound when unknown or forgotten."""
    check(session, actor, "manage_memory")
    value = clean_text(text)
    row = _active(session, lesson_id)
    if value == row.text:
        return False
    session.execute(sql.EDIT_LESSON, {"id": lesson_id, "text": value, "added_by": actor.label})
    record_audit(session, actor, "lesson", lesson_id, "active", "active", {
        "customer_id": row.customer_id, "before": row.text, "text": value, "source_before": row.source,
        "added_by_before": row.added_by})
    return True


def forget_lesson(session: Session, lesson_id: int, actor: Actor) -> None:
    """Forget an active lesson (no later prompt carries it); audited. No commit. NotFound when unknown or forgotten."""
    check(session, actor, "manage_memory")
    row = _active(session, lesson_id)
    session.execute(sql.FORGET_LESSON, {"id": lesson_id})
    record_audit(session, actor, "lesson", lesson_id, "active", "forgotten", {
        "customer_id": row.customer_id, "text": row.text})


def list_lessons(session: Session, *, customer_id: int | None = None, agent: str | None = None,
                 limit: int = MAX_LISTED) -> list[Lesson]:
    """Active lessons, newest first, of one customer and/or worker (every one when neither). Read-only."""
    rows = session.execute(sql.LIST_LESSONS, {"customer_id": customer_id, "agent": agent, "limit": limit}).all()
    return [Lesson(r.id, r.customer_id, r.company, r.agent, r.text, r.source, r.task_id, r.added_by, r.created_at,
                   r.updated_at) for r in rows]


@dataclass(frozen=True)
class UsedLesson:
    """A lesson as a step's trace names it: forgotten ones too (the step carried it when it ran)."""

    id: int
    text: str
    active: bool

    @property
    def words(self) -> str:
        """One line: its text and number, and "since forgotten" when it is."""
        return f"{self.text} (lesson #{self.id}{', since forgotten' if not self.active else ''})"


def lessons_named(session: Session, ids: Iterable[int]) -> tuple[UsedLesson, ...]:
    """The lessons with these ids (active or forgotten), newest first; unknown ids are left out. Read-only."""
    wanted = sorted(set(ids))
    if not wanted:
        return ()
    rows = session.execute(sql.LESSONS_NAMED, {"ids": wanted}).all()
    return tuple(UsedLesson(r.id, r.text, r.active) for r in rows)


def _active(session: Session, lesson_id: int) -> Any:
    row = session.execute(sql.LOCK_LESSON, {"id": lesson_id}).one_or_none()
    if row is None or not row.active:
        raise NotFound(f"lesson {lesson_id} not found" + (" (it was forgotten)" if row is not None else ""))
    return row
