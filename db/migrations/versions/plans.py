"""plans: plans, entitlements (held tasks), subscriptions and per-customer budgets (SPEC §13)

Revision ID: plans
Revises: workforce
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = 'plans'
down_revision = 'workforce'
branch_labels = None
depends_on = None

_TASK_STATUSES_BEFORE = "status IN ('pending', 'running', 'done', 'failed', 'needs_review')"
_TASK_STATUSES_AFTER = "status IN ('pending', 'running', 'done', 'failed', 'needs_review', 'held')"
_SUBSCRIPTION_STATUSES = ("incomplete", "incomplete_expired", "trialing", "active", "past_due", "canceled", "unpaid",
                          "paused")


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("monthly_task_cap", sa.Integer(), nullable=True),
        sa.Column("monthly_price_cents", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("stripe_price_id", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("monthly_task_cap IS NULL OR monthly_task_cap >= 0",
                           name=op.f("ck_plans_monthly_task_cap_non_negative")),
        sa.CheckConstraint("monthly_price_cents >= 0", name=op.f("ck_plans_monthly_price_cents_non_negative")),
        sa.CheckConstraint("name ~ '^[a-z][a-z0-9_-]{0,39}$'", name=op.f("ck_plans_name_slug")),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_plans")),
        sa.UniqueConstraint("stripe_price_id", name=op.f("uq_plans_stripe_price_id")),
    )
    op.execute("INSERT INTO plans (name, monthly_task_cap, monthly_price_cents) VALUES "
               "('starter', 25, 4900), ('pro', 250, 29900), ('enterprise', NULL, 149900)")

    op.drop_constraint(op.f("ck_customers_plan"), "customers", type_="check")
    op.create_foreign_key(op.f("fk_customers_plan_plans"), "customers", "plans", ["plan"], ["name"])
    op.add_column("customers", sa.Column("stripe_subscription_id", sa.Text(), nullable=True))
    op.add_column("customers", sa.Column("subscription_status", sa.Text(), nullable=True))
    op.add_column("customers", sa.Column("plan_changed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("customers", sa.Column("last_subscription_event_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("customers", sa.Column("last_subscription_event_id", sa.Text(), nullable=True))
    op.add_column("customers", sa.Column("monthly_budget_cents", sa.BigInteger(), nullable=True))
    op.create_check_constraint(
        op.f("ck_customers_subscription_status"), "customers",
        "subscription_status IS NULL OR subscription_status IN (" + ", ".join(f"'{s}'" for s in _SUBSCRIPTION_STATUSES) + ")")
    op.create_check_constraint(op.f("ck_customers_monthly_budget_non_negative"), "customers",
                               "monthly_budget_cents IS NULL OR monthly_budget_cents >= 0")

    op.create_table(
        "plan_changes",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("from_plan", sa.Text(), nullable=True),
        sa.Column("to_plan", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("stripe_event_id", sa.Text(), nullable=True),
        sa.Column("subscription_status", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("source IN ('webhook', 'operator', 'system')", name=op.f("ck_plan_changes_source")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_plan_changes_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_changes")),
    )
    op.create_index("ix_plan_changes_customer_id_changed_at", "plan_changes", ["customer_id", "changed_at"])

    op.drop_constraint(op.f("ck_tasks_status"), "tasks", type_="check")
    op.create_check_constraint(op.f("ck_tasks_status"), "tasks", _TASK_STATUSES_AFTER)
    op.add_column("tasks", sa.Column("held_reason", sa.Text(), nullable=True))
    # Existing tasks were admitted when they were created; only then does the default start (no month's
    # usage jumps at upgrade time).
    op.add_column("tasks", sa.Column("admitted_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE tasks SET admitted_at = created_at")
    op.alter_column("tasks", "admitted_at", server_default=sa.text("now()"))
    op.create_index("ix_tasks_customer_id_admitted_at", "tasks", ["customer_id", "admitted_at"])
    op.create_index("ix_tasks_held", "tasks", ["customer_id", "created_at", "id"],
                    postgresql_where=sa.text("status = 'held'"))


def downgrade() -> None:
    op.drop_index("ix_tasks_held", table_name="tasks")
    op.drop_index("ix_tasks_customer_id_admitted_at", table_name="tasks")
    op.drop_column("tasks", "admitted_at")
    op.drop_column("tasks", "held_reason")
    op.execute("UPDATE tasks SET status = 'pending' WHERE status = 'held'")
    op.drop_constraint(op.f("ck_tasks_status"), "tasks", type_="check")
    op.create_check_constraint(op.f("ck_tasks_status"), "tasks", _TASK_STATUSES_BEFORE)
    op.drop_index("ix_plan_changes_customer_id_changed_at", table_name="plan_changes")
    op.drop_table("plan_changes")
    for name in ("monthly_budget_non_negative", "subscription_status"):
        op.drop_constraint(op.f(f"ck_customers_{name}"), "customers", type_="check")
    for column in ("monthly_budget_cents", "last_subscription_event_id", "last_subscription_event_at",
                   "plan_changed_at", "subscription_status", "stripe_subscription_id"):
        op.drop_column("customers", column)
    op.drop_constraint(op.f("fk_customers_plan_plans"), "customers", type_="foreignkey")
    op.execute("UPDATE customers SET plan = 'starter' WHERE plan NOT IN ('starter', 'pro', 'enterprise')")
    op.create_check_constraint(op.f("ck_customers_plan"), "customers", "plan IN ('starter', 'pro', 'enterprise')")
    op.drop_table("plans")
