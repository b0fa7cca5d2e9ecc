"""integrations: Google Workspace connections, tokens encrypted at rest (SPEC §15)

Revision ID: integrations
Revises: operators
Create Date: 2026-12-01
"""
from alembic import op  # noqa: F401 - used once the schema lands

revision = 'integrations'
down_revision = 'operators'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
