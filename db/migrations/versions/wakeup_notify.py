"""NOTIFY on new work: pending tasks (hoss_tasks), received events (hoss_events), queued executions (hoss_executions)

Statement-level triggers with transition tables: one notification per statement that made work (Postgres
also folds identical notifications of one transaction), so a bulk load of a million tasks sends one.

Revision ID: wakeup_notify
Revises: run_heartbeats
Create Date: 2026-12-01
"""
from alembic import op

revision = 'wakeup_notify'
down_revision = 'run_heartbeats'
branch_labels = None
depends_on = None

# (table, channel, the status that is new work)
_WORK = (("tasks", "hoss_tasks", "pending"), ("events", "hoss_events", "received"),
         ("executions", "hoss_executions", "queued"))


def upgrade() -> None:
    for table, channel, status in _WORK:
        op.execute(f"""
CREATE FUNCTION {table}_notify_work() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows WHERE status = '{status}') THEN
        PERFORM pg_notify('{channel}', '');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER {table}_notify_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {table}_notify_work();
CREATE TRIGGER {table}_notify_update AFTER UPDATE ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {table}_notify_work();
""")


def downgrade() -> None:
    for table, _channel, _status in _WORK:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify_insert ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify_update ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_notify_work()")
