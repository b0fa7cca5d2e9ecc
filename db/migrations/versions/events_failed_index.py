"""events: partial index on failed events, so the processor finds retries without scanning all events

Revision ID: events_failed_index
Revises: 0001
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa

revision = 'events_failed_index'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_events_failed', 'events', ['processed_at', 'id'], unique=False,
                    postgresql_where=sa.text("status = 'failed'"))


def downgrade() -> None:
    op.drop_index('ix_events_failed', table_name='events')
