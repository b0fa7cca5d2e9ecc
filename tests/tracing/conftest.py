"""Tracing fixtures: the stand-in OTLP collector, and tracing turned on at it for one test (flushed at its end)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.config.settings import Settings
from core.tracing.setup import setup_tracing, shutdown_tracing
from tests.standins.otlp_collector import Collector, serve_collector


@pytest.fixture
def collector() -> Iterator[tuple[Collector, str]]:
    with serve_collector() as pair:
        yield pair


@pytest.fixture
def tracing(collector: tuple[Collector, str], settings: Settings) -> Iterator[tuple[Collector, Settings]]:
    """Tracing on in this process, exporting to the collector; `shutdown_tracing()` in a test flushes early."""
    traced = settings.model_copy(update={"otel_exporter_otlp_endpoint": collector[1]})
    assert setup_tracing(traced)
    try:
        yield collector[0], traced
    finally:
        shutdown_tracing()
