"""Quiet, honest run history and logs: idle polls leave no run row and log at DEBUG; JSON lines on request."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from core.agents.events import run_event_processor
from core.events.webhooks import store_stripe_event
from core.scheduling.scheduler import Scheduler
from tests.standins.stripe_events import payment_failed

ROOT = Path(__file__).resolve().parents[2]


def _runs(session) -> int:
    return session.execute(text("SELECT count(*) FROM agent_runs")).scalar_one()


def test_a_failed_event_waiting_out_its_backoff_adds_no_run_row(session, settings) -> None:
    settings = settings.model_copy(update={"events_retry_base_seconds": 3600})
    session.execute(text("INSERT INTO settings (key, value) VALUES ('spend_alert_threshold_pct', '\"ten\"')"))
    store_stripe_event(session, payment_failed("in_a"))
    run_event_processor(session, settings)  # fails in analyze_spend: retried in an hour
    assert session.execute(text("SELECT status FROM events")).scalar_one() == "failed"
    before = _runs(session)
    for _ in range(3):  # three scheduled polls during the backoff
        result = run_event_processor(session, settings, trigger="schedule")
        assert (result.status, result.run_id) == ("skipped", 0)
    assert _runs(session) == before


def test_an_idle_poll_logs_at_debug_not_info(ctx, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="hoss.scheduler"):
        Scheduler(ctx, agents=("events",))._run("events")
    lines = [r for r in caplog.records if "events: skipped" in r.getMessage()]
    assert [r.levelno for r in lines] == [logging.DEBUG]


def test_json_log_format_writes_one_object_per_line(db_url: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "core", "run-agent", "bizdev"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "DATABASE_URL": db_url, "HOSS_LOG_FORMAT": "json"})
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stderr.splitlines() if line.strip()]
    assert lines and all({"ts", "level", "logger", "message"} <= set(line) for line in lines)
    assert any(line["logger"] == "hoss.agents" and "[bizdev]" in line["message"] for line in lines)
