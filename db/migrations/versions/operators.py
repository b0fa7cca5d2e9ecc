"""operators: operators and roles, approval records, SLAs, revisions and the trust ledger (SPEC §14)

Revision ID: operators
Revises: plans
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'operators'
down_revision = 'plans'
branch_labels = None
depends_on = None

_OLD_STATUSES = "'pending', 'approved', 'rejected', 'expired', 'executing', 'executed', 'failed'"
_PROPOSAL_COLUMNS = ("edit_distance", "slack_ts", "slack_channel", "escalations", "notified_at", "opened_at",
                     "supersedes_id")


def upgrade() -> None:
    op.create_table(
        "operators",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("role", sa.Text(), server_default="viewer", nullable=False),
        sa.Column("slack_user_id", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("role IN ('owner', 'approver', 'viewer')", name=op.f("ck_operators_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operators")),
        sa.UniqueConstraint("name", name=op.f("uq_operators_name")),
        sa.UniqueConstraint("email", name=op.f("uq_operators_email")),
        sa.UniqueConstraint("slack_user_id", name=op.f("uq_operators_slack_user_id")),
    )
    op.create_table(
        "approvals",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("proposal_id", sa.BigInteger(), nullable=False),
        sa.Column("operator", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["action_proposals.id"],
                                name=op.f("fk_approvals_proposal_id_action_proposals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
        sa.UniqueConstraint("proposal_id", "operator", name=op.f("uq_approvals_proposal_id_operator")),
    )
    op.create_table(
        "used_link_nonces",
        sa.Column("nonce", sa.Text(), nullable=False),
        sa.Column("proposal_id", sa.BigInteger(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["action_proposals.id"],
                                name=op.f("fk_used_link_nonces_proposal_id_action_proposals")),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_used_link_nonces")),
    )
    op.create_index("ix_used_link_nonces_proposal_id", "used_link_nonces", ["proposal_id"])
    op.add_column("action_proposals", sa.Column("supersedes_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(op.f("fk_action_proposals_supersedes_id_action_proposals"), "action_proposals",
                          "action_proposals", ["supersedes_id"], ["id"])
    op.add_column("action_proposals", sa.Column("opened_at", postgresql.TIMESTAMP(timezone=True), nullable=True))
    op.add_column("action_proposals", sa.Column("notified_at", postgresql.TIMESTAMP(timezone=True), nullable=True))
    op.add_column("action_proposals", sa.Column("escalations", sa.Integer(), server_default="0", nullable=False))
    op.add_column("action_proposals", sa.Column("slack_channel", sa.Text(), nullable=True))
    op.add_column("action_proposals", sa.Column("slack_ts", sa.Text(), nullable=True))
    op.add_column("action_proposals", sa.Column("edit_distance", sa.Integer(), nullable=True))
    # Proposals made before this migration were never going to be announced: mark them notified.
    op.execute("UPDATE action_proposals SET notified_at = created_at")
    op.drop_constraint(op.f("ck_action_proposals_status"), "action_proposals", type_="check")
    op.create_check_constraint(op.f("ck_action_proposals_status"), "action_proposals",
                               f"status IN ({_OLD_STATUSES}, 'superseded')")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_action_proposals_status"), "action_proposals", type_="check")
    op.create_check_constraint(op.f("ck_action_proposals_status"), "action_proposals", f"status IN ({_OLD_STATUSES})")
    op.drop_constraint(op.f("fk_action_proposals_supersedes_id_action_proposals"), "action_proposals",
                       type_="foreignkey")
    for column in _PROPOSAL_COLUMNS:
        op.drop_column("action_proposals", column)
    op.drop_index("ix_used_link_nonces_proposal_id", table_name="used_link_nonces")
    op.drop_table("used_link_nonces")
    op.drop_table("approvals")
    op.drop_table("operators")
