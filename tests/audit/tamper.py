"""What someone who owns the tables can do to the audit log: the attacks the verification must (or cannot) see.

Each takes a session as the tables' owner (`owner_session`); the application's own role can do none of it."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.audit import Actor, record_audit


def write_rows(session: Session, n: int) -> list[int]:
    """`n` audit rows, one transaction each (as the application writes them); their ids (no transaction left open)."""
    for i in range(n):
        record_audit(session, Actor.agent("ops"), "task", i, "pending", "running", {"i": i})
        session.commit()
    ids = list(session.execute(text("SELECT id FROM audit_log ORDER BY id")).scalars())
    session.commit()
    return ids


def as_table_owner(session: Session, *statements: tuple[str, dict] | str) -> None:
    """Run `statements` with every trigger of audit_log and audit_anchors disabled, then enable them again."""
    session.execute(text("SET LOCAL lock_timeout = '10s'"))  # a test that left a transaction open fails, not hangs
    for table in ("audit_log", "audit_anchors"):
        session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    for statement in statements:
        sql, params = (statement, {}) if isinstance(statement, str) else statement
        session.execute(text(sql), params)
    for table in ("audit_log", "audit_anchors"):
        session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    session.commit()


def reseal(session: Session, from_id: int, *, anchors: bool, edit: bool = True) -> None:
    """Edit row `from_id` (unless not `edit`), then re-hash it and every later row with the unkeyed
    audit_log_row_hash, in id order, linking the first to the row before it.

    `anchors`: also rewrite those rows' anchors to the new hashes (what a careful owner does).
    """
    statements: list[tuple[str, dict] | str] = [
        ("UPDATE audit_log SET to_status = 'failed', metadata = '{\"edited\": true}' WHERE id = :id AND :edit",
         {"id": from_id, "edit": edit}),
        ("SELECT set_config('tamper.from_id', CAST(:id AS text), true)", {"id": from_id}),
        """DO $$
            DECLARE
                r audit_log;
                prev text;
                start bigint := current_setting('tamper.from_id')::bigint;
            BEGIN
                SELECT row_hash INTO prev FROM audit_log WHERE id < start ORDER BY id DESC LIMIT 1;
                prev := coalesce(prev, '');
                FOR r IN SELECT * FROM audit_log WHERE id >= start ORDER BY id LOOP
                    UPDATE audit_log SET prev_hash = prev, row_hash = audit_log_row_hash(prev, r) WHERE id = r.id;
                    prev := audit_log_row_hash(prev, r);
                END LOOP;
            END $$""",
    ]
    if anchors:
        statements.append(("UPDATE audit_anchors k SET head_hash = a.row_hash FROM audit_log a "
                           "WHERE a.id = k.last_id AND k.last_id >= :id", {"id": from_id}))
    as_table_owner(session, *statements)
