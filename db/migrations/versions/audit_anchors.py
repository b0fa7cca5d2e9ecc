"""audit anchors: the chain's head (latest id, row count, head hash, keyed seal) kept outside audit_log

Revision ID: audit_anchors
Revises: signin_attempts
Create Date: 2026-12-01

The chain alone cannot see its own end: deleting the newest rows, truncating the table or re-sealing it after
edits all leave a chain that verifies. The chain trigger now also appends one anchor per audit row to
`audit_anchors`: the row's id, how many rows the chain had then, its row_hash, and, when the writing session
holds the audit key (core.audit.seal, from HOSS_SECRET_KEY; never stored in the database), an HMAC-SHA256 seal
over those three. It runs under the advisory lock the chain already takes, so it adds neither a lock nor a
round trip. The anchors are append-only too, and only the chain trigger may insert them.
"""
from alembic import op
import sqlalchemy as sa

revision = 'audit_anchors'
down_revision = 'signin_attempts'
branch_labels = None
depends_on = None

# HMAC-SHA256 = sha256(key^opad || sha256(key^ipad || message)); the pads come from the session settings.
ANCHORS_SQL = r"""
-- The head as it stands now (rows written before this migration are covered by one anchor).
INSERT INTO audit_anchors (last_id, row_count, head_hash, key_id, seal)
SELECT h.id, c.n, coalesce(h.row_hash, ''), k.key_id,
       CASE WHEN k.key_id IS NOT NULL THEN encode(sha256(
           decode(current_setting('hoss.audit_key_opad'), 'hex') || sha256(
           decode(current_setting('hoss.audit_key_ipad'), 'hex') || convert_to(
           'hoss-audit-anchor-v1|' || h.id::text || '|' || c.n::text || '|' || coalesce(h.row_hash, ''),
           'UTF8'))), 'hex') END
FROM (SELECT id, row_hash FROM audit_log ORDER BY id DESC LIMIT 1) h,
     (SELECT count(*) AS n FROM audit_log) c,
     (SELECT nullif(current_setting('hoss.audit_key_id', true), '') AS key_id) k;

CREATE FUNCTION audit_anchors_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND pg_trigger_depth() > 1 THEN  -- from inside the audit_log chain trigger
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_anchors is written only by the audit_log chain trigger: % refused', TG_OP;
END;
$$;
CREATE TRIGGER audit_anchors_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_anchors
    FOR EACH ROW EXECUTE FUNCTION audit_anchors_guard();
CREATE TRIGGER audit_anchors_no_truncate BEFORE TRUNCATE ON audit_anchors
    FOR EACH STATEMENT EXECUTE FUNCTION audit_anchors_guard();

CREATE OR REPLACE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_hash text;
    anchored bigint;
    key_id text := nullif(current_setting('hoss.audit_key_id', true), '');
    seal text;
BEGIN
    PERFORM pg_advisory_xact_lock(4242424242);
    NEW.id := nextval(pg_get_serial_sequence('audit_log', 'id'));
    SELECT row_hash INTO last_hash FROM audit_log ORDER BY id DESC LIMIT 1;
    NEW.prev_hash := coalesce(last_hash, '');
    NEW.row_hash := audit_log_row_hash(NEW.prev_hash, NEW);
    SELECT row_count INTO anchored FROM audit_anchors ORDER BY last_id DESC LIMIT 1;
    anchored := coalesce(anchored, 0) + 1;
    IF key_id IS NOT NULL THEN
        seal := encode(sha256(
            decode(current_setting('hoss.audit_key_opad'), 'hex') || sha256(
            decode(current_setting('hoss.audit_key_ipad'), 'hex') || convert_to(
            'hoss-audit-anchor-v1|' || NEW.id::text || '|' || anchored::text || '|' || NEW.row_hash, 'UTF8'))), 'hex');
    END IF;
    INSERT INTO audit_anchors (last_id, row_count, head_hash, key_id, seal)
        VALUES (NEW.id, anchored, NEW.row_hash, key_id, seal);
    RETURN NEW;
END;
$$;
"""

# The chain trigger as migration console_audit_chain left it.
UNANCHORED_CHAIN_SQL = r"""
CREATE OR REPLACE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
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
"""


def upgrade() -> None:
    op.create_table('audit_anchors',
    sa.Column('last_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('row_count', sa.BigInteger(), nullable=False),
    sa.Column('head_hash', sa.Text(), nullable=False),
    sa.Column('key_id', sa.Text(), nullable=True),
    sa.Column('seal', sa.Text(), nullable=True),
    sa.Column('anchored_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('(key_id IS NULL) = (seal IS NULL)', name=op.f('ck_audit_anchors_sealed_with_key')),
    sa.PrimaryKeyConstraint('last_id', name=op.f('pk_audit_anchors'))
    )
    op.execute(ANCHORS_SQL)


def downgrade() -> None:
    op.execute(UNANCHORED_CHAIN_SQL)
    op.execute("DROP TRIGGER IF EXISTS audit_anchors_no_truncate ON audit_anchors")
    op.execute("DROP TRIGGER IF EXISTS audit_anchors_guard ON audit_anchors")
    op.execute("DROP FUNCTION IF EXISTS audit_anchors_guard()")
    op.drop_table('audit_anchors')
