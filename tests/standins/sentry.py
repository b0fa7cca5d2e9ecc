"""A Sentry stand-in: a Starlette app on loopback that receives envelopes as sentry-sdk sends them.

`serve_sentry()` yields the DSN to hand a process and the stand-in, whose `envelopes` are the raw (decompressed)
bodies in arrival order and whose `events()` are the parsed `event` items.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.standins.http import serve_asgi

PUBLIC_KEY = "0123456789abcdef0123456789abcdef"


@dataclass
class SentryStandIn:
    envelopes: list[bytes] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, raw: bytes) -> None:
        with self._lock:
            self.envelopes.append(raw)

    def raw(self) -> bytes:
        with self._lock:
            return b"\n".join(self.envelopes)

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            bodies = list(self.envelopes)
        return [payload for body in bodies for kind, payload in parse_envelope(body) if kind == "event"]

    def wait_for_events(self, n: int = 1, *, within: float = 30.0) -> list[dict[str, Any]]:
        """The events received once there are at least `n` (bounded wait, not a timing assertion)."""
        deadline = time.monotonic() + within
        while len(found := self.events()) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return found


def parse_envelope(body: bytes) -> list[tuple[str, Any]]:
    """(item type, payload) pairs of one envelope: a header line, then item header and payload per item."""
    items: list[tuple[str, Any]] = []
    _, _, rest = body.partition(b"\n")
    while rest.strip():
        header_line, _, rest = rest.partition(b"\n")
        header = json.loads(header_line)
        if "length" in header:
            payload, rest = rest[: header["length"]], rest[header["length"] + 1:]
        else:
            payload, _, rest = rest.partition(b"\n")
        try:
            items.append((header.get("type", ""), json.loads(payload)))
        except ValueError:
            items.append((header.get("type", ""), payload))
    return items


def _decode(raw: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(raw)
    if encoding == "deflate":
        return zlib.decompress(raw)
    if encoding:  # sentry-sdk picks brotli only when that module is installed; it is not a dependency here
        raise AssertionError(f"unexpected Content-Encoding {encoding!r}")
    return raw


@contextmanager
def serve_sentry() -> Iterator[tuple[str, SentryStandIn]]:
    standin = SentryStandIn()

    async def envelope(request: Request) -> JSONResponse:
        standin.add(_decode(await request.body(), request.headers.get("content-encoding", "")))
        return JSONResponse({"id": "0" * 32})

    app = Starlette(routes=[Route("/api/{project}/envelope/", envelope, methods=["POST"])])
    with serve_asgi(app) as base:
        host_port = base.removeprefix("http://")
        yield f"http://{PUBLIC_KEY}@{host_port}/1", standin
