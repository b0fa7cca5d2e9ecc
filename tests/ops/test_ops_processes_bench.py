"""`python -m core bench ops-pool --processes P` end to end through real scheduler processes, and its once-check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest

from bench.ops_processes import ThreadedStandInLLM, exactly_once

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_processes_bench_drains_every_task_through_scheduler_processes_once_each(pg_admin_url):
    env = dict(os.environ, DATABASE_URL=pg_admin_url)
    out = subprocess.run([sys.executable, "-m", "core", "bench", "ops-pool", "--processes", "2", "--workers", "2",
                          "--tasks", "16", "--latency-ms", "50", "--json"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=240, check=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert (figures["done"], figures["llm_calls"], figures["exactly_once"], figures["faults"]) == (16, 16, True, [])
    assert (figures["processes"], figures["ideal_s"], figures["exit_codes"]) == (2, 0.2, [0, 0])
    assert figures["in_process"]["done"] == 16 and figures["startup_s"] is not None


def test_exactly_once_check_names_a_task_called_twice_and_one_never_called():
    assert exactly_once(Counter({1: 2, 3: 1}), 3) == ["task 1 called 2 times", "task 2 called 0 times"]


def test_exactly_once_check_names_a_call_for_a_task_that_was_not_seeded():
    assert exactly_once(Counter({1: 1, 2: 1, 9: 1}), 2) == ["unknown task 9 called"]


def test_threaded_stand_in_counts_each_call_against_the_task_its_prompt_names():
    llm = ThreadedStandInLLM(0)
    with llm.serve() as url:
        for prompt in ("Task: Benchmark task 7\nCustomer: x", "Task: Benchmark task 7", "no task here"):
            reply = httpx.post(f"{url}/chat/completions", timeout=5,
                               json={"model": "m", "messages": [{"role": "user", "content": prompt}]})
            assert reply.status_code == 200
    assert (llm.per_task, llm.other_calls) == (Counter({7: 2}), 1)
