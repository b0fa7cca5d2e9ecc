"""Budgets that know the margin: stopped before the LLM call (the stand-in gets no request), warned once."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.agents.ops import run_ops_agent
from core.config.settings import Settings
from core.config.store import set_max_cost_share_pct
from core.plans.budgets import llm_call_allowed, projected_month_end, set_customer_budget, warn_budgets
from core.transitions import can_transition
from tests.ops_helpers import openai_settings, walk_tasks
from tests.plans.plans_data import OPERATOR, add, make_customer, make_worker
from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI


@pytest.fixture
def fake() -> FakeOpenAI:
    return FakeOpenAI()


@pytest.fixture
def llm_url(fake: FakeOpenAI):
    with serve_asgi(fake.app()) as base:
        yield base


def _task(session: Session, task_id: int):
    session.rollback()
    return session.execute(text("SELECT status, last_error, attempts, run_after FROM tasks WHERE id = :i"),
                           {"i": task_id}).one()


def test_cost_share_stops_before_the_call_and_the_task_goes_to_review(session: Session, settings: Settings,
                                                                      fake: FakeOpenAI, llm_url: str) -> None:
    cid = make_customer(session, plan="enterprise")
    [tid] = add(session, cid, 1, reward_cents=1)  # 600 output tokens of gpt-4o-mini cost 1¢: over 50% of 1¢
    set_max_cost_share_pct(session, 50, OPERATOR)
    session.commit()
    run_ops_agent(session, openai_settings(settings, llm_url))
    assert fake.calls == 0
    row = _task(session, tid)
    assert row.status == "needs_review" and "over 50% of its $0.01 reward" in row.last_error and row.attempts == 0
    assert can_transition("task", "running", "needs_review")


def test_a_generous_cost_share_lets_the_call_through(session: Session, settings: Settings, fake: FakeOpenAI,
                                                     llm_url: str) -> None:
    cid = make_customer(session, plan="enterprise")
    [tid] = add(session, cid, 1, reward_cents=500)
    set_max_cost_share_pct(session, 50, OPERATOR)
    session.commit()
    run_ops_agent(session, openai_settings(settings, llm_url))
    assert fake.calls == 1 and _task(session, tid).status == "done"


def test_customer_monthly_cap_parks_the_task_until_next_month_without_a_call(
    session: Session, settings: Settings, fake: FakeOpenAI, llm_url: str
) -> None:
    cid = make_customer(session, plan="enterprise")
    [tid] = add(session, cid, 1, reward_cents=500)
    set_customer_budget(session, cid, 0, OPERATOR)
    session.commit()
    run_ops_agent(session, openai_settings(settings, llm_url))
    assert fake.calls == 0
    row = _task(session, tid)
    assert row.status == "pending" and row.attempts == 0 and "monthly LLM cap" in row.last_error
    assert row.run_after.day == 1 and row.run_after > datetime.now(timezone.utc)
    set_customer_budget(session, cid, 10_000, OPERATOR)  # a raised cap makes it due again
    session.commit()
    run_ops_agent(session, openai_settings(settings, llm_url))
    assert fake.calls == 1 and _task(session, tid).status == "done"


def test_worker_monthly_cap_is_checked_with_its_months_spend(session: Session, settings: Settings) -> None:
    worker = make_worker(session, monthly_budget_cents=10)
    cid = make_customer(session, plan="enterprise")
    [spent, nxt] = add(session, cid, 2)
    session.execute(text("UPDATE tasks SET agent = :w"), {"w": worker})
    walk_tasks(session, spent, "running")
    session.execute(text("UPDATE tasks SET status = 'done', cost_cents = 9, completed_at = now() WHERE id = :i"),
                    {"i": spent})
    assert llm_call_allowed(session, settings, nxt, 1) is None
    stop = llm_call_allowed(session, settings, nxt, 2)
    assert stop is not None and (stop.kind, stop.action) == ("worker_budget", "wait")


def test_budget_warnings_are_one_review_proposal_per_cap_level_and_month(session: Session) -> None:
    cid = make_customer(session, plan="enterprise")
    set_customer_budget(session, cid, 100, OPERATOR)
    [tid] = add(session, cid, 1)
    walk_tasks(session, tid, "running")
    session.execute(text("UPDATE tasks SET status = 'done', cost_cents = 85, completed_at = now() WHERE id = :i"),
                    {"i": tid})
    session.commit()
    assert len(warn_budgets(session)) == 1
    assert warn_budgets(session) == ()
    session.execute(text("UPDATE tasks SET cost_cents = 100 WHERE id = :i"), {"i": tid})
    session.commit()
    assert len(warn_budgets(session)) == 1
    titles = session.execute(text("SELECT action_type, title FROM action_proposals ORDER BY id")).all()
    assert [t.action_type for t in titles] == ["review", "review"]
    assert "80%" in titles[0].title and "100%" in titles[1].title


def test_projected_month_end_spend_is_a_straight_line_from_the_month_so_far() -> None:
    assert projected_month_end(1000, datetime(2026, 4, 11, tzinfo=timezone.utc)) == 3000
    assert projected_month_end(50, datetime(2026, 4, 1, 6, tzinfo=timezone.utc)) == 1500  # at least a day elapsed
