"""status move triggers: tasks, action_proposals, invoices and executions refuse a status change outside the table

SPEC §18, procrastinate's way: a BEFORE UPDATE OF status row trigger on each table, fired only WHEN (OLD.status IS
DISTINCT FROM NEW.status), whose plpgsql function is one CASE over OLD.status with the allowed NEW.status values of
core.transitions.ALLOWED[entity] (no table read: the Ops claim/complete path pays a few microseconds per status change
and lease renewals none). A refused move raises SQLSTATE 23514 (check_violation) with constraint `<table>_status_move`
and a message naming it: "task 5: pending → done is not an allowed move". A same-status UPDATE is not a move and is not
checked (running → running, a lapsed lease reclaimed, is allowed anyway). An unknown status is refused too (the CHECK
constraint would refuse it after).

The function bodies are generated from core.transitions.ALLOWED, which db/ may not import, so this migration carries
the generated text as literals. To change a guarded entity's moves: edit ALLOWED, then write a new migration whose
upgrade executes the new text, printed by

    python -c "from core.transitions import move_check_sql; print(move_check_sql('task'))"

(one per entity in core.transitions.GUARDED; the triggers stay). tests/db/test_status_move_triggers.py fails until the
database's function equals the generated one, and probes every (from, to) pair against ALLOWED.

Revision ID: status_move_triggers
Revises: on_duty_inline
Create Date: 2026-12-07
"""
from alembic import op

revision = 'status_move_triggers'
down_revision = 'ledger_money_columns'
branch_labels = None
depends_on = None

# entity -> its table; and the generated CREATE OR REPLACE FUNCTION of each (core.transitions.move_check_sql).
TABLES = {"task": "tasks", "proposal": "action_proposals", "invoice": "invoices", "execution": "executions"}
MOVE_CHECKS = {
    "task": """
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
""",
    "proposal": """
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
""",
    "invoice": """
CREATE OR REPLACE FUNCTION invoices_status_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (CASE OLD.status
        WHEN 'draft' THEN NEW.status IN ('sent', 'paid')
        WHEN 'sent' THEN NEW.status IN ('paid')
        WHEN 'paid' THEN false
        WHEN 'void' THEN false
        ELSE false END) IS NOT TRUE THEN
        RAISE EXCEPTION 'invoice %: % → % is not an allowed move', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'invoices_status_move', TABLE = 'invoices', COLUMN = 'status';
    END IF;
    RETURN NEW;
END;
$$;
""",
    "execution": """
CREATE OR REPLACE FUNCTION executions_status_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (CASE OLD.status
        WHEN 'queued' THEN NEW.status IN ('started', 'failed')
        WHEN 'started' THEN NEW.status IN ('succeeded', 'failed', 'unknown')
        WHEN 'succeeded' THEN false
        WHEN 'failed' THEN NEW.status IN ('queued')
        WHEN 'unknown' THEN NEW.status IN ('queued', 'succeeded', 'failed')
        ELSE false END) IS NOT TRUE THEN
        RAISE EXCEPTION 'execution %: % → % is not an allowed move', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'executions_status_move', TABLE = 'executions', COLUMN = 'status';
    END IF;
    RETURN NEW;
END;
$$;
""",
}


def upgrade() -> None:
    for entity, table in TABLES.items():
        op.execute(MOVE_CHECKS[entity])
        op.execute(f"""
CREATE TRIGGER {table}_status_move BEFORE UPDATE OF status ON {table}
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION {table}_status_move();
""")


def downgrade() -> None:
    for table in TABLES.values():
        op.execute(f"DROP TRIGGER IF EXISTS {table}_status_move ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_status_move()")
