"""signin_attempts: every console sign-in attempt, so backoff and lockout hold across sessions and processes

Revision ID: signin_attempts
Revises: wakeup_notify
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = 'signin_attempts'
down_revision = 'wakeup_notify'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'signin_attempts',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('client', sa.Text(), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signin_attempts')),
    )
    op.create_index(op.f('ix_signin_attempts_client_at'), 'signin_attempts', ['client', 'at'], unique=False)
    op.create_index(op.f('ix_signin_attempts_at'), 'signin_attempts', ['at'], unique=False)


def downgrade() -> None:
    op.drop_table('signin_attempts')
