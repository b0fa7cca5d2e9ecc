"""plans: plans, entitlements (held tasks), subscriptions and per-customer budgets (SPEC §13)

Revision ID: plans
Revises: workforce
Create Date: 2026-12-01
"""
from alembic import op  # noqa: F401 - used once the schema lands

revision = 'plans'
down_revision = 'workforce'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
