"""The daily LLM budget end to end: the operator's stored budget stops the pool, and approving the raise resumes it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.agents.executor import run_proposal_executor
from core.agents.ops import run_ops_agent
from core.approvals.proposals import approve_proposal, draft_proposal
from core.audit import Actor
from core.config.store import set_daily_budget_cents
from tests.ops_helpers import openai_settings, seed_tasks
from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI


@pytest.fixture
def llm_url():
    with serve_asgi(FakeOpenAI().app()) as base:
        yield base


def test_budget_set_on_the_agents_page_stops_llm_calls(session, settings, llm_url) -> None:
    seed_tasks(session, 3)
    cfg = openai_settings(settings, llm_url, ops_daily_budget_cents=None)
    assert run_ops_agent(session, cfg).status == "succeeded"
    set_daily_budget_cents(session, 1, Actor.user("ann"))
    session.commit()
    result = run_ops_agent(session, cfg)
    assert result.status == "skipped" and "daily LLM budget reached" in result.summary
    assert session.execute(text("SELECT count(*) FROM tasks WHERE status = 'done'")).scalar_one() == 1


def test_approved_budget_increase_raises_the_budget_and_ops_resumes(session, settings, llm_url) -> None:
    seed_tasks(session, 2)
    cfg = openai_settings(settings, llm_url, ops_daily_budget_cents=1)
    run_ops_agent(session, cfg)
    assert run_ops_agent(session, cfg).status == "skipped"
    proposal_id = session.execute(
        text("SELECT id FROM action_proposals WHERE action_type = 'budget_increase'")).scalar_one()
    approve_proposal(session, proposal_id, Actor.user("ann"))
    session.commit()
    run_proposal_executor(session, cfg)
    status, stored = session.execute(text(
        "SELECT p.status, (SELECT value FROM settings WHERE key = 'ops.daily_budget_cents') "
        "FROM action_proposals p WHERE p.id = :i"), {"i": proposal_id}).one()
    assert status == "executed" and stored >= 100
    assert run_ops_agent(session, cfg).status == "succeeded"


def test_approving_a_review_note_acknowledges_it_without_an_outside_call(session, settings) -> None:
    proposal_id, _ = draft_proposal(
        session, Actor.agent("money"), vertical="money", action_type="review", title="Refund of $120 on ch_1",
        reasoning="Large refund", payload={"charge": "ch_1", "amount_cents": 12000}, dedupe_key="money:review:ch_1")
    approve_proposal(session, proposal_id, Actor.user("ann"))
    session.commit()
    run_proposal_executor(session, settings)
    row = session.execute(text(
        "SELECT p.status, e.status AS exec_status, e.result FROM action_proposals p "
        "JOIN executions e ON e.proposal_id = p.id WHERE p.id = :i"), {"i": proposal_id}).one()
    assert (row.status, row.exec_status, row.result.get("acknowledged")) == ("executed", "succeeded", True)
