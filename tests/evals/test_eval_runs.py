"""`eval ROLE` runs a golden set through the task runner, stores the run, books its spend, and creates no work."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from core.audit import Actor
from core.config.store import set_daily_budget_cents
from core.errors import Forbidden
from core.evals.run import run_eval
from core.ops.budget import spend_today_cents
from core.ops.runner import TaskRunner
from core.workforce.hiring import hire
from tests.ops_helpers import openai_settings

ROOT = Path(__file__).resolve().parents[2]
OWNER = Actor.user("tester")


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, env={"PATH": "/usr/bin:/bin", **env},
                          capture_output=True, text=True, timeout=180)


def test_eval_in_mock_mode_runs_the_checks_on_the_mock_answers_and_skips_the_judge(db_url):
    out = _cli({"DATABASE_URL": db_url}, "eval", "copywriter", "--json", "--cases", "2")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["cases"] == 2 and report["judge"] == "skipped" and report["cost_cents"] == 0
    assert 0 <= report["pass_rate"] <= 1 and all(r["judge_score"] is None for r in report["results"])


def test_eval_exits_1_under_its_gate_and_names_the_failures(db_url):
    out = _cli({"DATABASE_URL": db_url}, "eval", "bookkeeper", "--cases", "2", "--gate", "0.9")
    assert out.returncode == 1, out.stderr
    assert "Under the gate" in out.stdout and "failed bookkeeper-01-cafe-march: " in out.stdout


def test_an_eval_run_and_its_cases_are_stored_and_audited(session, settings):
    report = run_eval(session, settings, "sdr", OWNER, cases=3)
    runs = session.execute(text("SELECT role, cases, passed, finished_at IS NOT NULL AS done FROM eval_runs")).all()
    assert [(r.role, r.cases, r.passed, r.done) for r in runs] == [("sdr", 3, report.passed, True)]
    assert session.execute(text("SELECT count(*) FROM eval_results WHERE run_id = :r"),
                           {"r": report.run_id}).scalar() == 3
    assert session.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'eval_run' AND entity_id = :r"),
                           {"r": str(report.run_id)}).scalar() == 1


def test_an_eval_creates_no_task_and_books_its_spend_as_llm_usage(session, settings, llm_url):
    runner = TaskRunner(openai_settings(settings, llm_url))
    report = run_eval(session, runner.settings, "support-triage", OWNER, cases=2, runner=runner)
    assert session.execute(text("SELECT count(*) FROM tasks")).scalar() == 0
    booked = session.execute(text("SELECT coalesce(sum(amount_cents), 0) FROM ledger_entries "
                                  "WHERE category = 'llm' AND source = 'llm_usage' AND ref LIKE 'eval:%'")).scalar()
    assert booked == report.cost_cents > 0
    assert spend_today_cents(session) == report.cost_cents


def test_an_eval_stops_before_a_call_once_the_daily_budget_is_reached(session, settings, fake, llm_url):
    set_daily_budget_cents(session, 1, OWNER)
    session.commit()
    runner = TaskRunner(openai_settings(settings, llm_url))
    report = run_eval(session, runner.settings, "copywriter", OWNER, cases=3, runner=runner)
    assert report.stopped == "the daily LLM budget is reached"
    assert report.cost_cents >= 1 and fake.calls < 4 * 3


def test_a_workers_eval_runs_its_version_and_refuses_another_role(session, settings):
    hire(session, "copywriter", "Cora", OWNER, tone="dry, witty")
    session.commit()
    report = run_eval(session, settings, None, OWNER, worker="Cora", cases=1)
    assert (report.role, report.worker, report.version) == ("copywriter", "Cora", 1)
    with pytest.raises(Exception, match="Cora is a copywriter, not a bookkeeper"):
        run_eval(session, settings, "bookkeeper", OWNER, worker="Cora", cases=1)


def test_a_viewer_may_not_run_an_eval(session, settings):
    from core.approvals.operators import add_operator

    add_operator(session, "olga", "owner", OWNER)
    add_operator(session, "vic", "viewer", Actor.user("olga"))
    session.commit()
    with pytest.raises(Forbidden, match="cannot run evals"):
        run_eval(session, settings, "copywriter", Actor.user("vic"), cases=1)
