"""Benchmarks (`python -m core bench NAME [args]`): a registry of name -> runner; each lives in its own module.

They sit outside core/ because the console benchmark drives the Streamlit pages, which core never imports.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from core.config.context import AppContext
from core.config.settings import ConfigError, load_settings

Benchmark = Callable[[AppContext, Sequence[str]], int]


def _ingest(ctx: AppContext, argv: Sequence[str]) -> int:
    from bench.ingest import main

    return main(ctx, argv)


def _console(ctx: AppContext, argv: Sequence[str]) -> int:
    from bench.console import main

    return main(ctx, argv)


def _canvas(ctx: AppContext, argv: Sequence[str]) -> int:
    from bench.canvas import main

    return main(ctx, argv)


def _ops_pool(ctx: AppContext, argv: Sequence[str]) -> int:
    from bench.ops import main_ops_pool

    return main_ops_pool(ctx, argv)


def _drain(ctx: AppContext, argv: Sequence[str]) -> int:
    from bench.ops import main_drain

    return main_drain(ctx, argv)


# name -> runner taking the context and the remaining arguments; returns the exit code.
BENCHMARKS: dict[str, Benchmark] = {
    "ingest": _ingest,
    "console": _console,
    "canvas": _canvas,
    "ops-pool": _ops_pool,
    "drain": _drain,
}


def run_benchmark(ctx: AppContext, name: str, argv: Sequence[str]) -> int:
    """Run the benchmark called `name`; ValueError naming the choices when there is none."""
    try:
        bench = BENCHMARKS[name]
    except KeyError:
        raise ValueError(f"unknown benchmark {name!r}; choose one of: {', '.join(BENCHMARKS)}") from None
    return bench(ctx, argv)


def main(argv: Sequence[str]) -> int:
    """`python -m bench NAME [args]`: bootstrap the context and run one benchmark; a bad name or setting is one line."""
    if not argv or argv[0] not in BENCHMARKS:
        got = repr(argv[0]) if argv else "none"
        print(f"error: unknown benchmark {got}; choose one of: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    from core.app.context import bootstrap
    from db.embedded import EmbeddedPostgresError
    from db.engine import DatabaseUnavailable

    try:
        ctx = bootstrap(load_settings())
    except (ConfigError, DatabaseUnavailable, EmbeddedPostgresError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return run_benchmark(ctx, argv[0], argv[1:])
