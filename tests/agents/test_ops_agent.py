"""The Ops agent on one task: the openai path over real HTTP, mock mode, failures, retries and the daily budget."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from core.agents.ops import run_ops_agent, run_ops_single_task
from core.audit import Actor
from core.llm import pricing
from core.ops.budget import pool_state
from core.ops.claims import Claim, retry_failed_task
from core.ops.workflows import MOCK_LABEL, MOCK_NOTICE, mock_summary
from tests.ops_helpers import openai_settings, seed_tasks, task_row, walk_tasks
from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI


@pytest.fixture
def fake() -> FakeOpenAI:
    return FakeOpenAI()


@pytest.fixture
def llm_url(fake: FakeOpenAI):
    with serve_asgi(fake.app()) as url:
        yield url


def test_openai_call_carries_model_and_token_limit(session, settings, fake, llm_url):
    seed_tasks(session, 1)
    run_ops_agent(session, openai_settings(settings, llm_url), trigger="manual")
    assert fake.requests[0]["model"] == "gpt-4o-mini"
    assert fake.requests[0]["max_tokens"] == 600


def test_openai_result_stores_usage_cost_and_profit(session, settings, fake, llm_url):
    [task_id] = seed_tasks(session, 1, reward=80)
    result = run_ops_agent(session, openai_settings(settings, llm_url), trigger="manual")
    row = task_row(session, task_id)
    expected_cost = pricing.cost_cents("gpt-4o-mini", 120, 80)
    assert (result.status, result.items) == ("succeeded", 1)
    assert (row.status, row.mode, row.input_tokens, row.output_tokens) == ("done", "openai", 120, 80)
    assert row.result_summary == fake.reply
    assert row.cost_cents == expected_cost > 0
    assert row.profit_cents == max(80 - expected_cost, 0)
    assert row.completed_at is not None and row.lease_expires_at is None


def test_prompt_carries_task_and_customer_company_plan_notes(session, settings, fake, llm_url):
    seed_tasks(session, 1, company="Borealis Foods", plan="enterprise", notes="Frozen food, Nordic markets.")
    run_ops_agent(session, openai_settings(settings, llm_url), trigger="manual")
    prompt = fake.requests[0]["messages"][-1]["content"]
    for part in ("Initial market research for Borealis Foods", "enterprise", "Frozen food, Nordic markets."):
        assert part in prompt


def test_openai_spend_lands_in_the_ledger_once(session, settings, fake, llm_url):
    [task_id] = seed_tasks(session, 1)
    run_ops_agent(session, openai_settings(settings, llm_url), trigger="manual")
    rows = session.execute(text("SELECT * FROM ledger_entries")).all()
    assert [(r.direction, r.category, r.source, r.counterparty, r.ref, r.amount_cents) for r in rows] == [
        ("out", "llm", "llm_usage", "OpenAI", f"task:{task_id}:revision:0:attempt:1", task_row(session, task_id).cost_cents)]


def test_missing_usage_costs_the_flat_fallback(session, settings, fake, llm_url):
    fake.include_usage = False
    [task_id] = seed_tasks(session, 1, reward=80)
    run_ops_agent(session, openai_settings(settings, llm_url), trigger="manual")
    row = task_row(session, task_id)
    assert (row.status, row.cost_cents, row.profit_cents) == ("done", pricing.FLAT_FALLBACK_CENTS,
                                                              80 - pricing.FLAT_FALLBACK_CENTS)


def test_profit_is_never_negative(session, settings, fake, llm_url):
    [task_id] = seed_tasks(session, 1, reward=0)
    run_ops_agent(session, openai_settings(settings, llm_url), trigger="manual")
    row = task_row(session, task_id)
    assert row.cost_cents > 0 and row.profit_cents == 0


def test_claim_and_completion_are_audited(session, settings):
    [task_id] = seed_tasks(session, 1)
    run_ops_agent(session, settings, trigger="manual")
    moves = session.execute(text("SELECT actor_type, from_status, to_status FROM audit_log "
                                 "WHERE entity = 'task' AND entity_id = :id ORDER BY id"), {"id": str(task_id)}).all()
    assert [tuple(m) for m in moves] == [("agent", "pending", "running"), ("agent", "running", "done")]


def test_mock_mode_labels_the_result_and_logs_the_notice(session, settings, caplog):
    [task_id] = seed_tasks(session, 1, reward=70)
    with caplog.at_level(logging.INFO, logger="hoss"):
        result = run_ops_agent(session, settings, trigger="manual")
    row = task_row(session, task_id)
    assert MOCK_NOTICE == "OPENAI_API_KEY not set, using mock summary."
    assert MOCK_NOTICE in [r.getMessage() for r in caplog.records]
    assert row.result_summary.startswith(MOCK_LABEL)
    assert (row.mode, row.cost_cents, row.profit_cents, row.status) == ("mock", 0, 70, "done")
    assert "mock result" in result.lines[0] and f"task {task_id}" in result.lines[0]


def test_mock_summary_is_deterministic():
    claim = Claim(7, 1, "Competitive landscape review for Acme", 80, 1, "w", "Acme", "starter", "")
    assert mock_summary(claim) == mock_summary(replace(claim, worker="other", attempt=2))
    assert mock_summary(claim).startswith(MOCK_LABEL) and "Acme" in mock_summary(claim)


def test_no_pending_task_skips(session, settings):
    result = run_ops_agent(session, settings, trigger="manual")
    assert (result.status, result.items) == ("skipped", 0)


def test_server_error_requeues_with_backoff_and_keeps_the_error(session, settings, fake, llm_url):
    fake.fail_with, fake.fail_times = 500, 1
    [task_id] = seed_tasks(session, 1)
    before = datetime.now(timezone.utc)
    run_ops_agent(session, openai_settings(settings, llm_url, ops_backoff_base_seconds=30), trigger="manual")
    row = task_row(session, task_id)
    assert (row.status, row.attempts, row.claimed_by) == ("pending", 1, None)
    assert "500" in row.last_error
    assert (row.run_after - before).total_seconds() >= 29


def test_task_fails_after_max_attempts_with_the_error_kept(session, settings, fake, llm_url):
    fake.fail_with, fake.fail_times = 500, 99
    [task_id] = seed_tasks(session, 1)
    cfg = openai_settings(settings, llm_url, ops_max_attempts=2)
    run_ops_agent(session, cfg, trigger="manual")
    session.execute(text("UPDATE tasks SET run_after = now()"))  # the backoff has passed
    session.commit()
    result = run_ops_agent(session, cfg, trigger="manual")
    row = task_row(session, task_id)
    assert (row.status, row.attempts, fake.calls) == ("failed", 2, 2)
    assert "500" in row.last_error and result.status == "failed"


def test_rate_limit_429_backs_off_without_burning_an_attempt(session, settings, fake, llm_url):
    fake.fail_with, fake.fail_times = 429, 1
    [task_id] = seed_tasks(session, 1)
    run_ops_agent(session, openai_settings(settings, llm_url), trigger="manual")
    row = task_row(session, task_id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert "429" in row.last_error and row.run_after > datetime.now(timezone.utc)


def test_timeout_backs_off_without_burning_an_attempt(session, settings, fake, llm_url):
    fake.latency_s = 1.0
    [task_id] = seed_tasks(session, 1)
    run_ops_agent(session, openai_settings(settings, llm_url, openai_timeout_seconds=0.2), trigger="manual")
    row = task_row(session, task_id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert "Timeout" in row.last_error


def test_retry_moves_a_failed_task_back_to_pending(session, settings):
    [task_id] = seed_tasks(session, 1)
    walk_tasks(session, task_id, "running")  # its last try, which fails below
    session.execute(text("UPDATE tasks SET status = 'failed', attempts = 3, last_error = 'boom' WHERE id = :id"),
                    {"id": task_id})
    session.commit()
    retry_failed_task(session, task_id, Actor.user("operator"))
    row = task_row(session, task_id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert run_ops_agent(session, settings, trigger="manual").items == 1


def test_named_task_that_is_not_claimable_is_skipped(session, settings):
    [task_id] = seed_tasks(session, 1)
    session.execute(text("UPDATE tasks SET run_after = now() + interval '1 hour'"))
    session.commit()
    result = run_ops_single_task(session, settings, task_id, trigger="manual")
    assert result.status == "skipped" and task_row(session, task_id).status == "pending"


def test_daily_budget_stops_llm_calls_and_drafts_one_proposal(session, settings, fake, llm_url):
    seed_tasks(session, 3)
    cfg = openai_settings(settings, llm_url, ops_daily_budget_cents=1)
    first = run_ops_agent(session, cfg, trigger="manual")
    second = run_ops_agent(session, cfg, trigger="manual")
    third = run_ops_agent(session, cfg, trigger="manual")
    proposals = session.execute(text("SELECT action_type, vertical, dedupe_key FROM action_proposals")).all()
    day = datetime.now(timezone.utc).date().isoformat()
    assert (first.items, second.status, third.status, fake.calls) == (1, "skipped", "skipped", 1)
    assert [tuple(p) for p in proposals] == [("budget_increase", "ops", f"ops:budget:{day}")]


def test_pool_state_reports_queue_spend_and_budget(session, settings, fake, llm_url):
    seed_tasks(session, 3)
    cfg = openai_settings(settings, llm_url, ops_daily_budget_cents=1)
    run_ops_agent(session, cfg, trigger="manual")
    state = pool_state(session, cfg)
    assert (state.pending, state.running, state.failed, state.done_today) == (2, 0, 0, 1)
    assert state.spend_today_cents == 1 and state.budget_cents == 1 and state.budget_exhausted


def test_llm_calls_go_through_the_limiter_and_are_corrected_from_usage(session, settings, fake, llm_url):
    from core.llm.ratelimit import RateLimiter
    from core.ops.claims import claim_next
    from core.ops.runner import TaskRunner

    seed_tasks(session, 1)
    limiter = RateLimiter(rpm=1, tpm=100_000, clock=lambda: 50.0)
    runner = TaskRunner(openai_settings(settings, llm_url), limiter=limiter)
    report = runner.run(session, claim_next(session, "w", 60))
    reservation, wait = limiter.try_reserve(1)
    assert report.status == "done" and reservation is None and wait == 60.0  # the one call of this minute
    assert [r.tokens for r in limiter._window] == [120 + 80]  # the estimate, replaced by the real usage
