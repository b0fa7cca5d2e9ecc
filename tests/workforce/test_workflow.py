"""A worker's task runs as its role's workflow against the stand-in OpenAI server over real HTTP."""

from __future__ import annotations

import json

from sqlalchemy import event, text

from core.config.store import set_max_cost_share_pct
from core.money.cents import to_dollars
from core.ops.pool import OpsPool
from core.workforce.review import review_task
from core.workforce.views import task_detail
from tests.ops_helpers import openai_settings
from tests.workforce.conftest import OPERATOR, hire_and_task, prompt_of, step_of


def _run(ctx, settings, url, **kw):
    return OpsPool(ctx.sessions, openai_settings(settings, url, **kw), max_workers=2).run_until_idle()


def test_research_workflow_runs_every_step_and_waits_for_review(ctx, session, settings, fake, llm_url):
    task_id = hire_and_task(session)
    _run(ctx, settings, llm_url)
    detail = task_detail(session, task_id)
    assert [s.name for s in detail.steps] == ["plan", "research", "synthesize", "self-check"]
    assert {s.status for s in detail.steps} == {"done"} and all(s.artifact for s in detail.steps)
    assert all((s.input_tokens, s.output_tokens) == (120, 80) for s in detail.steps)
    assert detail.status == "needs_review" and fake.calls == 4
    assert detail.cost_cents == detail.steps_cost_cents > 0
    assert detail.input_tokens == 4 * 120 and detail.result_summary == detail.steps[2].artifact


def test_each_step_prompt_carries_the_earlier_artifacts(ctx, session, settings, fake, llm_url):
    hire_and_task(session)
    _run(ctx, settings, llm_url)
    last = prompt_of(fake.requests[-1])
    assert "--- Output of step plan ---" in last and "--- Output of step synthesize ---" in last
    assert "Market map of dental SaaS in Germany" in last


def test_revise_reruns_only_the_steps_from_revise_from_with_the_note(ctx, session, settings, fake, llm_url):
    task_id = hire_and_task(session)
    _run(ctx, settings, llm_url)
    review_task(session, task_id, "revise", OPERATOR, note="add pricing tiers")
    session.commit()
    before = fake.calls
    _run(ctx, settings, llm_url)
    again = fake.requests[before:]
    assert [step_of(b) for b in again] == ["synthesize", "self-check"]
    assert all("add pricing tiers" in prompt_of(b) for b in again)
    detail = task_detail(session, task_id)
    assert detail.status == "needs_review" and detail.revision == 1
    assert detail.cost_cents == detail.steps_cost_cents
    assert [s.status for s in detail.steps].count("superseded") == 2


def test_approve_makes_the_task_done_with_one_deliver_proposal(ctx, session, settings, fake, llm_url):
    task_id = hire_and_task(session)
    _run(ctx, settings, llm_url)
    review_task(session, task_id, "approve", OPERATOR)
    session.commit()
    rows = session.execute(text("SELECT action_type, status, payload FROM action_proposals "
                                "WHERE action_type = 'deliver'")).all()
    status = session.execute(text("SELECT status FROM tasks WHERE id = :id"), {"id": task_id}).scalar()
    assert status == "done" and len(rows) == 1 and rows[0].status == "pending"
    payload = rows[0].payload
    assert payload["to"] == "owner@zahn.example" and payload["channel"] == "email"
    assert payload["body"].startswith(task_detail(session, task_id).result_summary)


def test_discard_marks_the_task_discarded_not_failed_and_it_is_never_invoiced(ctx, session, settings, fake, llm_url):
    task_id = hire_and_task(session)
    _run(ctx, settings, llm_url)
    review_task(session, task_id, "discard", OPERATOR)
    session.commit()
    row = session.execute(text("SELECT status, last_error FROM tasks WHERE id = :id"), {"id": task_id}).one()
    assert tuple(row) == ("discarded", None)


def test_json_step_with_an_invalid_answer_is_retried_once_with_the_error(ctx, session, settings, fake, llm_url):
    answers = iter(['{"objective": "x"}'])
    inner = fake.reply

    def reply(body):
        if step_of(body) == "plan":
            return next(answers, None) or inner(body)
        return inner(body)

    fake.reply = reply
    task_id = hire_and_task(session)
    _run(ctx, settings, llm_url)
    plan = task_detail(session, task_id).steps[0]
    plans = [b for b in fake.requests if step_of(b) == "plan"]
    assert plan.status == "done" and plan.attempt == 2 and plan.input_tokens == 240
    assert len(plans) == 2 and "previous answer was rejected" in prompt_of(plans[1])
    assert "questions" in prompt_of(plans[1])


def test_budget_reached_mid_workflow_stops_before_the_next_step(ctx, session, settings, fake, llm_url):
    task_id = hire_and_task(session)
    summary = _run(ctx, settings, llm_url, ops_daily_budget_cents=2)
    detail = task_detail(session, task_id)
    assert summary.budget_exhausted and fake.calls == 2
    assert detail.status == "pending" and [s.status for s in detail.steps] == ["done", "done"]
    _run(ctx, settings, llm_url, ops_daily_budget_cents=1000)
    assert [step_of(b) for b in fake.requests[2:]] == ["synthesize", "self-check"]


def test_mock_mode_writes_a_labelled_artifact_per_step(ctx, session, settings):
    task_id = hire_and_task(session, review=False)
    OpsPool(ctx.sessions, settings, max_workers=1).run_until_idle()
    detail = task_detail(session, task_id)
    assert detail.status == "done" and len(detail.steps) == 4
    assert all("[MOCK RESULT" in (s.artifact or "") for s in detail.steps)
    json.loads(detail.steps[0].artifact or "")


