"""ROI, plan usage and MRR on the canvas: SPEC §13's definitions, the offline matcher, tool calling, `ask --json`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.analytics import run_analytics
from core.analytics.canvas import ask
from core.analytics.matcher import match_question
from core.config.context import AppContext
from core.config.store import set_roi_hourly_rate_cents
from tests.analytics.test_canvas_cli import run_cli
from tests.analytics.test_canvas_openai import fake, with_key  # noqa: F401 - the fixture is used by name
from tests.ops_helpers import walk_tasks
from tests.plans.plans_data import OPERATOR, add, make_customer, make_worker, set_cap


def _seed(session: Session) -> int:
    worker = make_worker(session, human_minutes=90)
    cid = make_customer(session, "Globex", plan="pro")
    ids = add(session, cid, 3, reward_cents=500)
    walk_tasks(session, ids[:2], "running")  # claimed, then done below
    session.execute(text("UPDATE tasks SET agent = :w, status = 'done', cost_cents = 40, completed_at = now() "
                         "WHERE id = ANY(:ids)"), {"w": worker, "ids": ids[:2]})
    session.execute(text("UPDATE customers SET subscription_status = 'active' WHERE id = :c"), {"c": cid})
    session.commit()
    return cid


def test_roi_is_human_minutes_times_done_tasks_at_the_hourly_rate_minus_llm_cost(ctx: AppContext,
                                                                                 session: Session) -> None:
    _seed(session)
    [row] = run_analytics(ctx.engine, "roi_by_customer", {"period": "this_month"}).rows
    assert (row["done_tasks"], row["time_saved_hours"], row["value_cents"]) == (2, 3.0, 18_000)  # 180 min × $60/h
    assert (row["llm_cost_cents"], row["net_value_cents"], row["gross_margin_cents"]) == (80, 17_920, 920)
    set_roi_hourly_rate_cents(session, 3000, OPERATOR)
    session.commit()
    [row] = run_analytics(ctx.engine, "roi_by_customer", {"period": "this_month"}).rows
    assert row["value_cents"] == 9_000


def test_plan_usage_and_mrr_read_the_month_and_the_paying_subscriptions(ctx: AppContext, session: Session) -> None:
    set_cap(session, "starter", 1)
    held_customer = make_customer(session, "Initech")
    add(session, held_customer, 3)
    _seed(session)
    usage = {r["customer"]: r for r in run_analytics(ctx.engine, "plan_usage", {}).rows}
    assert (usage["Initech"]["used"], usage["Initech"]["cap"], usage["Initech"]["held"]) == (1, 1, 2)
    assert (usage["Globex"]["used"], usage["Globex"]["cap"], usage["Globex"]["left"]) == (3, 250, 247)
    mrr = {r["plan"]: r for r in run_analytics(ctx.engine, "mrr", {}).rows}
    assert (mrr["pro"]["subscribed"], mrr["pro"]["mrr_cents"]) == (1, 29_900)
    assert (mrr["starter"]["customers"], mrr["starter"]["mrr_cents"]) == (1, 0)


@pytest.mark.parametrize(("question", "function"), [
    ("roi by customer", "roi_by_customer"), ("time saved per customer", "roi_by_customer"),
    ("what is our MRR?", "mrr"), ("monthly recurring revenue by plan", "mrr"),
    ("plan usage this month", "plan_usage"), ("which customers are over their plan's cap?", "plan_usage"),
])
def test_offline_matcher_maps_plan_questions(question: str, function: str) -> None:
    assert match_question(question).function == function


def test_tool_calling_path_offers_and_runs_the_plan_functions(ctx: AppContext, session: Session, fake) -> None:
    _seed(session)
    server, base = fake
    server.tool_calls = [{"name": "roi_by_customer", "arguments": {"period": "this_month"}}]
    choice, result = ask(ctx.engine, with_key(ctx.settings, base), "which customers are worth serving")
    assert (choice.function, choice.via) == ("roi_by_customer", "openai") and result is not None and result.rows
    tools = {t["function"]["name"] for t in server.requests[0]["tools"]}
    assert {"roi_by_customer", "plan_usage", "mrr"} <= tools


def test_ask_json_roi_by_customer_answers_with_rows(ctx: AppContext, session: Session, db_url: str) -> None:
    _seed(session)
    proc = run_cli(db_url, "--json", "roi by customer")
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert answer["function"] == "roi_by_customer" and answer["rows"][0]["customer"] == "Globex"
