"""The role the product runs as has DML only: it cannot alter, disable the triggers of, or truncate a table."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from core.audit import Actor, record_audit


@pytest.mark.parametrize("statement", [
    "ALTER TABLE audit_log DISABLE TRIGGER USER",
    "ALTER TABLE audit_anchors DISABLE TRIGGER USER",
    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
])
def test_the_runtime_role_cannot_disable_the_audit_triggers(session: Session, statement: str) -> None:
    record_audit(session, Actor.system(), "lead", 1, None, "new")
    session.commit()
    with pytest.raises(DBAPIError, match="must be owner of table"):
        session.execute(text(statement))
    session.rollback()
    assert session.execute(text("SELECT count(*) FROM audit_anchors")).scalar_one() == 1


def test_migrating_with_the_owner_url_grants_a_runtime_role_only_its_dml(pg_admin_url, runtime_role, tmp_path) -> None:
    """An outside DATABASE_URL: `migrate` runs as HOSS_MIGRATION_DATABASE_URL, the processes as DATABASE_URL."""
    import subprocess
    import sys
    from pathlib import Path

    import psycopg
    from psycopg import sql

    from db.embedded import runtime_url
    from db.engine import make_engine, with_database

    name, admin = "hoss_two_roles", pg_admin_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    owner = with_database(pg_admin_url, name)
    runtime = runtime_url(owner, *runtime_role)
    try:
        env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": runtime, "HOSS_MIGRATION_DATABASE_URL": owner,
               "HOSS_DATA_DIR": str(tmp_path)}
        proc = subprocess.run([sys.executable, "-m", "core", "migrate"], cwd=Path(__file__).resolve().parents[2],
                              env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        engine = make_engine(runtime)
        with engine.connect() as conn:
            record_audit_row = "INSERT INTO audit_log (entity, entity_id) VALUES ('lead', '1')"
            conn.execute(text(record_audit_row))
            conn.commit()
            with pytest.raises(DBAPIError, match="must be owner of table audit_log"):
                conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            conn.rollback()
            assert conn.execute(text("SELECT count(*) FROM audit_anchors")).scalar_one() == 1
        engine.dispose()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_runtime_role_that_may_not_migrate_says_so_in_one_line(pg_admin_url, runtime_role, tmp_path) -> None:
    import subprocess
    import sys
    from pathlib import Path

    import psycopg
    from psycopg import sql

    from db.embedded import runtime_url
    from db.engine import with_database

    name, admin = "hoss_runtime_only", pg_admin_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": runtime_url(with_database(pg_admin_url, name), *runtime_role),
               "HOSS_DATA_DIR": str(tmp_path)}
        proc = subprocess.run([sys.executable, "-m", "core", "migrate"], cwd=Path(__file__).resolve().parents[2],
                              env=env, capture_output=True, text=True, timeout=120)
        assert (proc.returncode, proc.stdout, proc.stderr.count("\n")) == (2, "", 1), proc.stderr
        assert proc.stderr.startswith(f"error: The schema needs migrating and {runtime_role[0]} may not do it (")
        assert proc.stderr.endswith("with HOSS_MIGRATION_DATABASE_URL set to the schema owner's URL\n")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
