"""tasks.spent_at: when a task's LLM spend counts for the monthly caps, stored and indexed per customer and worker

`coalesce(completed_at, started_at)` was written out in every monthly-spend query and no index could serve it,
so the Customers page summed each customer's whole history (2 s on 1M tasks) and, with a cap set, so did the
budget check before every LLM call. A stored generated column names the fact once; two covering indexes
make each sum an index-only range scan. `utc_month_start()` is the month those sums start at.

Revision ID: task_spent_at
Revises: rollup_skip_zero
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = 'task_spent_at'
down_revision = 'rollup_skip_zero'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("spent_at", sa.DateTime(timezone=True),
                                     sa.Computed("COALESCE(completed_at, started_at)", persisted=True)))
    op.create_index("ix_tasks_customer_spent_at", "tasks", ["customer_id", "spent_at"],
                    postgresql_include=["cost_cents"])
    op.create_index("ix_tasks_agent_spent_at", "tasks", ["agent", "spent_at"], postgresql_include=["cost_cents"],
                    postgresql_where=sa.text("agent IS NOT NULL"))
    op.execute("""
CREATE FUNCTION utc_month_start() RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
$$;
""")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS utc_month_start()")
    op.drop_index("ix_tasks_agent_spent_at", table_name="tasks")
    op.drop_index("ix_tasks_customer_spent_at", table_name="tasks")
    op.drop_column("tasks", "spent_at")
