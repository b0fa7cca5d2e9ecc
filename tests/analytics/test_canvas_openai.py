"""The OpenAI path: tool calling over real HTTP to a local stand-in, restricted to the whitelist."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from core.analytics import WHITELIST
from core.analytics.canvas import answer_question, ask
from core.config.context import AppContext
from core.config.settings import Settings
from tests.canvas_dataset import load_canvas_dataset
from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI


@pytest.fixture
def fake() -> Iterator[tuple[FakeOpenAI, str]]:
    server = FakeOpenAI()
    with serve_asgi(server.app()) as base:
        yield server, base + "/v1"


def with_key(settings: Settings, base_url: str) -> Settings:
    return settings.model_copy(update={"openai_api_key": SecretStr("sk-test"), "openai_base_url": base_url})


def test_model_tool_call_becomes_the_choice(settings: Settings, fake) -> None:
    server, base = fake
    server.tool_calls = [{"name": "revenue_by_customer", "arguments": {"period": "last_month", "limit": 5}}]
    choice = answer_question(with_key(settings, base), "which customers brought in the most money last month?")
    assert (choice.function, choice.via) == ("revenue_by_customer", "openai")
    assert choice.params == {"period": "last_month", "limit": 5}


def test_request_offers_exactly_the_whitelist_as_tools(settings: Settings, fake) -> None:
    server, base = fake
    server.tool_calls = [{"name": "burn_rate", "arguments": {}}]
    answer_question(with_key(settings, base), "what is our burn?")
    (request,) = server.requests
    assert {t["function"]["name"] for t in request["tools"]} == set(WHITELIST)
    assert all(t["type"] == "function" for t in request["tools"]) and request["tool_choice"] == "auto"
    props = {t["function"]["name"]: set(t["function"]["parameters"]["properties"]) for t in request["tools"]}
    assert props["revenue_by_customer"] == {"period", "start", "end", "status", "limit", "compare_to", "total"}
    assert props["runway_estimate"] == set()


def test_model_sees_only_the_question_never_rows(ctx: AppContext, fake) -> None:
    load_canvas_dataset(ctx.engine)
    server, base = fake
    server.tool_calls = [{"name": "revenue_by_customer", "arguments": {}}]
    choice, result = ask(ctx.engine, with_key(ctx.settings, base), "top customers")
    assert result is not None and result.rows[0]["customer"] == "Globex"
    sent = str(server.requests[0]["messages"])
    assert "Globex" not in sent and "24000" not in sent
    assert [m["role"] for m in server.requests[0]["messages"]] == ["system", "user"]


def test_model_declining_gives_the_help_list(settings: Settings, fake) -> None:
    server, base = fake
    server.reply = "I can't help with that."
    choice = answer_question(with_key(settings, base), "what's the mood of the team?")
    assert choice.function is None and "revenue_by_customer" in choice.message and choice.via == "openai"


def test_model_unavailable_falls_back_to_the_offline_matcher(settings: Settings, fake) -> None:
    server, base = fake
    server.fail_with, server.fail_times = 500, 10
    choice = answer_question(with_key(settings, base), "how many months of runway do we have?")
    assert (choice.function, choice.via) == ("runway_estimate", "offline")
    assert "OpenAI was unavailable" in choice.message


def test_without_a_key_the_offline_matcher_answers(settings: Settings) -> None:
    choice = answer_question(settings, "top 5 clients by revenue this year")
    assert (choice.function, choice.via) == ("revenue_by_customer", "offline")
    assert choice.params == {"period": "this_year", "limit": 5}
