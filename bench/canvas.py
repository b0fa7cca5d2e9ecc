"""Canvas latency: each whitelisted function's p50/p95 on the configured database, and the database size."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text

from core.analytics import WHITELIST, run_analytics
from core.config.context import AppContext

TARGET_P95_MS = 300.0


def _percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def run(ctx: AppContext, args: argparse.Namespace) -> dict[str, Any]:
    """Time every whitelisted function (default params, plus a warm-up run) `args.runs` times."""
    runs = max(1, int(getattr(args, "runs", None) or 20))
    timeout = ctx.settings.canvas_statement_timeout_ms
    functions: dict[str, Any] = {}
    for name in WHITELIST:
        try:
            run_analytics(ctx.engine, name, {}, timeout_ms=timeout)  # warm the pool and the plan cache
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                result = run_analytics(ctx.engine, name, {}, timeout_ms=timeout)
                samples.append((time.perf_counter() - started) * 1000)
        except Exception as exc:  # a timeout is a result of the bench, not a crash of it
            functions[name] = {"p50_ms": None, "p95_ms": None, "rows": 0, "error": str(exc).splitlines()[0]}
            continue
        functions[name] = {
            "p50_ms": round(statistics.median(samples), 1), "p95_ms": round(_percentile(samples, 95), 1),
            "rows": len(result.rows), "params": result.params,
        }
    with ctx.engine.connect() as conn:
        size = int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar() or 0)
        tasks = int(conn.execute(text("SELECT count(*) FROM tasks")).scalar() or 0)
        events = int(conn.execute(text("SELECT count(*) FROM events")).scalar() or 0)
    worst = max((f["p95_ms"] if f["p95_ms"] is not None else float(timeout)) for f in functions.values())
    return {
        "bench": "canvas", "runs": runs, "database_bytes": size, "database_size": _human(size),
        "tasks": tasks, "events": events, "functions": functions, "worst_p95_ms": worst,
        "target_p95_ms": TARGET_P95_MS, "worst_p95_over_target": round(worst / TARGET_P95_MS, 3),
    }


def render(figures: dict[str, Any]) -> str:
    """The figures as a table."""
    lines = [f"canvas bench: {figures['runs']} runs per function on {figures['database_size']} "
             f"({figures['tasks']} tasks, {figures['events']} events)",
             f"{'function':<22}{'p50 ms':>10}{'p95 ms':>10}{'rows':>8}"]
    for name, f in figures["functions"].items():
        if f.get("error"):
            lines.append(f"{name:<22}  error: {f['error']}")
            continue
        lines.append(f"{name:<22}{f['p50_ms']:>10.1f}{f['p95_ms']:>10.1f}{f['rows']:>8}")
    lines.append(f"worst p95 {figures['worst_p95_ms']:.1f} ms = {figures['worst_p95_over_target']:.2f} × the "
                 f"{figures['target_p95_ms']:.0f} ms target")
    return "\n".join(lines)


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1024:
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"


def main(ctx: AppContext, argv: Sequence[str]) -> int:
    """`python -m core bench canvas [--runs N] [--json]`."""
    parser = argparse.ArgumentParser(prog="python -m core bench canvas")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per function (after one warm-up)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args(list(argv))
    figures = run(ctx, args)
    print(json.dumps(figures, default=str) if args.json else render(figures))
    return 0
