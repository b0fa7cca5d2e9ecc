"""evals_and_versions: versioned worker instructions, the version each step ran, golden-set eval runs (SPEC §20)

Every hired worker gets version 1 from its current settings, and its settings name that version: the claim reads
a worker's live instructions (tone, model, step prompts, version) from agents.settings, which core.workforce
.versions writes from a version row and only from one.

Revision ID: evals_and_versions
Revises: operator_secrets
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'evals_and_versions'
down_revision = 'operator_secrets'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("task_steps", sa.Column("version", sa.Integer(), nullable=True))
    op.create_table(
        "worker_versions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("agent", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tone", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("step_prompts", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"),
                  nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["agent"], ["agents.name"], name=op.f("fk_worker_versions_agent_agents"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_versions")),
        sa.UniqueConstraint("agent", "version", name=op.f("uq_worker_versions_agent_version")),
    )
    op.create_table(
        "eval_runs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("agent", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("mode", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("cases", sa.Integer(), server_default="0", nullable=False),
        sa.Column("passed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("cost_cents", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("judge", sa.Text(), server_default="skipped", nullable=False),
        sa.Column("gate", sa.Float(), nullable=True),
        sa.Column("stopped", sa.Text(), nullable=True),
        sa.Column("started_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("cost_cents >= 0", name=op.f("ck_eval_runs_cost_cents_non_negative")),
        sa.CheckConstraint("cases >= 0", name=op.f("ck_eval_runs_cases_non_negative")),
        sa.CheckConstraint("passed >= 0", name=op.f("ck_eval_runs_passed_non_negative")),
        sa.ForeignKeyConstraint(["agent"], ["agents.name"], name=op.f("fk_eval_runs_agent_agents"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eval_runs")),
    )
    op.create_index("ix_eval_runs_agent", "eval_runs", ["agent", "id"])
    op.create_table(
        "eval_results",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("failures", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"),
                  nullable=False),
        sa.Column("judge_score", sa.Integer(), nullable=True),
        sa.Column("judge_note", sa.Text(), nullable=True),
        sa.Column("cost_cents", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("input_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("output_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("deliverable", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("cost_cents >= 0", name=op.f("ck_eval_results_cost_cents_non_negative")),
        sa.ForeignKeyConstraint(["run_id"], ["eval_runs.id"], name=op.f("fk_eval_results_run_id_eval_runs"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eval_results")),
    )
    op.create_index("ix_eval_results_run_id", "eval_results", ["run_id"])
    op.create_index("ix_eval_results_created_at", "eval_results", ["created_at"])
    # Every worker hired before versions existed starts at version 1: what it runs today.
    op.execute("""
        INSERT INTO worker_versions (agent, version, tone, model, step_prompts, note, created_by)
        SELECT name, 1, coalesce(settings->>'tone', ''), coalesce(settings->>'model', ''), '{}'::jsonb,
            'as hired', 'migration'
        FROM agents WHERE kind = 'worker'
    """)
    op.execute("""
        UPDATE agents SET settings = coalesce(settings, '{}'::jsonb) || '{"version": 1, "step_prompts": {}}'::jsonb
        WHERE kind = 'worker'
    """)


def downgrade() -> None:
    op.execute("UPDATE agents SET settings = settings - 'version' - 'step_prompts' WHERE kind = 'worker'")
    op.drop_index("ix_eval_results_created_at", table_name="eval_results")
    op.drop_index("ix_eval_results_run_id", table_name="eval_results")
    op.drop_table("eval_results")
    op.drop_index("ix_eval_runs_agent", table_name="eval_runs")
    op.drop_table("eval_runs")
    op.drop_table("worker_versions")
    op.drop_column("task_steps", "version")
