"""workforce: hired workers, role settings, task steps and the review gate (SPEC §12)

The shared columns come first (agents.kind, role, human_minutes, monthly_budget_cents; tasks.agent), so the
plans (§13) can read workers before the rest of the workforce lands.

Revision ID: workforce
Revises: ledger_money_view
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = 'workforce'
down_revision = 'ledger_money_view'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("agents", sa.Column("kind", sa.Text(), server_default="system", nullable=False))
    op.add_column("agents", sa.Column("role", sa.Text(), nullable=True))
    op.add_column("agents", sa.Column("human_minutes", sa.Integer(), nullable=True))
    op.add_column("agents", sa.Column("monthly_budget_cents", sa.BigInteger(), nullable=True))
    op.create_check_constraint(op.f("ck_agents_kind"), "agents", "kind IN ('system', 'worker')")
    op.create_check_constraint(op.f("ck_agents_human_minutes_non_negative"), "agents", "human_minutes IS NULL OR human_minutes >= 0")
    op.create_check_constraint(op.f("ck_agents_monthly_budget_non_negative"), "agents",
                               "monthly_budget_cents IS NULL OR monthly_budget_cents >= 0")
    op.add_column("tasks", sa.Column("agent", sa.Text(), nullable=True))
    op.create_foreign_key(op.f("fk_tasks_agent_agents"), "tasks", "agents", ["agent"], ["name"])
    op.create_index("ix_tasks_agent", "tasks", ["agent"])


def downgrade() -> None:
    op.drop_index("ix_tasks_agent", table_name="tasks")
    op.drop_constraint(op.f("fk_tasks_agent_agents"), "tasks", type_="foreignkey")
    op.drop_column("tasks", "agent")
    for name in ("monthly_budget_non_negative", "human_minutes_non_negative", "kind"):
        op.drop_constraint(op.f(f"ck_agents_{name}"), "agents", type_="check")
    for column in ("monthly_budget_cents", "human_minutes", "role", "kind"):
        op.drop_column("agents", column)
