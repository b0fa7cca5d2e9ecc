"""customer_lessons: what we have learned about each customer, and which lessons each step's prompt carried (SPEC §20)

Revision ID: customer_lessons
Revises: evals_and_versions
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'customer_lessons'
down_revision = 'evals_and_versions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_lessons",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("agent", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("task_id", sa.BigInteger(), nullable=True),
        sa.Column("added_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.CheckConstraint("source IN ('review_note', 'edit', 'operator')", name=op.f("ck_customer_lessons_source")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_customer_lessons_customer_id_customers"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["agent"], ["agents.name"], name=op.f("fk_customer_lessons_agent_agents"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_customer_lessons_task_id_tasks"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_lessons")),
    )
    op.create_index("ix_customer_lessons_active", "customer_lessons", ["customer_id", "id"],
                    postgresql_where=sa.text("active"))
    op.add_column("task_steps", sa.Column("lesson_ids", postgresql.ARRAY(sa.BigInteger()), nullable=True))


def downgrade() -> None:
    op.drop_column("task_steps", "lesson_ids")
    op.drop_index("ix_customer_lessons_active", table_name="customer_lessons")
    op.drop_table("customer_lessons")
