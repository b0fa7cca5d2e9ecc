"""audit log hash chain: every row carries sha256(prev_hash || its content), set by the database

Revision ID: console_audit_chain
Revises: 0001
Create Date: 2026-11-21

Why in a trigger: no writer can forget it. Why the id is re-drawn under the lock: identity values are
drawn before BEFORE triggers run, so two writers could chain in the opposite order to their ids; drawing
the id again while holding the chain lock makes id order the chain order, which verification walks.
"""
from alembic import op

revision = 'console_audit_chain'
down_revision = 'events_failed_index'
branch_labels = None
depends_on = None

# The lock key is arbitrary but fixed; every audit insert takes it for the rest of its transaction.
CHAIN_SQL = r"""
CREATE FUNCTION audit_log_row_hash(prev text, r audit_log) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(
        coalesce(prev, '') || '|' || r.id::text || '|'
        || to_char(r.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|'
        || r.actor_type || '|' || r.actor_id || '|' || r.entity || '|' || r.entity_id || '|'
        || coalesce(r.from_status, '\N') || '|' || coalesce(r.to_status, '\N') || '|'
        || r.metadata::text, 'UTF8')), 'hex')
$$;

CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(4242424242);
    NEW.id := nextval(pg_get_serial_sequence('audit_log', 'id'));
    SELECT row_hash INTO last_hash FROM audit_log ORDER BY id DESC LIMIT 1;
    NEW.prev_hash := coalesce(last_hash, '');
    NEW.row_hash := audit_log_row_hash(NEW.prev_hash, NEW);
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

-- Seal rows written before this migration, in id order (a one-off, so the append-only guard steps aside).
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
DO $$
DECLARE
    r audit_log;
    prev text := '';
BEGIN
    FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
        UPDATE audit_log SET prev_hash = prev, row_hash = audit_log_row_hash(prev, r) WHERE id = r.id;
        prev := audit_log_row_hash(prev, r);
    END LOOP;
END;
$$;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;
"""


def upgrade() -> None:
    op.execute(CHAIN_SQL)
    op.create_index("ix_audit_log_actor", "audit_log", ["actor_type", "actor_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_actor", table_name="audit_log")
    op.execute("DROP TRIGGER IF EXISTS audit_log_chain ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_chain()")
    op.execute("DROP FUNCTION IF EXISTS audit_log_row_hash(text, audit_log)")
