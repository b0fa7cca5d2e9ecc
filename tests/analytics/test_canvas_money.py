"""SPEC §17 on the canvas: profit_and_loss and receivables, quarters/days/ytd, read_as, no forecasts, `ops`."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from core.analytics import run_analytics
from core.analytics.canvas import answer_json, answer_question, ask
from core.analytics.matcher import match_question
from core.analytics.params import PeriodParams, read_as, resolve_window
from core.analytics.phrases import parse_period
from core.config.context import AppContext
from core.config.settings import Settings
from tests.analytics.test_canvas_cli import run_cli
from tests.analytics.test_canvas_openai import fake, with_key  # noqa: F401 - the fixture is used by name
from tests.canvas_dataset import NOW, load_canvas_dataset

TODAY = date(2026, 6, 15)  # a Monday in Q2


@pytest.fixture
def data(ctx: AppContext) -> AppContext:
    load_canvas_dataset(ctx.engine)
    return ctx


@pytest.mark.parametrize(("phrase", "expected"), [
    ("spend in q3", {"start": date(2025, 7, 1), "end": date(2025, 9, 30)}),  # the latest Q3 that has begun
    ("spend in q1", {"start": date(2026, 1, 1), "end": date(2026, 3, 31)}),
    ("spend in q3 2025", {"start": date(2025, 7, 1), "end": date(2025, 9, 30)}),
    ("spend in the fourth quarter of 2024", {"start": date(2024, 10, 1), "end": date(2024, 12, 31)}),
    ("spend last quarter", {"period": "last_quarter"}),
    ("spend this quarter", {"period": "this_quarter"}),
    ("spend yesterday", {"period": "yesterday"}),
    ("spend today", {"period": "today"}),
    ("spend on nov 3", {"start": date(2025, 11, 3), "end": date(2025, 11, 3)}),
    ("spend on june 2nd", {"start": date(2026, 6, 2), "end": date(2026, 6, 2)}),
    ("spend on 2026-06-14", {"period": "yesterday"}),
    ("spend ytd", {"period": "ytd"}),
    ("spend year to date", {"period": "ytd"}),
    ("spend in the past 10 days", {"start": date(2026, 6, 6)}),
    ("spend over the past 3 weeks", {"start": date(2026, 5, 26)}),
])
def test_period_parser_on_quarters_days_and_ytd(phrase: str, expected: dict) -> None:
    assert parse_period(phrase, TODAY) == expected


@pytest.mark.parametrize(("params", "window", "said"), [
    ({"period": "last_quarter"}, ("2026-01-01", "2026-04-01"), "last quarter (Q1 2026): 2026-01-01 to 2026-03-31"),
    ({"period": "this_quarter"}, ("2026-04-01", "2026-07-01"), "this quarter (Q2 2026): 2026-04-01 to 2026-06-30"),
    ({"period": "yesterday"}, ("2026-06-14", "2026-06-15"), "yesterday: 2026-06-14"),
    ({"period": "today"}, ("2026-06-15", "2026-06-16"), "today: 2026-06-15"),
    ({"period": "ytd"}, ("2026-01-01", "2026-06-16"), "the year to date: 2026-01-01 to 2026-06-15"),
    ({"start": "2025-07-01", "end": "2025-09-30"}, ("2025-07-01", "2025-10-01"), "Q3 2025: 2025-07-01 to 2025-09-30"),
    ({"start": "2025-11-03", "end": "2025-11-03"}, ("2025-11-03", "2025-11-04"), "the day: 2025-11-03"),
])
def test_windows_and_how_they_are_read(params: dict, window: tuple[str, str], said: str) -> None:
    p = PeriodParams.model_validate(params)
    w = resolve_window(p, NOW)
    assert (w.start.date().isoformat(), w.end.date().isoformat()) == window
    assert read_as(p, w) == said


def test_an_unstated_period_says_it_is_the_default(data: AppContext) -> None:
    result = run_analytics(data.engine, "spend_by_vendor", {}, now=NOW)
    assert result.read_as == "the last 90 days: 2026-03-18 to 2026-06-15 (the default: the question named no period)"
    assert run_analytics(data.engine, "runway_estimate", {}, now=NOW).read_as == "no period: as of now"


def test_profit_and_loss_is_collected_minus_all_spend_per_month(data: AppContext) -> None:
    rows = run_analytics(data.engine, "profit_and_loss", {"period": "this_year", "grain": "month"}, now=NOW).rows
    got = [(r["bucket"].date().isoformat(), r["collected_cents"], r["llm_cost_cents"], r["spend_cents"],
            r["net_profit_cents"]) for r in rows]
    assert got == [("2026-01-01", 0, 0, 99999, -99999), ("2026-04-01", 5000, 0, 0, 5000),
                   ("2026-05-01", 0, 2000, 22000, -22000), ("2026-06-01", 10000, 3000, 8500, 1500)]
    june = rows[-1]
    assert (june["software_cents"], june["fees_cents"], june["payroll_cents"], june["refunds_cents"]) == (5000, 500, 0, 0)


def test_receivables_lists_who_owes_us_with_drafts_apart(data: AppContext) -> None:
    rows = run_analytics(data.engine, "receivables", {}, now=NOW).rows
    by = {r["customer_id"]: r for r in rows}
    assert [r["customer_id"] for r in rows] == [1, 2, 3]
    assert (by[1]["sent_invoices"], by[1]["owed_cents"], by[1]["oldest_sent_days"], by[1]["draft_cents"]) == (1, 5000, 5, 0)
    assert (by[3]["sent_invoices"], by[3]["owed_cents"], by[3]["draft_invoices"], by[3]["draft_cents"]) == (1, 2500, 1, 7000)


def test_ops_names_the_single_task_agent_and_the_pool(data: AppContext) -> None:
    with data.engine.begin() as conn:
        conn.execute(text("INSERT INTO agent_runs (agent, status, started_at, finished_at, trigger) VALUES "
                          "('ops_batch', 'succeeded', :t, :t, 'schedule')"), {"t": NOW})
    choice = match_question("how is the ops agent doing this week", today=TODAY)
    assert (choice.function, choice.params["agent"]) == ("agent_run_health", "ops")
    rows = run_analytics(data.engine, "agent_run_health", choice.params, now=NOW).rows
    assert "ops_batch" in {r["agent"] for r in rows}


@pytest.mark.parametrize("question", ["what will revenue be next year", "forecast our profit",
                                      "predict next month's spend", "projected revenue for next quarter"])
def test_a_forecast_question_says_the_canvas_does_not_forecast(question: str) -> None:
    choice = match_question(question, today=TODAY)
    assert choice.function is None and "does not forecast" in choice.message


@pytest.mark.parametrize(("question", "function", "params"), [
    ("net profit by month this year", "profit_and_loss", {"period": "this_year", "grain": "month"}),
    ("show me the P&L for Q1", "profit_and_loss", {"start": date(2026, 1, 1), "end": date(2026, 3, 31)}),
    ("profit after payroll and software", "profit_and_loss", {}),
    ("who owes us money", "receivables", {}),
    ("which customers still owe us", "receivables", {}),
    ("gross margin by week", "profit_over_time", {"grain": "week"}),
])
def test_the_new_functions_through_the_offline_matcher(question: str, function: str, params: dict) -> None:
    choice = match_question(question, today=TODAY)
    assert (choice.function, choice.params) == (function, params)


def test_the_new_functions_through_the_tool_calling_path(data: AppContext, fake) -> None:
    server, base = fake
    settings = with_key(data.settings, base)
    server.tool_calls = [{"name": "profit_and_loss", "arguments": {"period": "this_year", "grain": "month"}}]
    choice, result = ask(data.engine, settings, "net profit by month this year")
    assert (choice.function, choice.via) == ("profit_and_loss", "openai")
    assert result is not None and result.rows and result.read_as.startswith("this year: ")
    server.tool_calls = [{"name": "receivables", "arguments": {"limit": 2}}]
    choice, result = ask(data.engine, settings, "who owes us money")
    assert choice.function == "receivables" and result is not None and len(result.rows) == 2
    tools = {t["function"]["name"] for t in server.requests[0]["tools"]}
    assert {"profit_and_loss", "receivables"} <= tools


def test_a_forecast_never_reaches_the_model(settings: Settings, fake) -> None:
    server, base = fake
    choice = answer_question(with_key(settings, base), "what will revenue be next year")
    assert choice.function is None and "does not forecast" in choice.message and server.requests == []


def test_answer_json_carries_read_as(data: AppContext) -> None:
    choice, result = ask(data.engine, data.settings, "spend in Q1")
    out = answer_json("spend in Q1", choice, result)
    assert out["params"]["start"] == "2026-01-01" or out["read_as"].startswith("Q1 ")
    assert "read_as" in out


@pytest.mark.parametrize(("question", "function"), [
    ("net profit by month this year", "profit_and_loss"), ("who owes us money", "receivables"),
    ("spend in Q3", "spend_by_vendor")])
def test_ask_json_shows_what_the_issue_asks(data: AppContext, db_url: str, question: str, function: str) -> None:
    proc = run_cli(db_url, question, "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["function"] == function and out["read_as"]
    if function == "receivables":
        assert out["rows"] and all("customer" in r for r in out["rows"])
    if function == "spend_by_vendor":
        year = datetime.now(UTC).year if datetime.now(UTC).month >= 7 else datetime.now(UTC).year - 1
        assert (out["params"]["start"], out["params"]["end"]) == (f"{year}-07-01", f"{year}-09-30")
        assert out["read_as"].startswith(f"Q3 {year}: ")
