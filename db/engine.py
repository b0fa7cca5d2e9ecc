"""Engine and session factory: one place that turns settings into a database connection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from core.config.settings import Settings

_CONNECT_TIMEOUT_SECONDS = 10


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached; the message is one line naming DATABASE_URL."""


def normalize_url(url: str) -> str:
    """Accept postgres://, postgresql:// or postgresql+psycopg:// and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@dataclass(frozen=True)
class DatabaseUrls:
    """Where the processes connect (`runtime`: DML only) and where migrations run (`migration`: the schema's owner)."""

    runtime: str
    migration: str

    @property
    def runtime_role(self) -> str | None:
        """The role to grant the runtime privileges to after migrating; None when both URLs name the same role."""
        from sqlalchemy.engine import make_url

        runtime, migration = make_url(self.runtime).username, make_url(self.migration).username
        return runtime if runtime and runtime != migration else None


def resolve_database_urls(settings: Settings) -> DatabaseUrls:
    """DATABASE_URL (and HOSS_MIGRATION_DATABASE_URL, else DATABASE_URL again) when set; else start the embedded
    server, whose superuser migrates and whose runtime role (db.embedded.RUNTIME_ROLE) the processes run as."""
    if settings.database_url:
        runtime = normalize_url(settings.database_url)
        return DatabaseUrls(runtime, normalize_url(settings.hoss_migration_database_url or runtime))
    from db.embedded import runtime_url, start_embedded_postgres

    owner = start_embedded_postgres(settings.hoss_data_dir)
    return DatabaseUrls(runtime_url(owner), owner)


def make_engine(url: str, *, pool_size: int = 5, application_name: str = "hossagent") -> Engine:
    """An engine with pre-ping (survives a database restart), a connect timeout, UTC sessions and no JIT."""
    engine = create_engine(
        normalize_url(url),
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        connect_args={"connect_timeout": _CONNECT_TIMEOUT_SECONDS, "application_name": application_name},
    )

    @event.listens_for(engine, "connect")
    def _utc(dbapi_conn, _record) -> None:  # noqa: ANN001 - DBAPI callback
        with dbapi_conn.cursor() as cur:
            cur.execute("SET TIME ZONE 'UTC'")
            # Every statement of this application is short (rollups and covering indexes do the heavy lifting);
            # JIT compilation fired on mis-estimated plans and cost ~450 ms for a 3-row answer (issue 16).
            cur.execute("SET jit = off")
        dbapi_conn.commit()

    return engine


def check_connection(engine: Engine) -> None:
    """Raise DatabaseUnavailable with one line when the database does not answer."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnavailable(f"Cannot reach the database at DATABASE_URL ({engine.url.render_as_string(hide_password=True)}): {reason}") from None


def libpq_url(engine: Engine) -> str:
    """The engine's URL as libpq takes it (no SQLAlchemy driver suffix), password included."""
    url = engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (pages render them after the transaction)."""
    return sessionmaker(engine, expire_on_commit=False)


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at database `name` (password kept)."""
    from sqlalchemy.engine import make_url

    return make_url(normalize_url(url)).set(database=name).render_as_string(hide_password=False)


@contextmanager
def transaction_for(session: Session) -> Iterator[Session]:
    """A new session for one real transaction beside `session` (which is rolled back first). When `session` is
    pinned to an autocommit connection (an Ops slot's), the same connection with autocommit off for the block, a
    client-side switch: no pool checkout and no pre-ping round trip. Otherwise a connection of its engine."""
    session.rollback()
    bind = session.get_bind()
    if not (isinstance(bind, Connection) and bind.get_execution_options().get("isolation_level") == "AUTOCOMMIT"):
        with Session(bind=getattr(bind, "engine", bind)) as tx:
            yield tx
        return
    if bind.in_transaction():  # SQLAlchemy's autobegun marker only: autocommit holds no server transaction
        bind.rollback()
    bind.execution_options(isolation_level=bind.dialect.default_isolation_level)
    try:
        with Session(bind=bind) as tx:
            yield tx
    finally:
        bind.execution_options(isolation_level="AUTOCOMMIT")
