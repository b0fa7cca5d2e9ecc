"""canvas: indexes for the whitelisted analytics, and the SELECT-only role they run as

Revision ID: canvas_indexes
Revises: 0001
Create Date: 2026-11-21
"""
from alembic import op
from sqlalchemy import text

revision = 'canvas_indexes'
down_revision = '0001'
branch_labels = None
depends_on = None

# Covering indexes: the canvas aggregates over a time range with index-only scans (1M tasks in < 300 ms).
_DONE_COLUMNS = ["created_at", "customer_id", "reward_cents", "cost_cents", "profit_cents",
                 "input_tokens", "output_tokens", "model"]

# The role is cluster-wide; creating or granting it needs privileges a managed database may not give us,
# so each step is tried and a refusal is reported (NOTICE) instead of failing the migration.
READER_SQL = """
DO $$
BEGIN
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hoss_canvas_reader') THEN
            CREATE ROLE hoss_canvas_reader NOLOGIN;
        END IF;
    EXCEPTION WHEN insufficient_privilege OR duplicate_object OR unique_violation THEN
        RAISE NOTICE 'canvas: could not create role hoss_canvas_reader (%)', SQLERRM;
    END;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hoss_canvas_reader') THEN
        BEGIN
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO hoss_canvas_reader', current_schema());
            EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO hoss_canvas_reader', current_schema());
            EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO hoss_canvas_reader',
                           current_schema());
            IF NOT pg_has_role(current_user, 'hoss_canvas_reader', 'MEMBER') THEN
                EXECUTE format('GRANT hoss_canvas_reader TO %I', current_user);
            END IF;
        EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN
            RAISE NOTICE 'canvas: could not grant hoss_canvas_reader (%)', SQLERRM;
        END;
    END IF;
END
$$;
"""


def upgrade() -> None:
    op.create_index('ix_tasks_done_completed_at', 'tasks', ['completed_at'],
                    postgresql_include=_DONE_COLUMNS, postgresql_where=text("status = 'done'"))
    op.create_index('ix_tasks_created_at_status', 'tasks', ['created_at'], postgresql_include=['status'])
    op.create_index('ix_ledger_entries_occurred_at_cover', 'ledger_entries', ['occurred_at'],
                    postgresql_include=['direction', 'amount_cents', 'counterparty', 'category'])
    op.create_index('ix_leads_created_at', 'leads', ['created_at'])
    op.create_index('ix_action_proposals_created_at', 'action_proposals', ['created_at'])
    op.execute(READER_SQL)


def downgrade() -> None:
    op.execute("""
    DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hoss_canvas_reader') THEN
            EXECUTE format('REVOKE SELECT ON ALL TABLES IN SCHEMA %I FROM hoss_canvas_reader', current_schema());
            EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE SELECT ON TABLES FROM hoss_canvas_reader',
                           current_schema());
            EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM hoss_canvas_reader', current_schema());
        END IF;
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END $$;
    """)
    op.drop_index('ix_action_proposals_created_at', table_name='action_proposals')
    op.drop_index('ix_leads_created_at', table_name='leads')
    op.drop_index('ix_ledger_entries_occurred_at_cover', table_name='ledger_entries')
    op.drop_index('ix_tasks_created_at_status', table_name='tasks')
    op.drop_index('ix_tasks_done_completed_at', table_name='tasks')
