"""task_budget_facts(task, share_key, budget_key, recording): what every budget ceiling needs about a task

The budget check before every Ops LLM call (core.plans.budgets) reads these facts. As a function, the same
statement can come back with a recorded call (core/ops/sql.py RECORD_CALL), so a workflow's next step is
checked without a round trip of its own; core/plans/sql.py TASK_BUDGET_FACTS is `SELECT * FROM` it.

Revision ID: budget_facts_fn
Revises: overnight_hours
Create Date: 2026-12-01
"""
from alembic import op

revision = 'budget_facts_fn'
down_revision = 'overnight_hours'
branch_labels = None
depends_on = None

# A month's spend is summed only when its cap is set: this runs before every LLM call. The task's cost so far is
# its steps' (every revision and try) while a workflow runs, since tasks.cost_cents is booked only when it ends;
# `recording` is the cost of a call being recorded by the same statement, which the statement cannot yet see.
FACTS_SQL = """
CREATE FUNCTION task_budget_facts(task bigint, share_key text, budget_key text, recording bigint)
RETURNS TABLE (id bigint, reward_cents bigint, cost_cents bigint, customer_id bigint, agent text, company text,
               stored_cost_share jsonb, stored_daily_budget jsonb, customer_cap bigint, worker_cap bigint,
               customer_spent bigint, worker_spent bigint)
LANGUAGE sql STABLE AS $$
    SELECT t.id, t.reward_cents,
           greatest(t.cost_cents, recording + (SELECT coalesce(sum(s.cost_cents), 0) FROM task_steps s
                                               WHERE s.task_id = t.id))::bigint,
           t.customer_id, t.agent, c.company,
           (SELECT value FROM settings WHERE key = share_key),
           (SELECT value FROM settings WHERE key = budget_key),
           c.monthly_budget_cents, a.monthly_budget_cents,
           CASE WHEN c.monthly_budget_cents IS NULL THEN 0 ELSE (
               SELECT coalesce(sum(x.cost_cents), 0)::bigint FROM tasks x WHERE x.customer_id = t.customer_id
                 AND x.spent_at >= utc_month_start()
           ) END,
           CASE WHEN a.monthly_budget_cents IS NULL THEN 0 ELSE (
               SELECT coalesce(sum(x.cost_cents), 0)::bigint FROM tasks x WHERE x.agent = t.agent
                 AND x.spent_at >= utc_month_start()
           ) END
    FROM tasks t JOIN customers c ON c.id = t.customer_id LEFT JOIN agents a ON a.name = t.agent
    WHERE t.id = task
$$;
"""


def upgrade() -> None:
    op.execute(FACTS_SQL)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS task_budget_facts(bigint, text, text, bigint)")
