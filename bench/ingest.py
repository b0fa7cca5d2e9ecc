"""`bench ingest`: signed Stripe events per second through the real webhook, next to raw INSERTs of the same DB."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
from sqlalchemy import text
from starlette.applications import Starlette

from core.app.stripe_webhook import webhook_routes
from core.config.context import AppContext
from core.events.webhooks import sign_stripe_payload

_RAW_INSERT = text(
    "INSERT INTO events (source, type, occurred_at, payload, dedupe_key) "
    "VALUES ('bench', 'bench.raw', now(), CAST(:payload AS jsonb), :key) ON CONFLICT (source, dedupe_key) DO NOTHING"
)


@dataclass(frozen=True)
class IngestBench:
    """One measurement: both rates come from the same run on the same database."""

    events: int
    clients: int
    accepted: int
    webhook_seconds: float
    webhook_per_second: float
    raw_seconds: float
    raw_inserts_per_second: float
    ratio: float


def bench_app() -> Starlette:
    """The webhook alone, for the benchmark's server process (settings from its environment)."""
    from core.app.context import bootstrap

    ctx = bootstrap(run_migrations=False, pool_size=16)
    return Starlette(routes=webhook_routes(lambda: ctx))


@contextmanager
def _serve(ctx: AppContext, secret: str) -> Iterator[str]:
    """Run the webhook under uvicorn in a separate process (as in production), so load and server share no GIL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, DATABASE_URL=ctx.engine.url.render_as_string(hide_password=False),
               STRIPE_WEBHOOK_SECRET=secret)
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "bench.ingest:bench_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=Path(__file__).resolve().parent.parent, env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("benchmark server did not start")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _in_threads(clients: int, work: list[int], fn) -> float:  # noqa: ANN001 - fn(worker_index, items)
    chunks = [work[i::clients] for i in range(clients)]
    threads = [threading.Thread(target=fn, args=(i, chunk)) for i, chunk in enumerate(chunks)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def measure_ingest(ctx: AppContext, *, events: int = 2000, clients: int = 8) -> IngestBench:
    """Post `events` signed events from `clients` concurrent clients, then time as many raw single-row INSERTs.

    Rows are tagged with a per-run prefix and deleted afterwards. A secret is generated when
    STRIPE_WEBHOOK_SECRET is unset (it never leaves this process).
    """
    if events < 1 or clients < 1:
        raise ValueError("--events and --clients must be at least 1")
    secret = ctx.settings.secret("stripe_webhook_secret") or f"whsec_bench_{secrets.token_hex(16)}"
    run = secrets.token_hex(4)
    accepted = [0] * clients

    def post(worker: int, items: list[int]) -> None:
        with httpx.Client(timeout=30) as client:
            for i in items:
                body = json.dumps({"id": f"evt_bench_{run}_{i}", "object": "event", "type": "bench.ping",
                                   "created": int(time.time()), "data": {"object": {"id": f"obj_{i}"}}}).encode()
                response = client.post(f"{base}/api/ingest/stripe", content=body, headers={
                    "Stripe-Signature": sign_stripe_payload(body, secret.split(",")[0], int(time.time())),
                    "Content-Type": "application/json"})
                accepted[worker] += response.status_code == 200

    def insert(worker: int, items: list[int]) -> None:
        with ctx.engine.connect() as conn:
            for i in items:
                payload = json.dumps({"id": f"raw_bench_{run}_{i}", "type": "bench.raw", "data": {"object": {}}})
                conn.execute(_RAW_INSERT, {"payload": payload, "key": f"raw_bench_{run}_{i}"})
                conn.commit()  # one row per transaction, like one webhook

    try:
        with _serve(ctx, secret) as base:
            webhook_seconds = _in_threads(clients, list(range(events)), post)
        raw_seconds = _in_threads(clients, list(range(events)), insert)
    finally:
        with ctx.engine.begin() as conn:
            conn.execute(text("DELETE FROM events WHERE dedupe_key LIKE :a OR dedupe_key LIKE :b"),
                         {"a": f"evt_bench_{run}_%", "b": f"raw_bench_{run}_%"})
    webhook_rate = events / webhook_seconds
    raw_rate = events / raw_seconds
    webhook_rate, raw_rate = round(webhook_rate, 1), round(raw_rate, 1)
    # The ratio of the rates as reported, so a reader recomputing it from the printed figures gets the same.
    return IngestBench(events, clients, sum(accepted), round(webhook_seconds, 3), webhook_rate,
                       round(raw_seconds, 3), raw_rate, round(webhook_rate / raw_rate, 3))


def main(ctx: AppContext, argv: Sequence[str]) -> int:
    """Parse `--events N --clients C --json`, measure, print; exit 1 when some event was not accepted."""
    parser = argparse.ArgumentParser(prog="python -m core bench ingest")
    parser.add_argument("--events", type=int, default=2000, help="signed events to post (default 2000)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients (default 8)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(list(argv))
    result = measure_ingest(ctx, events=args.events, clients=args.clients)
    if args.json:
        print(json.dumps(asdict(result)))
    else:
        print(f"webhook ingest: {result.accepted}/{result.events} signed events accepted from {result.clients} "
              f"clients in {result.webhook_seconds:.2f} s = {result.webhook_per_second:,.0f} events/s")
        print(f"raw single-row INSERT (same database, same run): {result.raw_inserts_per_second:,.0f} rows/s")
        print(f"ratio webhook / raw INSERT: {result.ratio:.2f}")
    return 0 if result.accepted == result.events else 1
