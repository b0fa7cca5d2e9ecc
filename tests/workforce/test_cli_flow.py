"""The issue's walk-through from the shell against the stand-in OpenAI server: hire, task add, run-agent ops,
task show --json, review revise, run again, review approve."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.workforce.conftest import make_customer, prompt_of, step_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_hire_add_run_show_revise_approve_from_the_shell(db_url, session, fake, llm_url):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": db_url, "OPENAI_API_KEY": "sk-test-not-real",
           "OPENAI_BASE_URL": f"{llm_url}/v1"}

    def cli(*args: str) -> str:
        out = subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return out.stdout

    cid = make_customer(session)
    cli("hire", "research-analyst", "--name", "Ada", "--review")
    task_id = int(cli("task", "add", "--customer", str(cid), "--agent", "Ada",
                      "Market map of dental SaaS in Germany").split()[1])
    cli("run-agent", "ops")
    shown = json.loads(cli("task", "show", str(task_id), "--json"))
    assert shown["status"] == "needs_review" and len(shown["steps"]) == 4 and shown["agent"] == "Ada"
    assert shown["cost_cents"] == sum(s["cost_cents"] for s in shown["steps"])
    assert all(s["artifact"] and s["input_tokens"] == 120 and s["output_tokens"] == 80 for s in shown["steps"])
    cli("review", str(task_id), "revise", "--note", "add pricing tiers")
    before = fake.calls
    cli("run-agent", "ops")
    assert [step_of(b) for b in fake.requests[before:]] == ["synthesize", "self-check"]
    assert all("add pricing tiers" in prompt_of(b) for b in fake.requests[before:])
    cli("review", str(task_id), "approve")
    session.rollback()
    deliveries = session.execute(text("SELECT count(*) FROM action_proposals WHERE action_type = 'deliver'")).scalar()
    assert deliveries == 1
    assert "synthesize" in cli("task", "show", str(task_id))