def test_a_step_that_failed_is_retried_without_recalling_the_finished_ones(ctx, session, settings, fake, llm_url):
    inner = fake.reply
    failed = []

    def reply(body):
        if step_of(body) == "research" and not failed:
            failed.append(1)
            return ""  # an empty answer: an LLMError that counts as an attempt
        return inner(body)

    fake.reply = reply
    task_id = hire_and_task(session, review=False)
    _run(ctx, settings, llm_url, ops_backoff_base_seconds=0.0)
    names = [step_of(b) for b in fake.requests]
    detail = task_detail(session, task_id)
    assert detail.status == "done" and names == ["plan", "research", "research", "synthesize", "self-check"]
    assert session.execute(text("SELECT attempts FROM tasks WHERE id = :t"), {"t": task_id}).scalar() == 2


def test_a_workflow_done_without_review_proposes_its_delivery_and_sheet_row_with_the_completion(
        ctx, session, settings, fake, llm_url):
    task_id = hire_and_task(session, review=False)
    session.execute(text("UPDATE customers SET sheet_id = 'sheet-abcdefghij'"))
    session.commit()
    _run(ctx, settings, llm_url)
    detail = task_detail(session, task_id)
    rows = {r.action_type: r.payload for r in session.execute(text(
        "SELECT action_type, payload FROM action_proposals WHERE action_type IN ('deliver', 'sheets_append')"))}
    assert detail.status == "done" and set(rows) == {"deliver", "sheets_append"}
    assert rows["deliver"]["body"].startswith(detail.result_summary)
    done_day = session.execute(text("SELECT (completed_at AT TIME ZONE 'UTC')::date::text FROM tasks "
                                    "WHERE id = :t"), {"t": task_id}).scalar()
    assert rows["sheets_append"]["values"][0] == done_day
    assert rows["sheets_append"]["values"][3] == to_dollars(detail.cost_cents)


def test_a_workflow_drafts_its_proposals_before_the_done_row_so_the_audit_lock_is_held_briefly(
        ctx, session, settings, fake, llm_url):
    # Regression: the done row's audit insert took the audit chain's lock and the delivery was drafted after it,
    # so every slot's claim waited behind each completion's round trips (bench ops-pool --steps 3 was 0.53).
    task_id = hire_and_task(session, review=False)
    _run(ctx, settings, llm_url)
    order = session.execute(text(
        "SELECT entity, to_status FROM audit_log WHERE (entity = 'task' AND entity_id = :t AND to_status = 'done') "
        "OR (entity = 'proposal' AND to_status = 'pending') ORDER BY id"), {"t": str(task_id)}).all()
    assert [tuple(r) for r in order] == [("proposal", "pending"), ("task", "done")]


def test_a_cap_set_during_a_step_stops_the_workflow_before_its_next_call(ctx, session, settings, fake, llm_url):
    inner = fake.reply

    def reply(body):
        if step_of(body) == "research":  # the operator caps the customer while step 2 is in flight
            with ctx.engine.begin() as conn:
                conn.execute(text("UPDATE customers SET monthly_budget_cents = 0"))
        return inner(body)

    fake.reply = reply
    task_id = hire_and_task(session, review=False)
    _run(ctx, settings, llm_url)
    detail = task_detail(session, task_id)
    assert [step_of(b) for b in fake.requests] == ["plan", "research"]
    assert detail.status == "pending" and [s.status for s in detail.steps] == ["done", "done"]
    assert session.execute(text("SELECT last_error FROM tasks WHERE id = :t"), {"t": task_id}).scalar().startswith(
        "budget: ")


def test_a_workflow_makes_no_budget_read_of_its_own_the_claim_and_each_recorded_call_carry_the_facts(
        ctx, session, settings, fake, llm_url):
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", seen)
    try:
        task_id = hire_and_task(session, review=False)
        _run(ctx, settings, llm_url)
    finally:
        event.remove(ctx.engine, "before_cursor_execute", seen)
    assert task_detail(session, task_id).status == "done" and fake.calls == 4
    assert not any(s.startswith("SELECT * FROM task_budget_facts") for s in statements)


def test_the_cost_share_counts_the_steps_already_spent_and_stops_the_workflow(ctx, session, settings, fake,
                                                                              llm_url):
    task_id = hire_and_task(session, review=False)
    session.execute(text("UPDATE tasks SET reward_cents = 4 WHERE id = :t"), {"t": task_id})
    set_max_cost_share_pct(session, 50, OPERATOR)  # 2¢ of a 4¢ reward; each step costs 1¢ and may cost 1¢
    session.commit()
    _run(ctx, settings, llm_url)
    detail = task_detail(session, task_id)
    assert [step_of(b) for b in fake.requests] == ["plan", "research"]
    assert detail.status == "needs_review" and "over 50% of its $0.04 reward" in (detail.last_error or "")


def test_a_request_for_changes_without_a_note_names_no_cli_flag(ctx, session, settings):
    # Regression: the console and the API said "revise needs --note", a flag only the CLI has.
    import pytest

    from core.errors import InvalidInput

    task_id = hire_and_task(session, "copywriter", "Cleo")
    OpsPool(ctx.sessions, settings, max_workers=1).run_until_idle()
    with pytest.raises(InvalidInput, match="needs a note saying what to change") as refused:
        review_task(session, task_id, "revise", OPERATOR)
    assert "--" not in str(refused.value)
