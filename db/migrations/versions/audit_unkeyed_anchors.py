"""audit anchors without the key: the chain trigger no longer reads key pads from session settings

Revision ID: audit_unkeyed_anchors
Revises: record_step_call
Create Date: 2026-12-07

Migration audit_anchors sealed each anchor in the chain trigger with HMAC pads every application connection held
as session settings; a trigger the database owner adds could read them from any session and forge seals (issue 29).
The key now stays in Python and seals the witness of the head kept outside the database (core.audit.seal,
core.audit.witness); the database keeps the unkeyed chain and one anchor per row. The anchors' key_id and seal
columns go: nothing may write them any more, and a seal that can no longer be checked is no evidence.
"""
from alembic import op
import sqlalchemy as sa

revision = 'audit_unkeyed_anchors'
down_revision = 'record_step_call'
branch_labels = None
depends_on = None

UNKEYED_CHAIN_SQL = r"""
CREATE OR REPLACE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_hash text;
    anchored bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(4242424242);
    NEW.id := nextval(pg_get_serial_sequence('audit_log', 'id'));
    SELECT row_hash INTO last_hash FROM audit_log ORDER BY id DESC LIMIT 1;
    NEW.prev_hash := coalesce(last_hash, '');
    NEW.row_hash := audit_log_row_hash(NEW.prev_hash, NEW);
    SELECT row_count INTO anchored FROM audit_anchors ORDER BY last_id DESC LIMIT 1;
    INSERT INTO audit_anchors (last_id, row_count, head_hash)
        VALUES (NEW.id, coalesce(anchored, 0) + 1, NEW.row_hash);
    RETURN NEW;
END;
$$;
"""

# The chain trigger as migration audit_anchors left it (sealing with the session's key pads).
KEYED_CHAIN_SQL = r"""
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


def upgrade() -> None:
    op.execute(UNKEYED_CHAIN_SQL)
    op.drop_constraint(op.f('ck_audit_anchors_sealed_with_key'), 'audit_anchors', type_='check')
    op.drop_column('audit_anchors', 'seal')
    op.drop_column('audit_anchors', 'key_id')


def downgrade() -> None:
    op.add_column('audit_anchors', sa.Column('key_id', sa.Text(), nullable=True))
    op.add_column('audit_anchors', sa.Column('seal', sa.Text(), nullable=True))
    op.create_check_constraint(op.f('ck_audit_anchors_sealed_with_key'), 'audit_anchors', '(key_id IS NULL) = (seal IS NULL)')
    op.execute(KEYED_CHAIN_SQL)
