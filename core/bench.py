"""Benchmarks (`python -m core bench NAME [args]`): a registry of name -> runner; each lives in its own module."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from core.context import AppContext

Benchmark = Callable[[AppContext, Sequence[str]], int]


def _ingest(ctx: AppContext, argv: Sequence[str]) -> int:
    from core.bench_ingest import main

    return main(ctx, argv)


def _console(ctx: AppContext, argv: Sequence[str]) -> int:
    from core.bench_console import main

    return main(ctx, argv)


def _canvas(ctx: AppContext, argv: Sequence[str]) -> int:
    from core.bench_canvas import main

    return main(ctx, argv)


def _ops_pool(ctx: AppContext, argv: Sequence[str]) -> int:
    from core.bench_ops import main_ops_pool

    return main_ops_pool(ctx, argv)


def _drain(ctx: AppContext, argv: Sequence[str]) -> int:
    from core.bench_ops import main_drain

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
