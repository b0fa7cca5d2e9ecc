"""A Slack Web API stand-in over real HTTP: chat.postMessage, chat.update, chat.postEphemeral and views.open,
every call kept."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.standins.http import serve_asgi

METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral", "views.open")


@dataclass
class SlackCalls:
    """Every call as (method, arguments, bearer token)."""

    calls: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def of(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [args for m, args, _ in self.calls if m == method]


def _app(calls: SlackCalls) -> Starlette:
    async def method(request: Request) -> JSONResponse:
        name = request.path_params["method"]
        raw = await request.body()
        if request.headers.get("content-type", "").startswith("application/json"):
            args = json.loads(raw or b"{}")
        else:
            args = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if name not in METHODS:
            return JSONResponse({"ok": False, "error": "unknown_method"})
        if not token:
            return JSONResponse({"ok": False, "error": "not_authed"})
        with calls._lock:
            calls.calls.append((name, args, token))
            ts = f"1700000000.{next(calls._ts):06d}"
        if name == "views.open":
            return JSONResponse({"ok": True, "view": {"id": f"V{ts}"}})
        if name == "chat.postEphemeral":
            return JSONResponse({"ok": True, "message_ts": ts})
        return JSONResponse({"ok": True, "channel": args.get("channel"), "ts": args.get("ts") or ts})

    return Starlette(routes=[Route("/api/{method}", method, methods=["POST"])])


@contextmanager
def slack_server() -> Iterator[tuple[SlackCalls, str]]:
    """Run the stand-in; yield (calls, its Web API base URL ending in /api/)."""
    calls = SlackCalls()
    with serve_asgi(_app(calls)) as base:
        yield calls, f"{base}/api/"
