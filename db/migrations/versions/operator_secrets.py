"""operator_secrets: each operator's own console password (argon2 hash) and API token (sha256 hash) (SPEC §19)

Revision ID: operator_secrets
Revises: audit_unkeyed_anchors
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = 'operator_secrets'
down_revision = 'audit_unkeyed_anchors'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('operators', sa.Column('password_hash', sa.Text(), nullable=True))
    op.add_column('operators', sa.Column('token_hash', sa.Text(), nullable=True))
    op.create_unique_constraint(op.f('uq_operators_token_hash'), 'operators', ['token_hash'])


def downgrade() -> None:
    op.drop_constraint(op.f('uq_operators_token_hash'), 'operators', type_='unique')
    op.drop_column('operators', 'token_hash')
    op.drop_column('operators', 'password_hash')
