"""Apply Alembic migrations programmatically, once, even when several processes start together; then grant the
runtime role its DML (SPEC §19: the role the processes run as owns nothing and cannot disable a trigger)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from db.engine import DatabaseUnavailable

log = logging.getLogger("hoss.db")

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Any constant works; every HossAgent process takes the same one before migrating.
_MIGRATION_LOCK_KEY = 0x4055_A6E7
_INSUFFICIENT_PRIVILEGE = "42501"

# What the runtime role may do, granted again after every migration so that every table a migration adds is
# covered: DML on the application's tables; on audit_log and audit_anchors only INSERT and SELECT (their
# triggers refuse more, and only an owner could disable those); SELECT on alembic_version. No ownership, so no
# ALTER, DISABLE TRIGGER, TRUNCATE or DROP. MAINTAIN (PostgreSQL 17+) lets `seed-demo` VACUUM and ANALYZE.
# The role is bound (through a transaction-local setting), never spliced into the text.
_SET_RUNTIME_ROLE = text("SELECT set_config('hoss.runtime_role', :role, true)")
_GRANT_RUNTIME = text("""
DO $$
DECLARE
    r text := current_setting('hoss.runtime_role');
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', r);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', r);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log, audit_anchors FROM %I', r);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM %I', r);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', r);
    EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO %I', r);
    IF current_setting('server_version_num')::int >= 170000 THEN
        EXECUTE format('GRANT MAINTAIN ON ALL TABLES IN SCHEMA public TO %I', r);
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hoss_canvas_reader')
            AND NOT pg_has_role(r, 'hoss_canvas_reader', 'MEMBER') THEN
        BEGIN  -- the canvas reads as this role (SET ROLE, migration canvas_indexes)
            EXECUTE format('GRANT hoss_canvas_reader TO %I', r);
        EXCEPTION WHEN insufficient_privilege THEN
            NULL;  -- the canvas then runs its read-only transactions as the runtime role itself
        END;
    END IF;
    BEGIN  -- the witness names a database by its cluster's identifier (core.audit.witness); a superuser may grant it
        EXECUTE format('GRANT EXECUTE ON FUNCTION pg_catalog.pg_control_system() TO %I', r);
    EXCEPTION WHEN insufficient_privilege THEN
        NULL;  -- elsewhere the server's address stands in
    END;
END $$
""")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def migrate(engine: Engine, runtime_role: str | None = None) -> None:
    """Upgrade the database to head under a session-level advisory lock (a no-op when already there), then grant
    `runtime_role`, if named, what it needs: run as the role that owns the schema."""
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
        try:
            conn.commit()
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            try:
                command.upgrade(cfg, "head")
            except DBAPIError as exc:
                if getattr(exc.orig, "sqlstate", None) != _INSUFFICIENT_PRIVILEGE:
                    raise
                conn.rollback()
                raise DatabaseUnavailable(
                    f"The schema needs migrating and {engine.url.username or 'this role'} may not do it "
                    f"({str(exc.orig).strip().splitlines()[0]}): run `python -m core migrate` with "
                    "HOSS_MIGRATION_DATABASE_URL set to the schema owner's URL") from None
            conn.commit()
            if runtime_role:
                grant_runtime(conn, runtime_role)
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK_KEY})
            conn.commit()


def grant_runtime(conn: Connection, role: str) -> None:
    """Grant `role` the runtime privileges on every table, sequence and function there is now (idempotent)."""
    conn.execute(_SET_RUNTIME_ROLE, {"role": role})
    conn.execute(_GRANT_RUNTIME)
    conn.commit()


def schema_revisions(conn: Connection) -> tuple[str | None, str]:
    """(the revision the database is at, or None when unmigrated; the revision the code's migrations end at)."""
    return MigrationContext.configure(conn).get_current_revision(), ScriptDirectory.from_config(alembic_config()).get_current_head() or ""
