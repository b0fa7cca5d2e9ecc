"""`bench ingest`: signed Stripe events per second through the real webhook, next to raw INSERTs of the same DB.

The webhook runs under uvicorn in its own process, the load (bench.ingest_load: keep-alive connections, requests
signed before the clock starts) in another, so neither shares a GIL with the server. The raw loop is C threads of
single-row INSERT + commit, each its own transaction like one webhook before group commit. After the timed load,
untimed, it checks the rest of the goal: repeats of posted events are absorbed, forged events refused, and each
event is stored exactly once."""

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

from sqlalchemy import text
from starlette.applications import Starlette

from core.app.stripe_webhook import webhook_routes
from core.config.context import AppContext

_RAW_INSERT = text(
    "INSERT INTO events (source, type, occurred_at, payload, dedupe_key) "
    "VALUES ('bench', 'bench.raw', now(), CAST(:payload AS jsonb), :key) ON CONFLICT (source, dedupe_key) DO NOTHING"
)
_STORED = text("SELECT count(*) FROM events WHERE source = 'stripe' AND dedupe_key LIKE :prefix")
DUPLICATES, FORGED = 100, 10  # repeats of the first posted events, and events signed with another secret


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
    webhook_p50_ms: float  # time from sending a request to its answer, group-commit window included
    webhook_p99_ms: float
    raw_p50_ms: float  # one INSERT + commit
    raw_p99_ms: float
    added_p50_ms: float  # what the webhook adds to a raw INSERT's latency (p50 and p99)
    added_p99_ms: float
    stored: int  # rows the posted events left (each exactly once: equal to `events`)
    duplicates: int  # repeats posted after the timed load, each to be answered 200 with duplicate true
    duplicates_absorbed: int
    forged: int  # events signed with another secret, each to be refused 400 and stored nowhere
    forged_refused: int

    @property
    def honest(self) -> bool:
        """Every event accepted and stored once, every repeat absorbed, every forgery refused."""
        return (self.accepted == self.stored == self.events and self.duplicates_absorbed == self.duplicates
                and self.forged_refused == self.forged)


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
         "--port", str(port), "--log-level", "warning", "--no-access-log", "--http", "httptools"],
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
    raw_latencies: list[float] = []

    def insert(worker: int, items: list[int]) -> None:
        with ctx.engine.connect() as conn:
            for i in items:
                payload = json.dumps({"id": f"raw_bench_{run}_{i}", "type": "bench.raw", "data": {"object": {}}})
                started = time.perf_counter()
                conn.execute(_RAW_INSERT, {"payload": payload, "key": f"raw_bench_{run}_{i}"})
                conn.commit()  # one row per transaction, like one webhook
                raw_latencies.append(time.perf_counter() - started)

    duplicates = min(DUPLICATES, events)
    try:
        with _serve(ctx, secret) as base:
            load = _post_load(base, secret.split(",")[0], run, events, clients, duplicates)
        with ctx.engine.connect() as conn:  # forged rows would carry the posted prefix or evt_forged_
            stored = conn.execute(_STORED, {"prefix": f"evt_bench_{run}_%"}).scalar_one()
            stored_forged = conn.execute(_STORED, {"prefix": f"evt_forged_{run}_%"}).scalar_one()
        raw_seconds = _in_threads(clients, list(range(events)), insert)
    finally:
        with ctx.engine.begin() as conn:
            conn.execute(text("DELETE FROM events WHERE dedupe_key LIKE :a OR dedupe_key LIKE :b OR dedupe_key LIKE :c"),
                         {"a": f"evt_bench_{run}_%", "b": f"raw_bench_{run}_%", "c": f"evt_forged_{run}_%"})
    webhook_seconds = load["seconds"]
    webhook_rate, raw_rate = round(events / webhook_seconds, 1), round(events / raw_seconds, 1)
    hook_p50, hook_p99 = _percentiles(load["latencies"])
    raw_p50, raw_p99 = _percentiles(raw_latencies)
    # The ratio of the rates as reported, so a reader recomputing it from the printed figures gets the same.
    return IngestBench(events, clients, load["accepted"], round(webhook_seconds, 3), webhook_rate,
                       round(raw_seconds, 3), raw_rate, round(webhook_rate / raw_rate, 3), hook_p50, hook_p99,
                       raw_p50, raw_p99, round(hook_p50 - raw_p50, 2), round(hook_p99 - raw_p99, 2), stored,
                       duplicates, load["duplicates_absorbed"], FORGED,
                       load["forged_refused"] - stored_forged)  # a forgery answered 400 yet stored is not refused


def _post_load(base: str, secret: str, run: str, events: int, clients: int, duplicates: int) -> dict:
    """Run bench.ingest_load in a process of its own against `base`: its accepted count, seconds, latencies and
    the untimed check's counts of absorbed repeats and refused forgeries."""
    spec = json.dumps({"url": base, "secret": secret, "run": run, "events": events, "clients": clients,
                       "duplicates": duplicates, "forged": FORGED})
    done = subprocess.run([sys.executable, "-m", "bench.ingest_load"], input=spec + "\n", capture_output=True,
                          text=True, timeout=600, cwd=Path(__file__).resolve().parent.parent, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the benchmark load failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout)


def _percentiles(seconds: list[float]) -> tuple[float, float]:
    """p50 and p99 of latencies in seconds, as milliseconds."""
    ordered = sorted(seconds) or [0.0]
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return round(pick(0.50) * 1000, 2), round(pick(0.99) * 1000, 2)


def main(ctx: AppContext, argv: Sequence[str]) -> int:
    """Parse `--events N --clients C --json`, measure, print; exit 1 unless every event was accepted and stored
    once, every repeat absorbed and every forgery refused."""
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
        print(f"latency p50/p99: webhook {result.webhook_p50_ms}/{result.webhook_p99_ms} ms, raw INSERT "
              f"{result.raw_p50_ms}/{result.raw_p99_ms} ms, added {result.added_p50_ms}/{result.added_p99_ms} ms")
        print(f"checked: {result.stored}/{result.events} stored once, {result.duplicates_absorbed}/{result.duplicates} "
              f"repeats absorbed, {result.forged_refused}/{result.forged} forged events refused")
    return 0 if result.honest else 1
