"""slack shown status: the proposal status its Slack message last showed, so a decision made anywhere reaches Slack

A proposal decided in the console or from an email link left its Slack message with live buttons. The executor
pass now updates every posted message whose shown status differs from the proposal's (core.approvals.notify);
the partial index holds exactly those rows. Messages posted before this revision count as up to date.

Revision ID: slack_shown_status
Revises: page_read_indexes
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = 'slack_shown_status'
down_revision = 'page_read_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('action_proposals', sa.Column('slack_shown_status', sa.Text(), nullable=True))
    op.execute("UPDATE action_proposals SET slack_shown_status = status WHERE slack_ts IS NOT NULL")
    op.create_index('ix_action_proposals_slack_stale', 'action_proposals', ['id'],
                    postgresql_where=sa.text('slack_ts IS NOT NULL AND slack_shown_status IS DISTINCT FROM status'))


def downgrade() -> None:
    op.drop_index('ix_action_proposals_slack_stale', table_name='action_proposals')
    op.drop_column('action_proposals', 'slack_shown_status')
