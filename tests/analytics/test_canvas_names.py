"""Names and shapes the blind batch of 2026-12-07 missed, each read by a general rule."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import SecretStr

from core.analytics import AnalyticsError, run_analytics
from core.analytics.canvas import answer_question, system_prompt
from core.analytics.matcher import match_question
from core.config.context import AppContext
from core.config.settings import Settings
from tests.canvas_dataset import NOW, load_canvas_dataset
from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI

TODAY = date(2026, 6, 15)
CUSTOMERS = ("Acme", "Globex Corp", "Initech")
WORKERS = ("Rhea", "Milo")


def _match(question: str):
    return match_question(question, CUSTOMERS, today=TODAY, worker_names=WORKERS)


@pytest.mark.parametrize("question", ["milos failure rate", "milo's failure rate", "tasks done by milos this week"])
def test_a_possessive_names_the_worker(question: str) -> None:
    choice = _match(question)
    assert (choice.function, choice.params.get("worker")) == ("worker_performance", "Milo")


def test_a_possessive_names_the_customer() -> None:
    assert _match("acmes profit by week").params["customer"] == "Acme"


@pytest.mark.parametrize("question", ["worker performance", "performance by worker this quarter",
                                      "worker utilization last week"])
def test_a_question_about_workers_goes_to_worker_performance(question: str) -> None:
    assert _match(question).function == "worker_performance"


def test_a_word_after_by_worker_is_not_taken_for_a_name() -> None:
    assert _match("performance by worker this quarter").params == {"period": "this_quarter"}


@pytest.mark.parametrize("question", ["worker zed performance", "tasks done by worker bob this month"])
def test_an_unknown_name_given_a_worker_is_refused_saying_so(question: str) -> None:
    choice = _match(question)
    assert choice.function is None and "There is no worker named" in choice.message
    assert "Rhea, Milo" in choice.message


@pytest.mark.parametrize("question", ["agent run health for zorg", "is the zorg agent failing"])
def test_an_unknown_system_agent_is_refused_naming_the_agents(question: str) -> None:
    choice = _match(question)
    assert choice.function is None and "There is no agent named Zorg" in choice.message
    assert "bizdev" in choice.message and "executor" in choice.message


@pytest.mark.parametrize(("question", "agent"), [("is the billing agent failing", "billing"),
                                                 ("ops_batch run errors", "ops_batch")])
def test_a_known_agent_is_still_answered(question: str, agent: str) -> None:
    assert _match(question).params.get("agent") == agent


def test_an_agent_question_naming_a_period_is_not_refused() -> None:
    assert _match("agent run health for last week").function == "agent_run_health"


def test_a_made_up_agent_is_refused_by_the_query_too(ctx: AppContext) -> None:
    load_canvas_dataset(ctx.engine)
    with pytest.raises(AnalyticsError, match="There is no agent named Zorg"):
        run_analytics(ctx.engine, "agent_run_health", {"agent": "zorg"}, now=NOW)


def test_a_noun_that_is_also_a_verb_starts_a_question() -> None:
    assert _match("invoice aging").function == "invoice_aging"


@pytest.mark.parametrize("question", ["invoice acme for 100", "bill globex", "email globex their invoice"])
def test_the_same_word_as_an_instruction_is_still_refused(question: str) -> None:
    assert _match(question).function is None


def test_a_typo_in_a_multi_word_keyword_is_corrected() -> None:
    assert _match("invocie aging").function == "invoice_aging"


def test_collected_per_customer_is_paid_revenue_by_customer() -> None:
    choice = _match("collected per customer this quarter")
    assert (choice.function, choice.params) == ("revenue_by_customer", {"period": "this_quarter", "status": "paid"})


def test_a_number_before_least_is_the_limit() -> None:
    assert _match("2 least profitable customers last quarter").params == {
        "period": "last_quarter", "order": "least", "limit": 2}


def test_a_number_after_bottom_is_the_limit() -> None:
    assert _match("bottom 4 clients by profit").params["limit"] == 4


@pytest.mark.parametrize(("question", "start"), [
    ("revenue since the 1st of March", date(2026, 3, 1)), ("burn since the first of march 2025", date(2025, 3, 1)),
    ("net profit since the 20th of june", date(2025, 6, 20)),  # the 20th of June is ahead: last year's
])
def test_since_a_day_of_a_named_month_is_its_start(question: str, start: date) -> None:
    assert _match(question).params == {"start": start}


def test_the_system_prompt_names_the_new_periods_functions_and_agents() -> None:
    prompt = system_prompt(TODAY)
    for phrase in ("this_fiscal_year", "last_fiscal_year", "compare_to", "since the 1st", "customer_profitability",
                   "worker_performance", "ops_batch", "2026-06-15"):
        assert phrase in prompt, phrase


def test_the_model_is_sent_the_system_prompt(settings: Settings) -> None:
    server = FakeOpenAI()
    server.tool_calls = [{"name": "burn_rate", "arguments": {}}]
    with serve_asgi(server.app()) as base:
        keyed = settings.model_copy(update={"openai_api_key": SecretStr("sk-test"), "openai_base_url": base + "/v1"})
        answer_question(keyed, "what is our burn?")
    assert "this_fiscal_year" in server.requests[0]["messages"][0]["content"]


@pytest.mark.parametrize("question", ["worker earnings this month", "worker costs by month"])
def test_a_workers_money_is_worker_performance(question: str) -> None:
    assert _match(question).function == "worker_performance"


def test_a_noun_verb_before_a_failure_word_is_a_question() -> None:
    assert _match("charge failures last month").function == "failed_payments"


def test_an_agent_named_after_for_is_the_agent() -> None:
    assert _match("agent run health for billing").params == {"agent": "billing"}
