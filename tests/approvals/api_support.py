"""The API served over real HTTP with operator tokens, for the decisions tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from pydantic import SecretStr
from starlette.applications import Starlette

from core.app.api import api_routes
from core.config.context import AppContext
from tests.standins.http import serve_asgi

SYSTEM_TOKEN = "system-token-0123456789"
TOKENS = {"ana": "ana-token-0123456789", "bo": "bo-token-0123456789", "vi": "vi-token-0123456789"}


def auth(name: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[name] if name else SYSTEM_TOKEN}"}


def with_settings(ctx: AppContext, **update: Any) -> AppContext:
    """The same database with changed settings (API tokens always set)."""
    tokens = ",".join(f"{t}={n}" for n, t in TOKENS.items())
    update = {"hoss_api_token": SecretStr(SYSTEM_TOKEN), "hoss_api_tokens": SecretStr(tokens), **update}
    return AppContext(ctx.settings.model_copy(update=update), ctx.engine, ctx.sessions)


@contextmanager
def serve(ctx: AppContext, port: int | None = None) -> Iterator[httpx.Client]:
    app = Starlette(routes=api_routes(lambda: ctx))
    with serve_asgi(app, port=port) as base, httpx.Client(base_url=base, timeout=10) as c:
        yield c
