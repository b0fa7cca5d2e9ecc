"""Issue 30's "What it must show", line by line, through the shell (`python -m core ...`) against the
OpenAI-compatible stand-in on real Postgres; the Ops pool drains the tasks as the scheduler would.

1. a JSON step's request carries a json_schema response format;
2. a revise note on customer A's task (`review ID revise --note ...`) reaches the prompts of A's next task and
   of no task of customer B;
3. `memory list --customer A --json` lists it with an id;
4. after `memory forget ID`, A's next task's prompts no longer carry it;
5. `eval copywriter --json` runs >= 10 cases and prints a JSON object with cases, pass_rate (0-1) and cost_cents.

"Workflows, review, delivery, hours and crash resume keep working" is tests/workforce as it stands.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.app.cli import main
from core.memory.prompt import LESSONS_HEADING
from core.ops.pool import OpsPool
from tests.evals.answers import stand_in_reply
from tests.ops_helpers import openai_settings
from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI
from tests.workforce.conftest import make_customer, prompt_of, step_of

ROOT = Path(__file__).resolve().parents[2]
NOTE = "Always quote prices in euros, never dollars"


@dataclass(frozen=True)
class Story:
    """Customers A and B, and A's first task (revised with NOTE)."""

    a: int
    b: int
    first_task: int


def _shell(capsys, *argv: str) -> str:
    """One CLI command in this process; its stdout (it must exit 0)."""
    capsys.readouterr()
    assert main(list(argv)) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def _add_task(capsys, customer_id: int, description: str = "Pricing page copy") -> int:
    out = _shell(capsys, "task", "add", description, "--customer", str(customer_id), "--agent", "Ada",
                 "--reward-cents", "500")
    return int(re.match(r"Task (\d+) added", out).group(1))


def _drain(ctx, settings, llm_url) -> None:
    OpsPool(ctx.sessions, openai_settings(settings, llm_url), max_workers=1).run_until_idle()


def _prompts_since(fake, since: int) -> list[str]:
    return [prompt_of(body) for body in fake.requests[since:]]


@pytest.fixture
def story(cli_env, ctx, session, settings, fake, llm_url, capsys) -> Story:
    """Ada (a research analyst, reviewed) hired from the shell; A's first task done, then revised with NOTE."""
    _shell(capsys, "hire", "research-analyst", "--name", "Ada", "--model", "gpt-4o-mini")
    a = make_customer(session, "Alpha GmbH", "a@alpha.example")
    b = make_customer(session, "Beta SA", "b@beta.example")
    first = _add_task(capsys, a, "Market map")
    _drain(ctx, settings, llm_url)
    _shell(capsys, "review", str(first), "revise", "--note", NOTE)
    _drain(ctx, settings, llm_url)
    return Story(a, b, first)


def test_a_json_step_request_carries_its_schema_as_a_strict_json_schema_response_format(story, fake) -> None:
    plan = next(body for body in fake.requests if step_of(body) == "plan")
    fmt = plan["response_format"]
    assert (fmt["type"], fmt["json_schema"]["strict"], fmt["json_schema"]["name"]) == ("json_schema", True,
                                                                                        "ResearchPlan")
    assert fmt["json_schema"]["schema"]["additionalProperties"] is False


def test_a_revise_note_reaches_the_next_task_of_its_customer_and_no_task_of_another(
        story, ctx, settings, fake, llm_url, capsys) -> None:
    before = fake.calls
    _add_task(capsys, story.a)
    _drain(ctx, settings, llm_url)
    a_prompts = _prompts_since(fake, before)
    before = fake.calls
    _add_task(capsys, story.b)
    _drain(ctx, settings, llm_url)
    b_prompts = _prompts_since(fake, before)
    assert a_prompts and all(LESSONS_HEADING in p and NOTE in p for p in a_prompts)
    assert b_prompts and not any(NOTE in p or LESSONS_HEADING in p for p in b_prompts)


def test_memory_list_json_lists_the_revise_note_with_its_id(story, capsys) -> None:
    listed = json.loads(_shell(capsys, "memory", "list", "--customer", str(story.a), "--json"))
    assert [(item["text"], item["source"], item["task_id"]) for item in listed] == [
        (NOTE, "review_note", story.first_task)]
    assert isinstance(listed[0]["id"], int)


def test_after_memory_forget_the_next_task_of_the_customer_no_longer_carries_it(
        story, ctx, settings, fake, llm_url, capsys) -> None:
    lesson_id = json.loads(_shell(capsys, "memory", "list", "--customer", str(story.a), "--json"))[0]["id"]
    _shell(capsys, "memory", "forget", str(lesson_id))
    before = fake.calls
    _add_task(capsys, story.a)
    _drain(ctx, settings, llm_url)
    prompts = _prompts_since(fake, before)
    assert prompts and not any(NOTE in p or LESSONS_HEADING in p for p in prompts)


@pytest.mark.slow
def test_eval_copywriter_json_runs_ten_or_more_cases_and_prints_cases_pass_rate_and_cost(db_url):
    fake = FakeOpenAI(reply=stand_in_reply)  # answers each golden case well, and the judge with a score
    with serve_asgi(fake.app()) as llm_url:
        env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": db_url, "OPENAI_API_KEY": "sk-test-not-real",
               "OPENAI_BASE_URL": f"{llm_url}/v1"}
        out = subprocess.run([sys.executable, "-m", "core", "eval", "copywriter", "--json"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["cases"] >= 10 and 0 <= report["pass_rate"] <= 1 and report["pass_rate"] == 1.0
    assert report["judge"] == "scored" and report["cost_cents"] > 0
    # three steps and one judge call a case, each priced from the stand-in's real usage figures
    assert fake.calls == 4 * report["cases"] and report["cost_cents"] == sum(r["cost_cents"] for r in report["results"])
