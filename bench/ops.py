"""Ops benchmarks: `ops-pool` (pool throughput against the ideal for an LLM of latency L) and `drain`."""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.config.context import AppContext
    from core.config.settings import Settings

# The CLI imports this module to build its parser: everything heavy is imported inside the functions.
_SPAN_SQL = ("""
    SELECT count(*) FILTER (WHERE status = 'done'), count(*),
           extract(epoch FROM max(completed_at) - min(started_at)),
           extract(epoch FROM avg(completed_at - started_at))
    FROM tasks
""")


# --steps N: each task is a hired worker's N-step workflow; the role with that many steps (SPEC §12).
_ROLE_FOR_STEPS = {2: "support-triage", 3: "copywriter", 4: "research-analyst"}


def seed_tasks(url: str, n: int, steps: int = 1) -> None:
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from core.audit import Actor
    from core.workforce.hiring import hire
    from db.engine import make_engine

    engine = make_engine(url, pool_size=1)
    with Session(engine) as session:
        agent = None
        if steps > 1:
            agent = hire(session, _ROLE_FOR_STEPS[steps], "Bench", Actor.system("bench"), review=False).name
        customer = session.execute(text("INSERT INTO customers (company, plan) VALUES ('Bench Corp', 'pro') "
                                        "RETURNING id")).scalar_one()
        session.execute(text("INSERT INTO tasks (customer_id, description, reward_cents, agent) "
                             "SELECT :c, 'Benchmark task ' || g, 80, :a FROM generate_series(1, :n) g"),
                        {"c": customer, "n": n, "a": agent})
        session.commit()
    engine.dispose()


def step_answer(prompt: str) -> str:
    """A valid answer to any workflow step's prompt: the step's example JSON for a json step, else text."""
    import json as _json

    from core.workforce.catalogue import ROLES

    first = prompt.split("\n", 1)[0]
    name = first.split(": ", 1)[1] if first.startswith("Step ") else ""
    for template in ROLES.values():
        for step in template.steps:
            if step.name == name and step.schema is not None:
                return _json.dumps(step.example)
    return "Benchmark result."


def _worker_settings(url: str, llm_url: str | None, workers: int) -> Settings:
    from core.config.settings import Settings

    return Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=url, openai_api_key="bench-not-a-key" if llm_url else None,
        openai_base_url=llm_url, ops_worker_count=workers, ops_daily_budget_cents=None, openai_rpm=None,
        openai_tpm=None, hoss_log_level="WARNING",
    )


def _configure_pool(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=int, default=4, help="slots per replica (OPS_WORKER_COUNT)")
    p.add_argument("--latency-ms", type=int, default=200, help="stand-in LLM latency")
    p.add_argument("--tasks", type=int, default=96, help="pending tasks to drain")
    p.add_argument("--replicas", type=int, default=1, help="pool processes against the same database")
    p.add_argument("--steps", type=int, default=1, choices=(1, *_ROLE_FOR_STEPS),
                   help="LLM calls per task: 1 the Ops prompt; 2-4 a hired worker's workflow of that many steps")
    p.add_argument("--processes", type=int, default=0,
                   help="also drain through this many real `python -m core scheduler` processes (bench/ops_processes)")


def run_ops_pool(args: argparse.Namespace) -> dict[str, Any]:
    """R pool processes × N slots drain T tasks through an LLM answering in L ms; efficiency = ideal / span."""
    from sqlalchemy import text

    from bench.support import StandInLLM, scratch_database
    from core.config.settings import load_settings
    from db.engine import make_engine

    n, r, t, latency, steps = args.workers, args.replicas, args.tasks, args.latency_ms / 1000, args.steps
    llm = StandInLLM(latency, step_answer if steps > 1 else None)
    with scratch_database(load_settings()) as url, llm.serve() as llm_url:
        seed_tasks(url, t, steps)
        cmd = [sys.executable, "-m", "bench.ops", "worker", url, llm_url, str(n)]
        procs = [subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for _ in range(r)]
        for proc in procs:  # every replica imported, connected and warmed before the clock starts
            if (proc.stdout.readline() if proc.stdout else "").strip() != "ready":
                for other in procs:
                    other.kill()
                raise RuntimeError("a benchmark replica did not start (its error is above)")
        started = time.monotonic()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.close()
        reports = [json.loads(proc.stdout.readline() or "{}") for proc in procs if proc.stdout]
        codes = [proc.wait() for proc in procs]
        wall = time.monotonic() - started
        engine = make_engine(url, pool_size=1)
        with engine.connect() as conn:
            done, total, span, mean_task = conn.execute(text(_SPAN_SQL)).one()
        engine.dispose()
    ideal = math.ceil(t / (n * r)) * steps * latency  # every slot busy, each task N calls of L back to back
    span = float(span or 0.0)
    return {
        "tasks": t, "workers": n, "replicas": r, "latency_ms": args.latency_ms, "steps": steps, "done": done,
        "llm_calls": llm.calls, "ideal_s": round(ideal, 3), "span_s": round(span, 3), "wall_s": round(wall, 3),
        "efficiency": round(ideal / span, 3) if span else 0.0, "exit_codes": codes,
        "mean_task_ms": round(float(mean_task or 0) * 1000, 1),
        "replica_cpu_s": [r.get("cpu_s") for r in reports],
    }


