"""ui.assets.MemoryBundles over real HTTP: a known bundle is answered from memory; everything else reaches the app."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.standins.http import serve_asgi
from ui.assets import MemoryBundles


@pytest.fixture
def served(tmp_path: Path):
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "static" / "js" / "app.abc123.js").write_bytes(b"console.log(1)")
    (tmp_path / "secret.txt").write_text("not a bundle")
    reached: list[str] = []

    async def fallback(request: Request) -> PlainTextResponse:
        reached.append(f"{request.method} {request.url.path}")
        return PlainTextResponse("from the app")

    inner = Starlette(routes=[Route("/{path:path}", fallback, methods=["GET", "HEAD", "POST"])])
    with serve_asgi(MemoryBundles(inner, tmp_path)) as base, httpx.Client(base_url=base, timeout=10) as client:
        yield client, reached, tmp_path


def test_a_known_bundle_is_sent_from_memory_without_reaching_the_app(served) -> None:
    client, reached, root = served
    first = client.get("/static/js/app.abc123.js")
    (root / "static" / "js" / "app.abc123.js").write_bytes(b"changed on disk")  # read once, then from memory
    second = client.get("/static/js/app.abc123.js")
    assert first.content == second.content == b"console.log(1)" and reached == []
    assert first.headers["content-type"] == "application/javascript"
    assert first.headers["cache-control"] == "public, immutable, max-age=31536000"
    assert first.headers["content-length"] == "14"


@pytest.mark.parametrize(("method", "path", "headers"), [
    ("HEAD", "/static/js/app.abc123.js", {}),
    ("POST", "/static/js/app.abc123.js", {}),
    ("GET", "/static/js/app.abc123.js", {"If-None-Match": '"x"'}),
    ("GET", "/static/js/app.abc123.js", {"Range": "bytes=0-3"}),
    ("GET", "/static/js/other.js", {}),
    ("GET", "/static/../secret.txt", {}),
    ("GET", "/static/js/%2e%2e/%2e%2e/secret.txt", {}),
    ("GET", "/inbox", {}),
])
def test_anything_but_a_plain_get_of_a_known_bundle_goes_on_to_the_app(served, method, path, headers) -> None:
    client, reached, _ = served
    response = client.request(method, path, headers=headers)
    assert len(reached) == 1 and reached[0].startswith(method) and b"not a bundle" not in response.content
