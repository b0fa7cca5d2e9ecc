"""operators: operators and roles, approval records, SLAs, revisions and the trust ledger (SPEC §14)

Revision ID: operators
Revises: plans
Create Date: 2026-12-01
"""
from alembic import op  # noqa: F401 - used once the schema lands

revision = 'operators'
down_revision = 'plans'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
