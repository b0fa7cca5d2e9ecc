"""`python -m core bench NAME`: a small registry of benchmarks; each slice registers its own."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import Any

from core.context import AppContext

Bench = Callable[[AppContext, argparse.Namespace], dict[str, Any]]
# name -> module that defines `run(ctx, args) -> dict` (imported lazily so one bench's imports stay its own).
BENCHES: dict[str, str] = {
    "canvas": "core.bench_canvas",
}


def run_bench(ctx: AppContext, name: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run benchmark `name` and return its figures (a JSON-able dict)."""
    if name not in BENCHES:
        raise KeyError(f"unknown bench {name!r}; choose one of: {', '.join(BENCHES)}")
    module = importlib.import_module(BENCHES[name])
    return module.run(ctx, args)


def render(name: str, figures: dict[str, Any]) -> str:
    """A benchmark's figures as text (the module's own `render` when it has one)."""
    module = importlib.import_module(BENCHES[name])
    return module.render(figures) if hasattr(module, "render") else "\n".join(f"{k}: {v}" for k, v in figures.items())
