"""`python -m core ask` from the shell, against the test database, in a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from core.config.context import AppContext
from tests.canvas_dataset import load_canvas_dataset

ROOT = Path(__file__).resolve().parents[2]


def run_cli(db_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DATABASE_URL"))}
    env["DATABASE_URL"] = db_url
    return subprocess.run([sys.executable, "-m", "core", "ask", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_ask_json_on_stdin_prints_one_object_per_question(ctx: AppContext, db_url: str) -> None:
    load_canvas_dataset(ctx.engine)
    questions = "which customers brought in the most money?\n\nDROP TABLE tasks\nhow long will the money last\n"
    proc = run_cli(db_url, stdin=questions)
    assert proc.returncode == 0, proc.stderr
    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [a["function"] for a in answers] == ["revenue_by_customer", None, "runway_estimate"]
    first = answers[0]
    assert first["params"]["period"] == "all_time"
    assert first["rows"][0] == {"customer_id": 2, "customer": "Globex", "invoices": 2, "invoiced_cents": 24000,
                                "paid_cents": 20000, "refunded_cents": 0, "unpaid_cents": 4000, "amount_cents": 24000}
    assert "message" in answers[1] and "revenue_by_customer" in answers[1]["message"]
    assert answers[2]["rows"][0]["cash_balance_cents"] == 100000


def test_ask_json_with_a_question_argument(ctx: AppContext, db_url: str) -> None:
    load_canvas_dataset(ctx.engine)
    proc = run_cli(db_url, "failed payments all time", "--json")
    answer = json.loads(proc.stdout)
    assert answer["function"] == "failed_payments"
    assert [r["customer"] for r in answer["rows"]] == ["Hooli", "Acme", "(unknown)"]
    assert answer["rows"][0]["occurred_at"] == "2026-06-07T00:00:00+00:00"


def test_ask_prints_function_params_and_table(ctx: AppContext, db_url: str) -> None:
    load_canvas_dataset(ctx.engine)
    proc = run_cli(db_url, "top 2 customers by revenue")
    assert proc.returncode == 0, proc.stderr
    assert "function: revenue_by_customer" in proc.stdout and "limit=2" in proc.stdout
    assert "Globex" in proc.stdout and "Initech" not in proc.stdout


def test_ask_an_unanswerable_question_says_what_it_can_answer(db_url: str) -> None:
    proc = run_cli(db_url, "write a poem")
    assert proc.returncode == 1 and "runway_estimate" in proc.stdout
