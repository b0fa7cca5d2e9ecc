"""`python -m core bench console`: each console page's server-side render time (AppTest), p50/p95 over runs."""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import text

from core.config.context import AppContext

ROOT = Path(__file__).resolve().parent.parent
GOAL_P95_MS = 200.0


def registered_pages(app: Path = ROOT / "streamlit_app.py") -> list[str]:
    """The page files of the PAGES list in streamlit_app.py, read from its source."""
    for node in ast.walk(ast.parse(app.read_text())):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets):
            return [c.args[0].value for c in node.value.elts  # type: ignore[attr-defined]
                    if isinstance(c, ast.Call) and c.args and isinstance(c.args[0], ast.Constant)]
    raise ValueError(f"{app} has no PAGES list")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))]


def time_page(page: str, runs: int, timeout: float = 120) -> dict[str, Any]:
    """Render `page` once to warm caches, then rerun it `runs` times; return p50/p95 in ms (or the error).

    Reruns of one AppTest session measure what an operator waits for on each interaction; a fresh AppTest
    per run would add ~150 ms of test-harness start-up that a browser session never pays.
    """
    from streamlit.testing.v1 import AppTest

    try:
        at = AppTest.from_file(str(ROOT / page), default_timeout=timeout)
        at.run()
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            at.run()
            samples.append((time.perf_counter() - start) * 1000)
            if at.exception:
                return {"page": page, "error": at.exception[0].value.splitlines()[0]}
    except Exception as exc:  # a missing or broken page is a row of the report, not a crash of the bench
        return {"page": page, "error": f"{type(exc).__name__}: {exc}".splitlines()[0]}
    return {"page": page, "runs": runs, "p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(percentile(samples, 95), 1), "max_ms": round(max(samples), 1),
            "meets_goal": percentile(samples, 95) < GOAL_P95_MS}


def table_sizes(ctx: AppContext) -> dict[str, int]:
    """Row counts of the big tables, so every report says what it ran on."""
    with ctx.engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()  # noqa: S608 - fixed names
                for t in ("tasks", "events", "audit_log", "agent_runs")}


def bench_console(ctx: AppContext, runs: int, pages: list[str] | None = None) -> dict[str, Any]:
    """Time every registered page against the context's database; include the table sizes it ran on."""
    from ui.context import dispose_contexts

    # The pages build their own cached context from DATABASE_URL, exactly as under `streamlit run`.
    os.environ["DATABASE_URL"] = ctx.engine.url.render_as_string(hide_password=False)
    dispose_contexts()
    sizes = table_sizes(ctx)
    results = [time_page(p, runs) for p in (pages or registered_pages())]
    return {"bench": "console", "goal_p95_ms": GOAL_P95_MS, "rows": sizes, "pages": results}


def main(ctx: AppContext, argv: Sequence[str]) -> int:
    """`python -m core bench console [--browser] [--runs N] [--json]`."""
    parser = argparse.ArgumentParser(prog="python -m core bench console")
    parser.add_argument("--browser", action="store_true",
                        help="time-to-content in headless Chromium, as a ratio to a hello-world page")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per page, after one warm-up "
                        "(default 10; 5 with --browser)")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON line")
    args = parser.parse_args(list(argv))
    if args.browser:
        from bench.console_browser import bench_browser, format_browser

        url = ctx.engine.url.render_as_string(hide_password=False)
        try:
            measured = bench_browser(url, max(1, args.runs or 5), registered_pages())
        except RuntimeError as exc:  # no Chromium, a server that did not start, a page showing an exception
            print(f"error: {exc}", file=sys.stderr)
            return 2
        report = {"bench": "console", "rows": table_sizes(ctx), **measured}
        print(json.dumps(report, default=str) if args.json else format_browser(report))
        return 0
    from ui.warm import warm_and_freeze

    warm_and_freeze(ROOT)  # as the web process starts (ui.web), so a rerun meets the heap a visitor's would
    report = bench_console(ctx, max(1, args.runs or 10))
    print(json.dumps(report, default=str) if args.json else format_report(report))
    return 0


def format_report(report: dict[str, Any]) -> str:
    """A plain table for the terminal."""
    lines = ["on " + ", ".join(f"{v:,} {k}" for k, v in report["rows"].items()),
             f"{'page':<28} {'p50 ms':>8} {'p95 ms':>8}  goal p95 < {report['goal_p95_ms']:.0f} ms"]
    for r in report["pages"]:
        if "error" in r:
            lines.append(f"{r['page']:<28} {'—':>8} {'—':>8}  error: {r['error']}")
        else:
            lines.append(f"{r['page']:<28} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f}  {'ok' if r['meets_goal'] else 'SLOW'}")
    return "\n".join(lines)
