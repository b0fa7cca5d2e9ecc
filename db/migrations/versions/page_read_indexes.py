"""page read indexes: the Failures and Customers pages read off indexes, however many tasks there are

Failures: each kind of failure is ordered by the time of its last attempt, an expression over two or three
columns; these partial indexes hold exactly the failed rows in that order, so LIST_FAILURES reads
`offset + limit` rows per kind and COUNT_FAILURES counts without touching the table (core/console/sql.py).

Customers: a customer's done tasks by completion time, with what the month's earned and ROI figures sum, so
PLAN_USAGE and ROI_BY_CUSTOMER read one customer's month off the index (core/plans/sql.py); the index on
completion time alone made each customer's month a scan of every customer's month.

Revision ID: page_read_indexes
Revises: budget_facts_fn
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = 'page_read_indexes'
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
    op.create_index('ix_tasks_customer_done_at', 'tasks', ['customer_id', 'completed_at'],
                    postgresql_include=['reward_cents', 'cost_cents', 'agent'],
                    postgresql_where=sa.text("status = 'done'"))


def downgrade() -> None:
    op.drop_index('ix_tasks_customer_done_at', table_name='tasks')
    op.drop_index('ix_executions_failed_at', table_name='executions')
    op.drop_index('ix_events_failed_at', table_name='events')
    op.drop_index('ix_tasks_failed_at', table_name='tasks')
