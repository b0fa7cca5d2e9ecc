"""Undo a firing (SPEC §21): within core.approvals.undo.UNDO_WINDOW a fired worker is back at its previous status.

Nothing of a firing goes out: the worker stops, and its pending tasks went to another worker. The undo gives the
worker back the status it had (active or paused) and takes back the handed-over tasks that are still pending (one
the other worker has started stays with it). Checked (manage_workforce) and audited like the firing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from core.approvals.acting import check
from core.approvals.undo import UNDO_WINDOW, within_window
from core.audit import Actor, record_audit
from core.errors import IllegalTransition
from core.workforce import sql
from core.workforce.versions import lock_worker
from db.models import Agent


def firing_undoable(fired_at: datetime | None, now: datetime | None = None) -> bool:
    """Whether a worker fired at `fired_at` can still be unfired (None: it is not fired)."""
    return within_window(fired_at, now)


def undo_firing(session: Session, name: str, actor: Actor) -> str:
    """Unfire `name` inside the window: previous status back, pending handed-over tasks back; audited; no commit.

    Returns one line saying what happened; IllegalTransition when it is not fired or the window has passed.
    """
    check(session, actor, "manage_workforce")
    row = lock_worker(session, name)
    if row.fired_at is None:
        raise IllegalTransition(f"{name} is not fired, so there is no firing to undo")
    if not firing_undoable(row.fired_at):
        minutes = int(UNDO_WINDOW.total_seconds() // 60)
        raise IllegalTransition(f"{name} was fired more than {minutes} minutes ago; hire a new worker instead")
    before = session.execute(sql.STATUS_BEFORE_FIRING, {"name": name}).scalar_one_or_none() or "paused"
    fired_at = row.fired_at
    session.execute(update(Agent).where(Agent.id == row.id).values(fired_at=None, enabled=before == "active"))
    back = session.execute(sql.HAND_BACK_PENDING, {"name": name, "since": fired_at}).all()
    for task_id, heir in back:
        record_audit(session, actor, "task", task_id, None, None,
                     {"action": "reassign", "from_agent": heir, "to_agent": name, "reason": f"{name} was unfired"})
    record_audit(session, actor, "agent", name, "fired", before, {"action": "undo_fire"})
    tasks = f"; {len(back)} pending task(s) came back" if back else ""
    return f"{name} is {before} again (the firing was undone){tasks}"


def recently_fired(session: Session) -> list[str]:
    """The workers whose firing can still be undone, newest first."""
    return list(session.execute(sql.RECENTLY_FIRED, {"window_s": UNDO_WINDOW.total_seconds()}).scalars())
