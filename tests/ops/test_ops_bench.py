"""`python -m core bench ops-pool|drain --json` end to end, on a scratch database of the test server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _bench(pg_admin_url: str, *args: str) -> dict:
    env = dict(os.environ, DATABASE_URL=pg_admin_url)
    out = subprocess.run([sys.executable, "-m", "core", "bench", *args, "--json"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120, check=True)
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1, out.stdout
    return json.loads(lines[0])


@pytest.mark.slow
def test_ops_pool_bench_drains_every_task_with_one_call_each(pg_admin_url):
    figures = _bench(pg_admin_url, "ops-pool", "--workers", "2", "--latency-ms", "20", "--tasks", "8",
                     "--replicas", "2")
    assert (figures["bench"], figures["done"], figures["llm_calls"], figures["exit_codes"]) == ("ops-pool", 8, 8, [0, 0])
    assert figures["ideal_s"] == 0.04 and figures["efficiency"] > 0


@pytest.mark.slow
def test_drain_bench_reports_both_rates(pg_admin_url):
    figures = _bench(pg_admin_url, "drain", "--tasks", "40", "--workers", "2")
    assert (figures["bench"], figures["done"]) == ("drain", 40)
    assert figures["raw_claim_complete_per_s"] > 0 and figures["drain_tasks_per_s"] > 0


@pytest.mark.slow
def test_ops_pool_bench_with_steps_runs_each_task_as_a_workflow(pg_admin_url):
    figures = _bench(pg_admin_url, "ops-pool", "--workers", "2", "--latency-ms", "20", "--tasks", "4",
                     "--replicas", "1", "--steps", "3")
    assert (figures["done"], figures["llm_calls"], figures["steps"]) == (4, 12, 3)
    assert figures["ideal_s"] == 0.12 and figures["efficiency"] > 0
