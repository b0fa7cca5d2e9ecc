"""discarded task status, undoable rejections: tasks may be `discarded`, a rejected proposal may go back to pending

SPEC §21: discarding a task in review is its own status (`discarded`), not a failure (it had been failed with
last_error "discarded in review"): the Failures page never lists it and a retry never takes it. A rejection can be
undone for a while (core.approvals.undo): rejected → pending. The CHECK constraint gains the status; the two move
checks are regenerated from core.transitions.ALLOWED (move_check_sql); the tasks discarded before this revision are
moved to the new status (the trigger paused for that one UPDATE: failed → discarded is not a move the code makes).

Revision ID: discarded_and_undo
Revises: customer_lessons
Create Date: 2026-12-07
"""
from alembic import op

revision = 'discarded_and_undo'
down_revision = 'customer_lessons'
branch_labels = None
depends_on = None

_BEFORE = "status IN ('pending', 'running', 'done', 'failed', 'needs_review', 'held')"
_AFTER = "status IN ('pending', 'running', 'done', 'failed', 'needs_review', 'held', 'discarded')"

TASK_MOVE_CHECK = """CREATE OR REPLACE FUNCTION tasks_status_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (CASE OLD.status
        WHEN 'pending' THEN NEW.status IN ('running')
        WHEN 'running' THEN NEW.status IN ('pending', 'running', 'done', 'failed', 'needs_review')
        WHEN 'done' THEN false
        WHEN 'failed' THEN NEW.status IN ('pending')
        WHEN 'needs_review' THEN NEW.status IN ('pending', 'done', 'discarded')
        WHEN 'held' THEN NEW.status IN ('pending')
        WHEN 'discarded' THEN false
        ELSE false END) IS NOT TRUE THEN
        RAISE EXCEPTION 'task %: % → % is not an allowed move', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'tasks_status_move', TABLE = 'tasks', COLUMN = 'status';
    END IF;
    RETURN NEW;
END;
$$;
"""

PROPOSAL_MOVE_CHECK = """CREATE OR REPLACE FUNCTION action_proposals_status_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (CASE OLD.status
        WHEN 'pending' THEN NEW.status IN ('approved', 'rejected', 'expired', 'superseded')
        WHEN 'approved' THEN NEW.status IN ('executing', 'failed')
        WHEN 'rejected' THEN NEW.status IN ('pending')
        WHEN 'expired' THEN false
        WHEN 'executing' THEN NEW.status IN ('approved', 'executed', 'failed')
        WHEN 'executed' THEN false
        WHEN 'failed' THEN NEW.status IN ('approved')
        WHEN 'superseded' THEN false
        ELSE false END) IS NOT TRUE THEN
        RAISE EXCEPTION 'proposal %: % → % is not an allowed move', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'action_proposals_status_move', TABLE = 'action_proposals', COLUMN = 'status';
    END IF;
    RETURN NEW;
END;
$$;
"""

_TASK_MOVE_CHECK_BEFORE = """
CREATE OR REPLACE FUNCTION tasks_status_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (CASE OLD.status
        WHEN 'pending' THEN NEW.status IN ('running')
        WHEN 'running' THEN NEW.status IN ('pending', 'running', 'done', 'failed', 'needs_review')
        WHEN 'done' THEN false
        WHEN 'failed' THEN NEW.status IN ('pending')
        WHEN 'needs_review' THEN NEW.status IN ('pending', 'done', 'failed')
        WHEN 'held' THEN NEW.status IN ('pending')
        ELSE false END) IS NOT TRUE THEN
        RAISE EXCEPTION 'task %: % → % is not an allowed move', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'tasks_status_move', TABLE = 'tasks', COLUMN = 'status';
    END IF;
    RETURN NEW;
END;
$$;
"""

_PROPOSAL_MOVE_CHECK_BEFORE = """
CREATE OR REPLACE FUNCTION action_proposals_status_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (CASE OLD.status
        WHEN 'pending' THEN NEW.status IN ('approved', 'rejected', 'expired', 'superseded')
        WHEN 'approved' THEN NEW.status IN ('executing', 'failed')
        WHEN 'rejected' THEN false
        WHEN 'expired' THEN false
        WHEN 'executing' THEN NEW.status IN ('approved', 'executed', 'failed')
        WHEN 'executed' THEN false
        WHEN 'failed' THEN NEW.status IN ('approved')
        WHEN 'superseded' THEN false
        ELSE false END) IS NOT TRUE THEN
        RAISE EXCEPTION 'proposal %: % → % is not an allowed move', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'action_proposals_status_move', TABLE = 'action_proposals', COLUMN = 'status';
    END IF;
    RETURN NEW;
END;
$$;
"""


def upgrade() -> None:
    op.drop_constraint(op.f("ck_tasks_status"), "tasks", type_="check")
    op.create_check_constraint(op.f("ck_tasks_status"), "tasks", _AFTER)
    op.execute(TASK_MOVE_CHECK)
    op.execute(PROPOSAL_MOVE_CHECK)
    op.execute("ALTER TABLE tasks DISABLE TRIGGER tasks_status_move")
    op.execute("UPDATE tasks SET status = 'discarded', last_error = NULL "
               "WHERE status = 'failed' AND last_error = 'discarded in review'")
    op.execute("ALTER TABLE tasks ENABLE TRIGGER tasks_status_move")


def downgrade() -> None:
    op.execute("ALTER TABLE tasks DISABLE TRIGGER tasks_status_move")
    op.execute("UPDATE tasks SET status = 'failed', last_error = 'discarded in review' WHERE status = 'discarded'")
    op.execute("ALTER TABLE tasks ENABLE TRIGGER tasks_status_move")
    op.execute(_TASK_MOVE_CHECK_BEFORE)
    op.execute(_PROPOSAL_MOVE_CHECK_BEFORE)
    op.drop_constraint(op.f("ck_tasks_status"), "tasks", type_="check")
    op.create_check_constraint(op.f("ck_tasks_status"), "tasks", _BEFORE)
