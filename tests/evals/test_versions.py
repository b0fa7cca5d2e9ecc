"""Versioned worker instructions: hire is version 1, each step records its version, an edit is a new version that
is evaluated at once and compared with the old, and rollback restores the old one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from core.audit import Actor
from core.errors import InvalidInput
from core.evals.instructions import edit_and_evaluate
from core.ops.pool import OpsPool
from core.workforce.hiring import edit_worker, get_worker, hire
from core.workforce.intake import add_task_checked
from core.workforce.versions import current_instructions, list_versions, new_version, rollback
from core.workforce.views import task_detail, task_json
from tests.ops_helpers import openai_settings
from tests.workforce.conftest import make_customer, prompt_of, step_of

ROOT = Path(__file__).resolve().parents[2]
OWNER = Actor.user("tester")


def _task(session, name: str) -> int:
    task_id, _ = add_task_checked(session, customer_id=make_customer(session), description="Spring newsletter intro",
                                  reward_cents=500, agent=name, actor=OWNER)
    session.commit()
    return task_id


def test_a_hired_worker_runs_version_one_of_its_hire(session):
    hire(session, "copywriter", "Cora", OWNER, tone="dry, witty")
    session.commit()
    v = current_instructions(session, "Cora")
    assert (v.version, v.tone, v.step_prompts) == (1, "dry, witty", ())


def test_each_step_records_the_version_it_ran(ctx, session, settings, fake, llm_url):
    hire(session, "copywriter", "Cora", OWNER)
    new_version(session, "Cora", OWNER, tone="brisk")
    session.commit()
    task_id = _task(session, "Cora")
    OpsPool(ctx.sessions, openai_settings(settings, llm_url), max_workers=1).run_until_idle()
    versions = session.execute(text("SELECT version FROM task_steps WHERE task_id = :t"), {"t": task_id}).scalars()
    assert list(versions) == [2, 2, 2]
    assert [s["version"] for s in task_json(task_detail(session, task_id))["steps"]] == [2, 2, 2]


def test_a_versions_step_prompt_replaces_the_templates_instruction(ctx, session, settings, fake, llm_url):
    hire(session, "copywriter", "Cora", OWNER)
    new_version(session, "Cora", OWNER, step_prompts={"draft": "Write it as a limerick about the customer."})
    session.commit()
    _task(session, "Cora")
    OpsPool(ctx.sessions, openai_settings(settings, llm_url), max_workers=1).run_until_idle()
    draft = next(b for b in fake.requests if step_of(b) == "draft")
    assert "Instruction: Write it as a limerick about the customer." in prompt_of(draft)


def test_an_edit_is_a_new_version_evaluated_beside_the_old_and_rollback_restores_it(session, settings):
    hire(session, "support-triage", "Tess", OWNER)
    session.commit()
    comparison = edit_and_evaluate(session, settings, "Tess", OWNER, tone="curt", cases=1)
    assert (comparison.old.instructions.version, comparison.new.instructions.version) == (1, 2)
    assert comparison.old.eval is not None and comparison.new.eval is not None  # both evaluated on the same case
    assert comparison.new.rows()["tone"] == "curt" and get_worker(session, "Tess").tone == "curt"
    assert any("roll back with `python -m core worker rollback Tess 1`" in line for line in comparison.lines())
    rollback(session, "Tess", 1, OWNER)
    session.commit()
    assert get_worker(session, "Tess").tone == "calm, empathetic, exact"
    assert current_instructions(session, "Tess").version == 1 and len(list_versions(session, "Tess")) == 2
    actions = session.execute(text("SELECT metadata->>'action' FROM audit_log WHERE entity = 'agent' "
                                   "AND entity_id = 'Tess' ORDER BY id")).scalars().all()
    assert actions == ["hire", "new_version", "rollback"]


def test_an_edit_that_changes_nothing_is_refused(session):
    hire(session, "copywriter", "Cora", OWNER)
    with pytest.raises(InvalidInput, match="nothing changes"):
        new_version(session, "Cora", OWNER, tone="warm, confident, plain English")


def test_a_step_prompt_for_a_step_the_role_lacks_is_refused(session):
    hire(session, "copywriter", "Cora", OWNER)
    with pytest.raises(InvalidInput, match="has no step 'verdict'"):
        new_version(session, "Cora", OWNER, step_prompts={"verdict": "Pass everything."})


def test_editing_the_hours_alone_makes_no_new_version(session):
    hire(session, "copywriter", "Cora", OWNER)
    edit_worker(session, "Cora", OWNER, tone="warm, confident, plain English", review=False)
    assert current_instructions(session, "Cora").version == 1


def test_worker_edit_versions_and_rollback_from_the_shell(db_url, session):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": db_url}

    def cli(*args: str) -> str:
        out = subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return out.stdout

    cli("hire", "qa-reviewer", "--name", "Quinn")
    edited = cli("worker", "edit", "Quinn", "--tone", "gentle", "--cases", "1")
    assert "eval pass rate" in edited and "Quinn now runs version 2" in edited
    assert "version 2: tone 'gentle'" in cli("worker", "versions", "Quinn")
    assert "back on version 1" in cli("worker", "rollback", "Quinn", "1")
    assert "version 1: tone 'blunt, constructive', model gpt-4o-mini (current)" in cli("worker", "versions", "Quinn")
