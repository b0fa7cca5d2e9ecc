"""on duty inline: worker_on_duty(worker) asks the rule only of a task that has a worker

worker_on_duty_at holds the rule in one statement with a sub-select, so the planner cannot inline it and each call
costs microseconds. A claim planned on stale statistics (right after a bulk load) filters every pending row, not one:
bench drain read 130 tasks/s instead of 650 with 2,000 Ops-prompt tasks pending. worker_on_duty is now
`worker IS NULL OR worker_on_duty_at(worker, now())`, a plain expression the planner inlines into every statement
that calls it, so a task without a worker costs no call; the rule itself is unchanged.

Revision ID: on_duty_inline
Revises: slack_shown_status
Create Date: 2026-12-03
"""
from alembic import op

revision = 'on_duty_inline'
down_revision = 'slack_shown_status'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
CREATE OR REPLACE FUNCTION worker_on_duty(worker text) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT worker IS NULL OR worker_on_duty_at(worker, now())
$$;
""")


def downgrade() -> None:
    op.execute("""
CREATE OR REPLACE FUNCTION worker_on_duty(worker text) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT worker_on_duty_at(worker, now())
$$;
""")
