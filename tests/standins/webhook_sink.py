"""A JSON POST sink standing in for Slack's incoming webhook or SendGrid's mail/send."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route


@dataclass
class JsonSink:
    """Records (headers, json) of each POST to `path`; answers `status`, or `fail_with` for `fail_times` posts."""

    path: str = "/hook"
    status: int = 200
    fail_with: int | None = None
    fail_times: int = 0
    received: list[tuple[dict[str, str], Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> Starlette:
        async def receive(request: Request) -> PlainTextResponse:
            body = await request.json()
            with self._lock:
                self.received.append((dict(request.headers), body))
                if self.fail_with is not None and self.fail_times > 0:
                    self.fail_times -= 1
                    return PlainTextResponse("stand-in failure", status_code=self.fail_with)
            return PlainTextResponse("ok", status_code=self.status, headers={"X-Message-Id": "sg-1"})

        return Starlette(routes=[Route(self.path, receive, methods=["POST"])])
