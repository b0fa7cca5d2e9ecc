"""`python -m core bench NAME ...`: a small registry of named benchmarks that report ratios measured in one run."""

from __future__ import annotations

import argparse
import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Modules that register benchmarks when imported; each slice adds its own line.
BENCHMARK_MODULES = [
    "core.bench_ops",
]


@dataclass(frozen=True)
class Benchmark:
    """A named benchmark: how to add its options, and how to run it (returns a flat dict of figures)."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], dict[str, Any]]
    headline: Callable[[dict[str, Any]], str]


BENCHMARKS: dict[str, Benchmark] = {}


def register(benchmark: Benchmark) -> Benchmark:
    """Add a benchmark to the registry (imported modules call this)."""
    BENCHMARKS[benchmark.name] = benchmark
    return benchmark


def _load() -> None:
    for module in BENCHMARK_MODULES:
        importlib.import_module(module)


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    """Add `bench <name> [options] [--json]` to the CLI's subcommands."""
    _load()
    parser = sub.add_parser("bench", help="run a benchmark: " + ", ".join(sorted(BENCHMARKS)))
    names = parser.add_subparsers(dest="bench_name", required=True)
    for bench in BENCHMARKS.values():
        p = names.add_parser(bench.name, help=bench.help)
        bench.configure(p)
        p.add_argument("--json", action="store_true", help="print one JSON line")


def run_bench(args: argparse.Namespace) -> int:
    """Run the chosen benchmark; print its figures (one JSON line with --json)."""
    _load()
    bench = BENCHMARKS[args.bench_name]
    figures = {"bench": bench.name, **bench.run(args)}
    if args.json:
        print(json.dumps(figures, sort_keys=False))
    else:
        for key, value in figures.items():
            print(f"  {key:<28} {value}")
        print(bench.headline(figures))
    return 0