def _configure_drain(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tasks", type=int, default=2000, help="tasks to drain (each phase)")
    p.add_argument("--workers", type=int, default=4, help="pool slots for the drain")


def run_drain(args: argparse.Namespace) -> dict[str, Any]:
    """Pool drain rate with an instant (mock) LLM next to the raw claim-and-complete SQL rate, same database."""
    from sqlalchemy import text

    from bench.support import scratch_database
    from core.config.settings import load_settings
    from core.memory.prompt import LESSON_KEYS
    from core.ops.pool import OpsPool
    from core.ops.sql import CLAIM as CLAIM_SQL
    from core.plans.budgets import BUDGET_FACT_KEYS
    from db.engine import make_engine, make_session_factory

    t, n = args.tasks, args.workers
    with scratch_database(load_settings()) as url:
        engine = make_engine(url, pool_size=n + 2)
        seed_tasks(url, t)
        settings = _worker_settings(url, None, n)
        raw_count, started = 0, time.monotonic()
        # The same connection mode as a pool slot (autocommit, same commit durability), one claimer, no Python
        # around it: the claim statement and a bare completion UPDATE in a tight loop.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if settings.ops_async_commit:
                conn.exec_driver_sql("SET synchronous_commit = off")
            while (row := conn.execute(CLAIM_SQL, {"worker": "raw", "lease": 60, "task_id": None,
                                                        **BUDGET_FACT_KEYS, **LESSON_KEYS}).first()) is not None:
                conn.execute(text("UPDATE tasks SET status = 'done', completed_at = now(), lease_expires_at = NULL "
                                  "WHERE id = :id"), {"id": row.id})
                raw_count += 1
        raw_s = time.monotonic() - started
        seed_tasks(url, t)
        started = time.monotonic()
        summary = OpsPool(make_session_factory(engine), settings, "drain").run_until_idle()
        pool_s = time.monotonic() - started
        engine.dispose()
    raw_rate, pool_rate = raw_count / raw_s, summary.finished / pool_s
    return {
        "tasks": t, "workers": n, "raw_claim_complete_per_s": round(raw_rate, 1),
        "drain_tasks_per_s": round(pool_rate, 1), "ratio": round(pool_rate / raw_rate, 3), "done": summary.finished,
    }


def run_ops_pool_cli(args: argparse.Namespace) -> dict[str, Any]:
    """`ops-pool`; with --processes P the scheduler-process figure and the in-process one (P replicas) side by side."""
    if args.processes <= 0:
        return run_ops_pool(args)
    from bench.ops_processes import run_processes

    if args.steps != 1:
        raise SystemExit("error: --processes runs one-step tasks only (--steps 1)")
    through = run_processes(args)
    in_process = run_ops_pool(argparse.Namespace(**{**vars(args), "replicas": args.processes}))
    return {**through, "in_process": in_process,
            "ratio_to_in_process": round(through["efficiency"] / in_process["efficiency"], 3)
            if in_process["efficiency"] else 0.0}


def _headline_pool(f: dict[str, Any]) -> str:
    if "in_process" not in f:
        return (f"ops-pool: {f['done']}/{f['tasks']} done, {f['llm_calls']} LLM calls, span {f['span_s']}s "
                f"vs ideal {f['ideal_s']}s → efficiency {f['efficiency']}")
    i = f["in_process"]
    once = "each task called once" if f["exactly_once"] else "NOT exactly once: " + "; ".join(f["faults"])
    return (f"ops-pool --processes {f['processes']}: {f['done']}/{f['tasks']} done, {once}, span {f['span_s']}s "
            f"vs ideal {f['ideal_s']}s → efficiency {f['efficiency']} (start-up {f['startup_s']}s); "
            f"in-process {i['efficiency']} → ratio {f['ratio_to_in_process']}")


def _cli(name: str, configure, run, headline):  # noqa: ANN001, ANN202 - the two benchmarks below
    def main(_ctx: AppContext, argv: Sequence[str]) -> int:
        parser = argparse.ArgumentParser(prog=f"python -m core bench {name}")
        configure(parser)
        parser.add_argument("--json", action="store_true", help="print one JSON line")
        args = parser.parse_args(list(argv))
        figures = {"bench": name, **run(args)}
        print(json.dumps(figures) if args.json else headline(figures))
        return 0

    return main


main_ops_pool = _cli("ops-pool", _configure_pool, run_ops_pool_cli, _headline_pool)
main_drain = _cli(
    "drain", _configure_drain, run_drain,
    lambda f: (f"drain: {f['drain_tasks_per_s']} tasks/s vs raw {f['raw_claim_complete_per_s']}/s "
               f"→ ratio {f['ratio']}"),
)


def _worker(url: str, llm_url: str, workers: int) -> int:
    """One ops-pool replica: connect and warm up, say `ready`, wait for `go`, drain, print its counts."""
    from core.ops.pool import OpsPool
    from core.tracing.setup import setup_tracing, shutdown_tracing
    from db.engine import make_engine, make_session_factory

    settings = _worker_settings(url, llm_url, workers)
    setup_tracing(settings)  # OTEL_EXPORTER_OTLP_ENDPOINT set: the replica's tasks are traced, as in production
    engine = make_engine(url, pool_size=workers + 2)
    warm = [engine.connect() for _ in range(workers + 1)]
    for conn in warm:
        conn.close()
    pool = OpsPool(make_session_factory(engine), settings, "bench")
    print("ready", flush=True)
    sys.stdin.readline()
    cpu = time.process_time()
    summary = pool.run_until_idle()
    print(json.dumps({**summary.counts, "cpu_s": round(time.process_time() - cpu, 3)}), flush=True)
    shutdown_tracing()
    engine.dispose()
    return 0


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "worker":
    sys.exit(_worker(sys.argv[2], sys.argv[3], int(sys.argv[4])))
