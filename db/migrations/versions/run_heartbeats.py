"""agent_runs: heartbeat_at, and the `abandoned` status for runs whose process stopped heartbeating

Revision ID: run_heartbeats
Revises: agent_runs_actor
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = 'run_heartbeats'
down_revision = 'agent_runs_actor'
branch_labels = None
depends_on = None

_OLD = "status IN ('running', 'succeeded', 'failed', 'skipped')"
_NEW = "status IN ('running', 'succeeded', 'failed', 'skipped', 'abandoned')"


def upgrade() -> None:
    # Existing `running` rows get now(): if nothing heartbeats them, the reaper marks them within three intervals.
    op.add_column('agent_runs', sa.Column('heartbeat_at', sa.DateTime(timezone=True),
                                          server_default=sa.text('now()'), nullable=False))
    op.drop_constraint(op.f('ck_agent_runs_status'), 'agent_runs', type_='check')
    op.create_check_constraint(op.f('ck_agent_runs_status'), 'agent_runs', sa.text(_NEW))
    op.create_index('ix_agent_runs_running_heartbeat', 'agent_runs', ['heartbeat_at'],
                    postgresql_where=sa.text("status = 'running'"))


def downgrade() -> None:
    op.drop_index('ix_agent_runs_running_heartbeat', table_name='agent_runs')
    op.execute("UPDATE agent_runs SET status = 'failed' WHERE status = 'abandoned'")
    op.drop_constraint(op.f('ck_agent_runs_status'), 'agent_runs', type_='check')
    op.create_check_constraint(op.f('ck_agent_runs_status'), 'agent_runs', sa.text(_OLD))
    op.drop_column('agent_runs', 'heartbeat_at')
