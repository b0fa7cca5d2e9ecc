"""Fixtures: a real Postgres (embedded, or TEST_DATABASE_URL), one migrated template, a fresh clone per test.

Product code runs as the runtime role, as in production (SPEC §19: DML only, no table its own): `db_url`,
`settings`, `ctx` and `session` connect as it. `owner_db_url` and `owner_session` are the tables' owner, for
fixtures that seed or tamper with raw SQL the application could not run."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.orm import Session

from core.config.context import AppContext
from core.config.settings import Settings
from db.embedded import RUNTIME_ROLE, ensure_role, runtime_url
from db.engine import make_engine, make_session_factory, normalize_url, with_database
from db.migrate import migrate

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

# Tests must not see the developer's configuration: drop every HossAgent variable before anything reads it.
_OUR_PREFIXES = ("DATABASE_URL", "OPENAI_", "BIZDEV_", "SENDGRID_", "SLACK_", "STRIPE_", "SCHED_", "OPS_", "HOSS_",
                 "SENTRY_", "METRICS_", "EVENTS_", "EXECUTOR_", "CANVAS_", "PROPOSAL_",
                 "GOOGLE_")
_TEST_KNOBS = {"HOSS_SCREENSHOTS"}  # test switches, not configuration
for _name in list(os.environ):
    if _name.startswith(_OUR_PREFIXES) and _name not in _TEST_KNOBS:
        del os.environ[_name]

_counter = itertools.count()
ROOT = Path(__file__).resolve().parent.parent


def _libpq(url: str) -> str:
    return normalize_url(url).replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of a database on a server where tests may create databases."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        return normalize_url(url)
    from db.embedded import start_embedded_postgres

    data_dir = Path(tempfile.mkdtemp(prefix="hoss-test-pg-"))
    return start_embedded_postgres(data_dir)


@pytest.fixture(scope="session")
def runtime_role(pg_admin_url: str) -> tuple[str, str | None]:
    """The role (and password) product code connects as: the embedded server's own, or one made on TEST_DATABASE_URL."""
    if os.environ.get("TEST_DATABASE_URL"):
        role, password = "hoss_app_test", "hoss-app-test-runtime"
        ensure_role(pg_admin_url, role, password)
        return role, password
    return RUNTIME_ROLE, None  # start_embedded_postgres made it


@pytest.fixture(scope="session")
def template_db(pg_admin_url: str, runtime_role: tuple[str, str | None]) -> Iterator[str]:
    """A migrated template database with the runtime role's grants, made once per session; each test clones it."""
    name = f"hoss_tpl_{os.getpid()}"
    with psycopg.connect(_libpq(pg_admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    engine = make_engine(with_database(pg_admin_url, name))
    migrate(engine, runtime_role=runtime_role[0])
    engine.dispose()
    yield name
    with psycopg.connect(_libpq(pg_admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def owner_db_url(pg_admin_url: str, template_db: str) -> Iterator[str]:
    """A fresh, migrated database for this test alone, as the role that owns its tables (to seed or tamper)."""
    name = f"hoss_t_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(_libpq(pg_admin_url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template_db))
        )
    yield with_database(pg_admin_url, name)
    with psycopg.connect(_libpq(pg_admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def db_url(owner_db_url: str, runtime_role: tuple[str, str | None]) -> str:
    """This test's database as the runtime role: what the product's processes connect as (DATABASE_URL)."""
    return runtime_url(owner_db_url, *runtime_role)


@pytest.fixture
def owner_session(owner_db_url: str) -> Iterator[Session]:
    """A session as the tables' owner: what a database owner (not the application) can do."""
    engine = make_engine(owner_db_url, pool_size=1)
    with make_session_factory(engine)() as s:
        yield s
    engine.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings for mock mode against this test's database; tests override fields with `model_copy`."""
    return Settings(_env_file=None, database_url=db_url, hoss_data_dir=tmp_path / "data")  # type: ignore[call-arg]


@pytest.fixture
def ctx(settings: Settings) -> Iterator[AppContext]:
    """An application context on this test's database (already migrated by the template)."""
    engine = make_engine(settings.database_url or "", pool_size=10)
    yield AppContext(settings=settings, engine=engine, sessions=make_session_factory(engine))
    engine.dispose()


@pytest.fixture
def console(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    """The whole console (streamlit_app.py) under AppTest, pointed at this test's database.

    Switch pages with `console.switch_page("pages/inbox.py")` before `console.run()`.
    """
    from streamlit.testing.v1 import AppTest

    from ui.context import dispose_contexts

    monkeypatch.setenv("DATABASE_URL", db_url)
    dispose_contexts()
    yield AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    dispose_contexts()


@pytest.fixture
def session(ctx: AppContext) -> Iterator[Session]:
    with ctx.sessions() as s:
        yield s
