"""`python -m core bench NAME`: a tiny registry of benchmarks; each slice registers its own with @benchmark."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import Any

Bench = Callable[[argparse.Namespace], dict[str, Any]]
BENCHES: dict[str, Bench] = {}
# Modules that register benchmarks when imported (kept lazy so `--help` stays fast).
BENCH_MODULES = ["core.bench_console"]


def benchmark(name: str) -> Callable[[Bench], Bench]:
    """Register `fn(args) -> dict` as `python -m core bench <name>`."""
    def register(fn: Bench) -> Bench:
        BENCHES[name] = fn
        return fn

    return register


def load_benches() -> dict[str, Bench]:
    """Import every benchmark module and return the registry."""
    for module in BENCH_MODULES:
        importlib.import_module(module)
    return BENCHES
