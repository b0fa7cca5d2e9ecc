"""The Ops statements (claims, requeues, the budget stop's move to review) and the run's completion (done or to
review) write only status moves core.transitions allows; the single-task claim's two branches."""

from __future__ import annotations

from sqlalchemy import text

from core.ops.claims import claim_next, claim_task, release_claim, requeue_claim, review_claim
from core.transitions import can_transition
from tests.ops_helpers import finish_run, seed_tasks, task_row


def _lapse(session, task_id: int) -> None:
    session.execute(text("UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = :id"),
                    {"id": task_id})
    session.commit()


def _task_moves(session) -> set[tuple[str, str]]:
    rows = session.execute(text("SELECT DISTINCT from_status, to_status FROM audit_log WHERE entity = 'task'")).all()
    return {(r.from_status, r.to_status) for r in rows}


def test_every_status_move_the_ops_statements_write_is_allowed(session):
    done, retried, failed, reclaimed, released, stopped, reviewed = seed_tasks(session, 7)
    assert finish_run(session, claim_task(session, done, "w1", 60))
    requeue_claim(session, claim_task(session, retried, "w1", 60), "boom", final=False, give_back=False,
                  delay=0, reason="error")
    requeue_claim(session, claim_task(session, failed, "w1", 60), "boom", final=True, give_back=False,
                  delay=0, reason="error")
    claim_task(session, reclaimed, "w1", 60)
    _lapse(session, reclaimed)
    assert finish_run(session, claim_next(session, "w2", 60))  # the lapsed lease goes first
    release_claim(session, claim_task(session, released, "w1", 60))
    assert review_claim(session, claim_task(session, stopped, "w1", 60), "over its cost share")  # TO_REVIEW
    assert finish_run(session, claim_task(session, reviewed, "w1", 60), to_review=True)  # COMPLETE_RUN, to review

    moves = _task_moves(session)
    assert moves == {("pending", "running"), ("running", "done"), ("running", "pending"), ("running", "failed"),
                     ("running", "running"), ("running", "needs_review")}
    assert (task_row(session, stopped).status, task_row(session, reviewed).status) == ("needs_review",) * 2
    assert all(can_transition("task", a, b) for a, b in moves)


def test_single_task_claim_takes_a_named_task_whose_lease_lapsed(session):
    task_id, other = seed_tasks(session, 2)
    first = claim_task(session, task_id, "dead-worker", 60)
    assert claim_task(session, task_id, "w2", 60) is None  # the live lease holds it
    _lapse(session, task_id)
    again = claim_task(session, task_id, "w2", 60)
    assert (again.task_id, again.attempt, again.reclaimed_from) == (task_id, first.attempt + 1, "dead-worker")
    row = task_row(session, task_id)
    assert (row.status, row.claimed_by) == ("running", "w2")
    assert task_row(session, other).status == "pending"  # the named claim touched nothing else
