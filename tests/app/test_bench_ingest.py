"""`bench ingest` measures both rates in one run and leaves no benchmark rows behind."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bench import run_benchmark
from bench.ingest import FORGED, measure_ingest
from core.config.context import AppContext


def test_ingest_benchmark_accepts_every_event_reports_a_ratio_and_cleans_up(ctx: AppContext) -> None:
    result = measure_ingest(ctx, events=30, clients=3)
    assert result.accepted == 30
    assert result.webhook_per_second > 0 and result.raw_inserts_per_second > 0
    assert result.ratio == round(result.webhook_per_second / result.raw_inserts_per_second, 3)
    with ctx.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events")).scalar_one() == 0


def test_ingest_benchmark_checks_repeats_absorbed_forgeries_refused_and_each_event_stored_once(ctx: AppContext) -> None:
    result = measure_ingest(ctx, events=20, clients=2)
    assert (result.stored, result.duplicates, result.duplicates_absorbed) == (20, 20, 20)
    assert (result.forged, result.forged_refused) == (FORGED, FORGED)
    assert result.honest


def test_unknown_benchmark_names_the_choices(ctx: AppContext) -> None:
    with pytest.raises(ValueError, match="choose one of: ingest"):
        run_benchmark(ctx, "nope", [])
