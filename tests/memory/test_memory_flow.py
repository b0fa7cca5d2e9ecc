"""Customer memory end to end (SPEC §20) against the stand-in OpenAI server on real Postgres: --no-remember, the
lesson ids each step records, the Ops prompt and per-worker lessons. The issue's must-show lines (a note reaching
A's prompts and not B's, `memory list --json`, `memory forget`) are tests/memory/test_issue_must_show.py."""

from __future__ import annotations

from sqlalchemy import text

from core.app.cli import main
from core.ops.pool import OpsPool
from core.workforce.hiring import hire
from core.workforce.intake import add_task_checked
from core.workforce.views import task_detail
from tests.ops_helpers import openai_settings
from tests.workforce.conftest import OPERATOR, make_customer, prompt_of

NOTE = "Always quote prices in euros, never dollars"


def _run(ctx, settings, url) -> None:
    OpsPool(ctx.sessions, openai_settings(settings, url), max_workers=1).run_until_idle()


def _task(session, customer_id: int, description: str = "Market map") -> int:
    task_id, _ = add_task_checked(session, customer_id=customer_id, description=description, reward_cents=500,
                                  agent="Ada", actor=OPERATOR)
    session.commit()
    return task_id


def _prompts_of(fake, since: int) -> list[str]:
    return [prompt_of(b) for b in fake.requests[since:]]


def _revised_with_the_note(ctx, session, settings, fake, llm_url, *, remember: bool = True) -> tuple[int, int]:
    """Customers A and B; A's first task reviewed `revise` from the shell with NOTE; (A, B)."""
    hire(session, "research-analyst", "Ada", OPERATOR)
    a = make_customer(session, "Alpha GmbH", "a@alpha.example")
    b = make_customer(session, "Beta SA", "b@beta.example")
    first = _task(session, a)
    _run(ctx, settings, llm_url)
    argv = ["review", str(first), "revise", "--note", NOTE] + ([] if remember else ["--no-remember"])
    assert main(argv) == 0
    _run(ctx, settings, llm_url)
    return a, b


def test_no_remember_keeps_the_note_out_of_memory(cli_env, ctx, session, settings, fake, llm_url):
    a, _ = _revised_with_the_note(ctx, session, settings, fake, llm_url, remember=False)
    count = session.execute(text("SELECT count(*) FROM customer_lessons WHERE customer_id = :a"), {"a": a}).scalar()
    assert count == 0


def test_each_step_records_the_lesson_ids_its_prompt_carried(cli_env, ctx, session, settings, fake, llm_url):
    a, _ = _revised_with_the_note(ctx, session, settings, fake, llm_url)
    lesson_id = session.execute(text("SELECT id FROM customer_lessons WHERE customer_id = :a"), {"a": a}).scalar_one()
    session.rollback()
    task_id = _task(session, a, "Pricing page copy")
    _run(ctx, settings, llm_url)
    assert [s.lesson_ids for s in task_detail(session, task_id).steps] == [(lesson_id,)] * 4


def test_task_show_names_the_lessons_each_step_carried(cli_env, ctx, session, settings, fake, llm_url, capsys):
    a, _ = _revised_with_the_note(ctx, session, settings, fake, llm_url)
    lesson_id = session.execute(text("SELECT id FROM customer_lessons WHERE customer_id = :a"), {"a": a}).scalar_one()
    session.rollback()
    task_id = _task(session, a, "Pricing page copy")
    _run(ctx, settings, llm_url)
    capsys.readouterr()
    assert main(["task", "show", str(task_id)]) == 0
    assert f"lessons #{lesson_id}" in capsys.readouterr().out


def test_the_ops_prompt_carries_its_customers_lessons_too(ctx, session, settings, fake, llm_url):
    from core.memory.lessons import add_lesson

    cid = make_customer(session)
    add_lesson(session, customer_id=cid, text="Write in German", actor=OPERATOR)
    add_task_checked(session, customer_id=cid, description="Competitor list", reward_cents=80, actor=OPERATOR)
    session.commit()
    _run(ctx, settings, llm_url)
    assert len(fake.requests) == 1 and "Write in German" in prompt_of(fake.requests[0])


def test_a_lesson_for_one_worker_is_carried_only_by_that_workers_tasks(ctx, session, settings, fake, llm_url):
    from core.memory.lessons import add_lesson

    hire(session, "research-analyst", "Ada", OPERATOR, review=False)
    hire(session, "copywriter", "Cy", OPERATOR, review=False)
    cid = make_customer(session)
    add_lesson(session, customer_id=cid, text="Cite every source", actor=OPERATOR, agent="Ada")
    _task(session, cid)
    _run(ctx, settings, llm_url)
    ada = fake.calls
    add_task_checked(session, customer_id=cid, description="Landing page", reward_cents=80, agent="Cy",
                     actor=OPERATOR)
    session.commit()
    _run(ctx, settings, llm_url)
    assert all("Cite every source" in p for p in _prompts_of(fake, 0)[:ada])
    assert not any("Cite every source" in p for p in _prompts_of(fake, ada))
