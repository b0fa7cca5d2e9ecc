"""Every SQL statement of the audit package, named; values only as bound parameters.

The verification statement computes the row hash itself, with built-in functions only,
under a search_path that puts pg_catalog first: a database owner can replace `audit_log_row_hash()` (or shadow
a built-in), but not the check. The formulas are the ones the chain trigger uses (migrations
console_audit_chain and audit_anchors); an intact chain verifying is the test that they agree.
"""

from __future__ import annotations

from sqlalchemy import text

PIN_SEARCH_PATH = text("SELECT set_config('search_path', 'pg_catalog, public', true)")

# One pass over audit_log and audit_anchors; every finding carries the id it is about, and the lowest id wins
# (the first broken link), ties going to the finding listed first. No key is involved (core.audit.seal).
VERIFY = text(r"""
    WITH walked AS MATERIALIZED (
        SELECT a.id, a.row_hash,
               a.row_hash IS DISTINCT FROM encode(sha256(convert_to(
                   coalesce(a.prev_hash, '') || '|' || a.id::text || '|'
                   || to_char(a.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24\:MI\:SS.US') || '|'
                   || a.actor_type || '|' || a.actor_id || '|' || a.entity || '|' || a.entity_id || '|'
                   || coalesce(a.from_status, '\N') || '|' || coalesce(a.to_status, '\N') || '|'
                   || a.metadata::text, 'UTF8')), 'hex') AS changed,
               a.prev_hash IS DISTINCT FROM coalesce(lag(a.row_hash) OVER w, '') AS unlinked,
               row_number() OVER w AS n
        FROM audit_log a
        WINDOW w AS (ORDER BY a.id)
    ),
    anchors AS MATERIALIZED (
        SELECT k.last_id, k.row_count, k.head_hash, w.id AS row_id, w.row_hash, w.n
        FROM audit_anchors k LEFT JOIN walked w ON w.id = k.last_id
    ),
    bounds AS (
        SELECT (SELECT count(*) FROM walked) AS rows, (SELECT max(id) FROM walked) AS tail,
               (SELECT count(*) FROM anchors) AS anchored, (SELECT max(last_id) FROM anchors) AS head
    ),
    findings AS (
        SELECT id, 1 AS rank, 'content changed' AS reason FROM walked WHERE changed
        UNION ALL
        SELECT id, 2, 'previous link broken' FROM walked WHERE unlinked
        UNION ALL
        SELECT k.last_id, 3, CASE
            WHEN b.rows = 0 THEN 'table truncated: ' || b.anchored || ' anchored row(s), none left'
            WHEN k.last_id > b.tail THEN 'deleted from the end: anchored when written, now missing'
            ELSE 'deleted: anchored when written, now missing' END
        FROM anchors k, bounds b WHERE k.row_id IS NULL
        UNION ALL
        SELECT last_id, 4, 're-sealed: its hash is not the one anchored when it was written'
        FROM anchors WHERE row_id IS NOT NULL AND head_hash IS DISTINCT FROM row_hash
        UNION ALL
        SELECT last_id, 5, 'rows missing before it: ' || row_count || ' anchored up to here, ' || n || ' left'
        FROM anchors WHERE row_id IS NOT NULL AND row_count IS DISTINCT FROM n
        UNION ALL
        SELECT min(w.id), 6, 'written after the anchored head: no anchor'
        FROM walked w, bounds b WHERE w.id > coalesce(b.head, 0) HAVING count(*) > 0
    )
    SELECT b.rows, b.anchored, f.id, f.reason
    FROM bounds b LEFT JOIN LATERAL (SELECT id, reason FROM findings ORDER BY id, rank LIMIT 1) f ON true
""")

HEAD_ANCHOR = text("SELECT last_id, row_count, head_hash FROM audit_anchors ORDER BY last_id DESC LIMIT 1")

ANCHOR_AT = text("SELECT last_id, row_count, head_hash FROM audit_anchors WHERE last_id = :id")

LOG_EMPTY = text("SELECT NOT EXISTS (SELECT 1 FROM audit_log)")

# What names a database in the witness file (core.audit.witness.database_identity).
CLUSTER_IDENTIFIER = text("SELECT system_identifier::text FROM pg_control_system()")
SERVER_ADDRESS = text("SELECT coalesce(host(inet_server_addr()), 'local') || ':' || coalesce(inet_server_port(), 0)")
DATABASE_NAME = text("SELECT current_database()")

# A loose index scan over ix_audit_log_entity: one index probe per distinct entity, not a full scan.
ENTITIES = text(
    """
    WITH RECURSIVE e AS (
        (SELECT entity FROM audit_log ORDER BY entity LIMIT 1)
        UNION ALL
        SELECT (SELECT entity FROM audit_log WHERE entity > e.entity ORDER BY entity LIMIT 1)
        FROM e WHERE e.entity IS NOT NULL
    )
    SELECT entity FROM e WHERE entity IS NOT NULL
    """
)
