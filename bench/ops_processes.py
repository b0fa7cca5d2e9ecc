"""`ops-pool --processes P`: P real `python -m core scheduler` processes drain T tasks through a stdlib stand-in LLM."""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Span from task data (first start to last completion), and when the first task started on the wall clock.
_SPAN_SQL = ("""
    SELECT count(*) FILTER (WHERE status = 'done'), count(*),
           extract(epoch FROM max(completed_at) - min(started_at)), extract(epoch FROM min(started_at))
    FROM tasks
""")
# Per scheduler process (the pid in claimed_by): its tasks, first start and last completion on the wall clock.
_PER_PROCESS_SQL = ("""
    SELECT split_part(claimed_by, ':', 2), count(*), extract(epoch FROM min(started_at)),
           extract(epoch FROM max(completed_at))
    FROM tasks GROUP BY 1 ORDER BY 3
""")
_SETTLED_SQL = "SELECT count(*) FROM tasks WHERE status IN ('done', 'failed')"
_TASK_RE = re.compile(r"Benchmark task (\d+)\b")
_START_TIMEOUT_S = 120.0


class ThreadedStandInLLM:
    """A stdlib ThreadingHTTPServer answering chat completions after `latency_s`; counts calls per benchmark task."""

    def __init__(self, latency_s: float) -> None:
        self.latency_s = latency_s
        self.per_task: Counter[int] = Counter()
        self.other_calls = 0
        self._lock = threading.Lock()

    def record(self, prompt: str) -> None:
        """Count one call against the benchmark task its prompt names (else as another agent's call)."""
        match = _TASK_RE.search(prompt)
        with self._lock:
            if match:
                self.per_task[int(match.group(1))] += 1
            else:
                self.other_calls += 1

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve on a free loopback port in a background thread; yield the base URL (ending in /v1)."""
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real API
            # Headers and body leave in two writes: with Nagle on, the body waits for the client's delayed ACK
            # (~40 ms on loopback), a fifth of a 200 ms call that is the stand-in's, not the scheduler's.
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                messages = body.get("messages") or [{}]
                stand_in.record(str(messages[-1].get("content", "")))
                time.sleep(stand_in.latency_s)
                reply = json.dumps({
                    "id": "chatcmpl-bench", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model", "gpt-4o-mini"),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": "Benchmark result."}}],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
                }).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *_args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.request_queue_size = 1024
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/v1"
        finally:
            server.shutdown()
            server.server_close()


def exactly_once(per_task: Counter[int], tasks: int) -> list[str]:
    """What breaks "every task 1..tasks called the LLM exactly once": one line per fault, empty when it holds."""
    faults = [f"task {i} called {per_task.get(i, 0)} times" for i in range(1, tasks + 1) if per_task.get(i, 0) != 1]
    faults += [f"unknown task {i} called" for i in sorted(per_task) if not 1 <= i <= tasks]
    return faults


def _scheduler_env(url: str, llm_url: str, workers: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPS_", "OPENAI_", "SCHED_"))}
    env.update(DATABASE_URL=url, OPENAI_API_KEY="bench-not-a-key", OPENAI_BASE_URL=llm_url,
               OPS_WORKER_COUNT=str(workers), HOSS_LOG_LEVEL="WARNING")
    return env


def _stop(procs: list[subprocess.Popen]) -> list[int]:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    codes = []
    for proc in procs:
        try:
            codes.append(proc.wait(timeout=30))
        except subprocess.TimeoutExpired:
            proc.kill()
            codes.append(proc.wait())
    return codes


def run_processes(args: argparse.Namespace) -> dict[str, Any]:
    """P scheduler processes × N slots drain T tasks at L ms; efficiency = ceil(T/(N·P))·L / span from task data."""
    from sqlalchemy import text

    from bench.ops import seed_tasks
    from bench.support import scratch_database
    from core.config.settings import load_settings
    from db.engine import make_engine

    n, p, t, latency = args.workers, args.processes, args.tasks, args.latency_ms / 1000
    llm = ThreadedStandInLLM(latency)
    with scratch_database(load_settings()) as url, llm.serve() as llm_url:
        seed_tasks(url, t)
        engine = make_engine(url, pool_size=1)
        launched = time.time()
        cmd = [sys.executable, "-m", "core", "scheduler"]
        procs = [subprocess.Popen(cmd, env=_scheduler_env(url, llm_url, n), stdin=subprocess.DEVNULL)
                 for _ in range(p)]
        try:
            deadline = time.monotonic() + _START_TIMEOUT_S + t * latency * 4
            settled = 0
            while time.monotonic() < deadline and all(proc.poll() is None for proc in procs):
                with engine.connect() as conn:
                    settled = conn.execute(text(_SETTLED_SQL)).scalar_one()
                if settled >= t:
                    break
                time.sleep(0.1)
        finally:
            codes = _stop(procs)
        with engine.connect() as conn:
            done, total, span, first_start = conn.execute(text(_SPAN_SQL)).one()
            per_process = conn.execute(text(_PER_PROCESS_SQL)).all()
        engine.dispose()
    ideal = math.ceil(t / (n * p)) * latency
    span = float(span or 0.0)
    faults = exactly_once(llm.per_task, t)
    return {
        "tasks": t, "workers": n, "processes": p, "latency_ms": args.latency_ms, "done": done,
        "llm_calls": sum(llm.per_task.values()), "other_llm_calls": llm.other_calls,
        "exactly_once": not faults, "faults": faults[:10], "ideal_s": round(ideal, 3), "span_s": round(span, 3),
        "efficiency": round(ideal / span, 3) if span else 0.0,
        "startup_s": round(float(first_start) - launched, 3) if first_start is not None else None,
        "exit_codes": codes,
        "per_process": [{"tasks": k, "first_start_s": round(float(a) - launched, 3),
                         "last_done_s": round(float(b) - launched, 3)} for _pid, k, a, b in per_process
                        if a is not None and b is not None],
    }
