"""The webhook's writer on the server's loop: no answer before the commit, a crash answers no 2xx, its own
connections replaced when broken and closed when the server stops."""

from __future__ import annotations

import gc
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import Connection, TextClause, text
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from core.app.stripe_webhook import webhook_routes
from core.config.context import AppContext
from core.events.ingest_writer import APPLICATION_NAME
from tests.ops_helpers import wait_until
from tests.standins.http import free_port, serve_asgi
from tests.standins.stripe_events import payment_failed, post_signed

SECRET = "whsec_ingest_writer"
ROOT = Path(__file__).resolve().parents[2]
_WRITERS = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :app AND datname = current_database()")
_BLOCKED = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :app "
                "AND datname = current_database() AND wait_event_type = 'Lock'")
_HOLD = text("INSERT INTO events (source, type, occurred_at, payload, dedupe_key) "
             "VALUES ('stripe', 'invoice.payment_failed', now(), '{}', :key)")


@pytest.fixture
def wctx(ctx: AppContext) -> AppContext:
    settings = ctx.settings.model_copy(update={"stripe_webhook_secret": SecretStr(SECRET)})
    return AppContext(settings=settings, engine=ctx.engine, sessions=ctx.sessions)


@pytest.fixture
def holder(ctx: AppContext) -> Iterator[Connection]:
    """A connection whose uncommitted insert of an event id makes the writer's insert of that id wait."""
    with ctx.engine.connect() as conn:
        yield conn
        conn.rollback()


def _count(session: Session, sql: TextClause, **params: object) -> int:
    session.rollback()  # a fresh snapshot each time
    return session.execute(sql, params).scalar_one()


def _post_in_background(pool: ThreadPoolExecutor, base: str, evt: dict) -> Future[httpx.Response]:
    def post() -> httpx.Response:
        with httpx.Client(timeout=60) as client:
            return post_signed(client, base, SECRET, evt)
    return pool.submit(post)


def test_no_answer_arrives_before_the_batch_commits(wctx: AppContext, holder: Connection, session: Session) -> None:
    evt = payment_failed("in_wait")
    holder.execute(_HOLD, {"key": evt["id"]})
    with serve_asgi(Starlette(routes=webhook_routes(lambda: wctx))) as base, ThreadPoolExecutor(1) as pool:
        answer = _post_in_background(pool, base, evt)
        wait_until(lambda: _count(session, _BLOCKED, app=APPLICATION_NAME), "the writer's insert waiting on the lock")
        with pytest.raises(FutureTimeout):  # its statement has not committed, so nothing may answer yet
            answer.result(timeout=0.5)
        holder.rollback()  # the writer's insert proceeds and commits
        response = answer.result(timeout=60)
    assert (response.status_code, response.json()["duplicate"]) == (200, False)
    assert session.execute(text("SELECT count(*) FROM events WHERE dedupe_key = :k"), {"k": evt["id"]}).scalar_one() == 1


@pytest.fixture
def server_process(db_url: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """The webhook under uvicorn in a process of its own (as deployed), on this test's database."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=db_url, STRIPE_WEBHOOK_SECRET=SECRET)
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "bench.ingest:bench_app", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env)

    def listening() -> bool:
        assert proc.poll() is None, "the webhook server exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            return False

    try:
        wait_until(listening, "the webhook server listening")
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def test_a_server_killed_before_its_commit_answers_no_2xx_and_the_retry_is_absorbed(
        server_process: tuple[subprocess.Popen, str], holder: Connection, wctx: AppContext, session: Session) -> None:
    proc, base = server_process
    evt = payment_failed("in_crash")
    holder.execute(_HOLD, {"key": evt["id"]})
    with ThreadPoolExecutor(1) as pool:
        answer = _post_in_background(pool, base, evt)
        wait_until(lambda: _count(session, _BLOCKED, app=APPLICATION_NAME), "the writer's insert waiting on the lock")
        os.kill(proc.pid, signal.SIGKILL)  # the crash, while the batch has not committed
        with pytest.raises(httpx.TransportError):  # the connection drops: no status at all, so no 2xx
            answer.result(timeout=60)
    holder.rollback()
    with serve_asgi(Starlette(routes=webhook_routes(lambda: wctx))) as again, httpx.Client(timeout=30) as client:
        retry = post_signed(client, again, SECRET, evt)  # Stripe retries what was not acknowledged
    assert retry.status_code == 200
    assert session.execute(text("SELECT count(*) FROM events WHERE dedupe_key = :k"), {"k": evt["id"]}).scalar_one() == 1


def test_a_terminated_writer_connection_is_replaced(wctx: AppContext, owner_session: Session, session: Session) -> None:
    with serve_asgi(Starlette(routes=webhook_routes(lambda: wctx))) as base, httpx.Client(timeout=30) as client:
        assert post_signed(client, base, SECRET, payment_failed("in_before")).status_code == 200
        owner_session.execute(text("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                                   "WHERE application_name = :app AND datname = current_database()"),
                              {"app": APPLICATION_NAME})
        after = post_signed(client, base, SECRET, payment_failed("in_after"))
    assert (after.status_code, after.json()["duplicate"]) == (200, False)
    assert session.execute(text("SELECT count(*) FROM events")).scalar_one() == 2


def test_the_writer_connections_close_when_the_server_stops(wctx: AppContext, session: Session) -> None:
    app = Starlette(routes=webhook_routes(lambda: wctx))  # kept alive: its writer must not rely on being collected
    with serve_asgi(app) as base, ThreadPoolExecutor(8) as pool:
        answers = [_post_in_background(pool, base, payment_failed(f"in_{i}")) for i in range(8)]
        assert [a.result(timeout=60).status_code for a in answers] == [200] * 8
        assert _count(session, _WRITERS, app=APPLICATION_NAME) >= 1
    wait_until(lambda: _count(session, _WRITERS, app=APPLICATION_NAME) == 0, "the writer's connections closed")
    assert app.routes  # still referenced: the connections closed because the server stopped, not by collection
    gc.collect()  # one left open would warn now (ResourceWarning, an error under pytest.ini)
