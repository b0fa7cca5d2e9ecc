"""Undo within a window (SPEC §21): a person's rejection goes back to pending while nothing has gone out.

UNDO_WINDOW is the one window of every undo (a firing too: core.workforce.undo). A rejected proposal never has an
execution, so nothing of it has gone out; the undo is refused once the window has passed, for a rejection the
system or a policy made (an SLA timeout), and for an actor who may not decide proposals.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.approvals.acting import check
from core.audit import Actor
from core.errors import IllegalTransition, NotFound
from core.transitions import transition_proposal
from db.models import ActionProposal, Execution

UNDO_WINDOW = timedelta(minutes=10)
_NOT_A_PERSON = ("system:", "policy:")


def within_window(at: datetime | None, now: datetime | None = None) -> bool:
    """Whether something done at `at` can still be undone at `now` (UNDO_WINDOW; None: never)."""
    if at is None:
        return False
    return (now or datetime.now(timezone.utc)) - at <= UNDO_WINDOW


def rejection_undoable(status: str, decided_by: str | None, decided_at: datetime | None,
                       now: datetime | None = None) -> bool:
    """Whether a proposal so decided is a person's rejection still inside UNDO_WINDOW (what a page offers Undo for)."""
    by = decided_by or ""
    return status == "rejected" and not by.startswith(_NOT_A_PERSON) and within_window(decided_at, now)


def undo_rejection(session: Session, proposal_id: int, actor: Actor) -> str:
    """Put a rejected proposal back to pending, if `actor` may decide and the window is open; audited; no commit.

    Returns one line saying what happened. NotFound, Forbidden, or IllegalTransition naming why not.
    """
    check(session, actor, "decide_proposal")
    proposal = session.execute(select(ActionProposal).where(ActionProposal.id == proposal_id)
                               .with_for_update()).scalar_one_or_none()
    if proposal is None:
        raise NotFound(f"proposal {proposal_id} not found")
    if proposal.status != "rejected":
        raise IllegalTransition(f"proposal {proposal_id} is not rejected, so there is no rejection to undo")
    if not rejection_undoable(proposal.status, proposal.decided_by, proposal.decided_at):
        minutes = int(UNDO_WINDOW.total_seconds() // 60)
        raise IllegalTransition(f"proposal {proposal_id}'s rejection can no longer be undone: only a person's "
                                f"rejection, for {minutes} minutes")
    sent = session.execute(select(Execution.id).where(Execution.proposal_id == proposal_id).limit(1)).first()
    if sent is not None:
        raise IllegalTransition(f"proposal {proposal_id} has an execution; its rejection cannot be undone")
    rejected_by = proposal.decided_by
    transition_proposal(session, proposal_id, "pending", actor,
                        values={"decided_at": None, "decided_by": None, "decision_note": None},
                        metadata={"action": "undo_reject", "rejected_by": rejected_by})
    session.expire(proposal)
    return f"proposal {proposal_id}'s rejection undone: it waits in the inbox again"
