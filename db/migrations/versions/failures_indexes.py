"""failures indexes: the Failures page reads one page and a count off partial indexes on each kind's last attempt

Each kind of failure is ordered by the time of its last attempt, an expression over two or three columns; these
partial indexes hold exactly the failed rows in that order, so LIST_FAILURES reads `offset + limit` rows per kind
and COUNT_FAILURES counts without touching the table (core/console/sql.py).

Revision ID: failures_indexes
Revises: budget_facts_fn
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = 'failures_indexes'
down_revision = 'budget_facts_fn'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_tasks_failed_at', 'tasks', [sa.text('coalesce(started_at, created_at)'), 'id'],
                    postgresql_where=sa.text("status = 'failed'"))
    op.create_index('ix_events_failed_at', 'events', [sa.text('coalesce(processed_at, received_at)'), 'id'],
                    postgresql_where=sa.text("status = 'failed'"))
    op.create_index('ix_executions_failed_at', 'executions',
                    [sa.text('coalesce(finished_at, started_at, created_at)'), 'id'],
                    postgresql_where=sa.text("status IN ('failed', 'unknown')"))


def downgrade() -> None:
    op.drop_index('ix_executions_failed_at', table_name='executions')
    op.drop_index('ix_events_failed_at', table_name='events')
    op.drop_index('ix_tasks_failed_at', table_name='tasks')
