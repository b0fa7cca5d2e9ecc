"""integrations: Google Workspace connections, tokens encrypted at rest (SPEC §15)

The `integrations` row (one per provider; refresh token and account email as Fernet tokens), the one-time OAuth
states of connects under way, and the customers' delivery settings (`delivery`, `sheet_id`).

Revision ID: integrations
Revises: operators
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = 'integrations'
down_revision = 'operators'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "integrations",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("account_email_encrypted", sa.Text(), nullable=False),
        sa.Column("refresh_token_encrypted", sa.Text(), nullable=False),
        sa.Column("scopes", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.Text(), server_default="connected", nullable=False),
        sa.Column("connected_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("connected_by", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint("provider IN ('google')", name=op.f("ck_integrations_provider")),
        sa.CheckConstraint("status IN ('connected', 'needs_reconnect')", name=op.f("ck_integrations_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrations")),
        sa.UniqueConstraint("provider", name=op.f("uq_integrations_provider")),
    )
    op.create_table(
        "oauth_states",
        sa.Column("state_hash", sa.Text(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint("provider IN ('google')", name=op.f("ck_oauth_states_provider")),
        sa.CheckConstraint("expires_at > created_at", name=op.f("ck_oauth_states_expires_after_created")),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_oauth_states")),
    )
    op.create_index("ix_oauth_states_expires_at", "oauth_states", ["expires_at"])
    op.add_column("customers", sa.Column("delivery", sa.Text(), server_default="email", nullable=False))
    op.add_column("customers", sa.Column("sheet_id", sa.Text(), nullable=True))
    op.create_check_constraint(op.f("ck_customers_delivery"), "customers", "delivery IN ('email', 'gmail_draft')")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_customers_delivery"), "customers", type_="check")
    op.drop_column("customers", "sheet_id")
    op.drop_column("customers", "delivery")
    op.drop_index("ix_oauth_states_expires_at", table_name="oauth_states")
    op.drop_table("oauth_states")
    op.drop_table("integrations")
