"""workforce: hired workers, role settings, task steps and the review gate (SPEC §12)

The shared columns come first (agents.kind, role, human_minutes, monthly_budget_cents; tasks.agent), so the
plans (§13) can read workers before the rest of the workforce lands.

Revision ID: workforce
Revises: ledger_money_view
Create Date: 2026-12-01
"""
import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

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

    op.add_column("agents", sa.Column("hours_days", postgresql.ARRAY(sa.Integer()), nullable=True))
    op.add_column("agents", sa.Column("hours_start", sa.Time(), nullable=True))
    op.add_column("agents", sa.Column("hours_end", sa.Time(), nullable=True))
    op.add_column("agents", sa.Column("hours_tz", sa.Text(), nullable=True))
    op.add_column("agents", sa.Column("review_required", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    op.add_column("agents", sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(
        op.f("ck_agents_hours_complete"), "agents",
        "(hours_tz IS NULL) = (hours_days IS NULL) AND (hours_tz IS NULL) = (hours_start IS NULL) "
        "AND (hours_tz IS NULL) = (hours_end IS NULL) AND (hours_start IS NULL OR hours_start < hours_end)")
    op.add_column("tasks", sa.Column("revision", sa.Integer(), server_default="0", nullable=False))
    op.add_column("tasks", sa.Column("review_note", sa.Text(), nullable=True))

    op.create_table(
        "task_steps",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("task_id", sa.BigInteger(), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), server_default="0", nullable=False),
        sa.Column("status", sa.Text(), server_default="running", nullable=False),
        sa.Column("attempt", sa.Integer(), server_default="0", nullable=False),
        sa.Column("artifact", sa.Text(), nullable=True),
        sa.Column("prompt", sa.Text(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("input_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("output_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("cost_cents", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('running', 'done', 'failed', 'superseded')", name=op.f("ck_task_steps_status")),
        sa.CheckConstraint("cost_cents >= 0", name=op.f("ck_task_steps_cost_cents_non_negative")),
        sa.CheckConstraint("input_tokens >= 0", name=op.f("ck_task_steps_input_tokens_non_negative")),
        sa.CheckConstraint("output_tokens >= 0", name=op.f("ck_task_steps_output_tokens_non_negative")),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_task_steps_task_id_tasks"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_steps")),
    )
    op.create_index("ix_task_steps_live", "task_steps", ["task_id", "idx"], unique=True,
                    postgresql_where=sa.text("status <> 'superseded'"))
    op.create_index("ix_task_steps_task_id", "task_steps", ["task_id", "id"])
    op.create_index("ix_task_steps_finished_at", "task_steps", ["finished_at"])
    op.execute(_WORKER_ON_DUTY)
    _hire_starting_workforce()


# The one statement of "may this task's worker work now" (core.ops.sql's claims and wake-ups call it): no worker
# (the Ops prompt), or an active, unfired worker inside its hours. STABLE: now() is fixed within a statement.
_WORKER_ON_DUTY = """
CREATE FUNCTION worker_on_duty(worker text) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT worker IS NULL OR EXISTS (
        SELECT 1 FROM agents a WHERE a.name = worker AND a.enabled AND a.fired_at IS NULL AND (a.hours_tz IS NULL OR (
            extract(isodow FROM now() AT TIME ZONE a.hours_tz)::int = ANY(a.hours_days)
            AND (now() AT TIME ZONE a.hours_tz)::time >= a.hours_start
            AND (now() AT TIME ZONE a.hours_tz)::time < a.hours_end)))
$$
"""


# A fresh database has three workers so the product works at once (SPEC §12); values as the catalogue had them
# on 2026-12-01 (a migration is history: it never reads the live catalogue).
_STARTING_WORKFORCE = (
    ("Rhea", "research-analyst", "Research analyst: plan, research, synthesize, self-check.", 240,
     "precise, neutral, evidence-first", ["deliver"], True),
    ("Corin", "copywriter", "Copywriter: brief, draft, polish.", 90, "warm, confident, plain English",
     ["deliver", "email"], True),
    ("Sasha", "sdr", "Sales development rep: prospects, outreach, sequence.", 120, "direct, friendly, brief",
     ["deliver", "email"], True),
)


def _hire_starting_workforce() -> None:
    conn = op.get_bind()
    for name, role, description, minutes, tone, permissions, review in _STARTING_WORKFORCE:
        settings = {"tone": tone, "model": "gpt-4o-mini", "permissions": permissions}
        # Part of the schema's first state, like the built-in agents: no audit row (no one decided it).
        conn.execute(sa.text(
            "INSERT INTO agents (name, description, kind, role, human_minutes, review_required, settings, "
            "execution_method, capabilities) VALUES (:name, :description, 'worker', :role, :minutes, :review, "
            "CAST(:settings AS jsonb), 'core.ops.workflow', CAST(:caps AS jsonb)) ON CONFLICT (name) DO NOTHING"),
            {"name": name, "description": description, "role": role, "minutes": minutes, "review": review,
             "settings": json.dumps(settings), "caps": json.dumps(permissions)})


def downgrade() -> None:
    op.execute("DELETE FROM tasks WHERE agent IS NOT NULL AND agent IN (SELECT name FROM agents WHERE kind = 'worker')")
    op.execute("DELETE FROM agents WHERE kind = 'worker'")
    op.execute("DROP FUNCTION worker_on_duty(text)")
    op.drop_table("task_steps")
    op.drop_column("tasks", "review_note")
    op.drop_column("tasks", "revision")
    op.drop_constraint(op.f("ck_agents_hours_complete"), "agents", type_="check")
    for column in ("fired_at", "review_required", "hours_tz", "hours_end", "hours_start", "hours_days"):
        op.drop_column("agents", column)
    op.drop_index("ix_tasks_agent", table_name="tasks")
    op.drop_constraint(op.f("fk_tasks_agent_agents"), "tasks", type_="foreignkey")
    op.drop_column("tasks", "agent")
    for name in ("monthly_budget_non_negative", "human_minutes_non_negative", "kind"):
        op.drop_constraint(op.f(f"ck_agents_{name}"), "agents", type_="check")
    for column in ("monthly_budget_cents", "human_minutes", "role", "kind"):
        op.drop_column("agents", column)
