"""agent_runs.actor: who started a manual or API run (the signed-in operator, the CLI's --actor, the API)

Revision ID: agent_runs_actor
Revises: canvas_indexes
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = 'agent_runs_actor'
down_revision = 'canvas_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('agent_runs', sa.Column('actor', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('agent_runs', 'actor')
