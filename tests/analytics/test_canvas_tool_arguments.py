"""A model's hostile tool arguments are validated like parsed user input: a refusal or a clamped value, never a
database error (the bug: `customer: 10**20`, a NUL in a string and dates 0001-01-01..9999-12-31 reached SQL)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from core.analytics import run_analytics
from core.analytics.canvas import ask
from core.config.context import AppContext
from tests.canvas_dataset import load_canvas_dataset
from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI


@pytest.fixture
def canvas(ctx: AppContext) -> Iterator[tuple[FakeOpenAI, AppContext]]:
    load_canvas_dataset(ctx.engine)
    server = FakeOpenAI()
    with serve_asgi(server.app()) as base:
        settings = ctx.settings.model_copy(update={"openai_api_key": SecretStr("sk-test"),
                                                   "openai_base_url": base + "/v1"})
        yield server, AppContext(settings, ctx.engine, ctx.sessions)


REFUSED: list[tuple[str, dict[str, Any]]] = [
    ("profit_over_time", {"customer": 10**20}),
    ("profit_over_time", {"customer": -1}),
    ("profit_over_time", {"customer": 0}),
    ("profit_over_time", {"customer": True}),
    ("profit_over_time", {"customer": "Acme\x00; DROP TABLE tasks"}),
    ("profit_over_time", {"customer": "Ac\x00me"}),
    ("profit_over_time", {"customer": "99999999999999999999"}),
    ("agent_run_health", {"agent": "ops\x00"}),
    ("revenue_by_customer", {"limit": 10**20}),
]


@pytest.mark.parametrize(("name", "arguments"), REFUSED)
def test_a_hostile_tool_argument_is_a_plain_refusal(canvas, name: str, arguments: dict[str, Any]) -> None:
    server, cctx = canvas
    server.tool_calls = [{"name": name, "arguments": arguments}]
    choice, result = ask(cctx.engine, cctx.settings, "how are we doing?")
    assert result is None and choice.function is None and "not valid" in choice.message


@pytest.mark.parametrize(("start", "end"), [("0001-01-01", "9999-12-31"), ("9999-12-31", "9999-12-31"),
                                            ("0001-01-01", "0001-01-01")])
@pytest.mark.parametrize("name", ["revenue_by_customer", "profit_and_loss", "task_throughput", "burn_rate"])
def test_extreme_dates_from_the_model_are_clamped_and_answered(canvas, name: str, start: str, end: str) -> None:
    server, cctx = canvas
    server.tool_calls = [{"name": name, "arguments": {"start": start, "end": end}}]
    choice, result = ask(cctx.engine, cctx.settings, "everything ever")
    assert result is not None and choice.function == name
    assert "2000-01-01" <= result.params["start"] <= result.params["end"] <= "2199-12-31"


def test_the_same_arguments_typed_by_a_user_are_refused_the_same_way(ctx: AppContext) -> None:
    from core.analytics import AnalyticsError

    with pytest.raises(AnalyticsError, match="customer"):
        run_analytics(ctx.engine, "profit_over_time", {"customer": 10**20})
