"""The review gate (SPEC §12): approve, request changes with a note, or discard a task waiting in needs_review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.approvals.acting import check
from core.audit import Actor
from core.errors import IllegalTransition, InvalidInput, NotFound
from core.memory.lessons import MAX_LESSON_CHARS, add_lesson
from core.transitions import REVIEW_DECISIONS, transition_task
from core.workforce.finish import finish_task
from core.workforce.roles import role_template
from db.models import Agent, Task, TaskStep

MAX_NOTE_CHARS = 2000


@dataclass(frozen=True)
class ReviewOutcome:
    """What one review decision did: the task's status now, and one line saying so."""

    task_id: int
    status: str
    message: str
    proposal_id: int | None = None


def review_task(session: Session, task_id: int, decision: str, actor: Actor, *, note: str | None = None,
                remember: bool = True) -> ReviewOutcome:
    """Approve (→ done, one deliver proposal), revise (→ pending from revise_from, note in the prompts) or discard
    (→ discarded, never invoiced) a task in needs_review; audited; no commit. A note becomes a lesson for the
    task's customer (core.memory: every later prompt of that customer carries it) unless `remember` is False.

    NotFound for an unknown task, IllegalTransition when it is not waiting for review, InvalidInput for a bad
    decision or a revise without a note.
    """
    check(session, actor, "review_task")
    if decision not in REVIEW_DECISIONS:
        raise InvalidInput(f"a review decision is one of {', '.join(REVIEW_DECISIONS)} (got {decision!r})")
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"a review note is at most {MAX_NOTE_CHARS} characters")
    row = session.execute(select(Task.status, Task.agent, Task.revision, Task.customer_id).where(Task.id == task_id)
                          .with_for_update()).one_or_none()
    if row is None:
        raise NotFound(f"task {task_id} not found")
    if row.status != "needs_review":
        raise IllegalTransition(f"task {task_id} is {row.status}, not waiting for review")
    if decision == "revise" and note is None:
        raise InvalidInput("a request for changes needs a note saying what to change")
    meta = {"decision": decision, **({"note": note} if note else {}), "revision": row.revision}
    if note is not None and remember:
        lesson = note if len(note) <= MAX_LESSON_CHARS else note[:MAX_LESSON_CHARS - 1] + "…"
        meta["lesson_id"] = add_lesson(session, customer_id=row.customer_id, text=lesson, actor=actor,
                                       source="review_note", task_id=task_id)
    if decision == "approve":
        finished = finish_task(session, task_id, actor, metadata={**meta, "approved_as_is": row.revision == 0})
        proposal_id = finished.delivery_id if finished else None
        follows = "nothing to deliver" if proposal_id is None else f"delivery proposal {proposal_id} is in the inbox"
        return ReviewOutcome(task_id, "done", f"task {task_id} approved: done; {follows}", proposal_id)
    if decision == "discard":
        transition_task(session, task_id, "discarded", actor,
                        values={"last_error": None, "completed_at": None}, metadata=meta)
        return ReviewOutcome(task_id, "discarded", f"task {task_id} discarded: never delivered, never invoiced")
    role = session.execute(select(Agent.role).where(Agent.name == row.agent)).scalar_one_or_none()
    template = role_template(role or "")
    start = template.revise_index
    # The steps from revise_from on run again; their old rows stay (the trace, the cost) as superseded.
    session.execute(update(TaskStep).where(TaskStep.task_id == task_id, TaskStep.status != "superseded",
                                           TaskStep.idx >= start).values(status="superseded"))
    transition_task(session, task_id, "pending", actor, values={
        "revision": row.revision + 1, "review_note": note, "attempts": 0, "claimed_by": None,
        "lease_expires_at": None, "run_after": datetime.now(timezone.utc), "last_error": None,
    }, metadata={**meta, "revise_from": template.revise_from})
    return ReviewOutcome(task_id, "pending", f"task {task_id} sent back (revision {row.revision + 1}): steps from "
                                             f"{template.revise_from} run again with the note")
