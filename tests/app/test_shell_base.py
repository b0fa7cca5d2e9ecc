"""ui.shell.ShellBase over real HTTP, and its script in Chromium: Streamlit's shell names the console's base URL."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, StreamingResponse
from starlette.routing import Route

from tests.browser_support import browser  # noqa: F401 - a fixture
from tests.standins.http import serve_asgi
from ui.shell import MAX_SHELL, ShellBase, page_part, script_for

SHELL = b"<!DOCTYPE html><html><head><title>Streamlit</title></head><body><div id=\"root\"></div></body></html>"


@pytest.fixture
def served(tmp_path: Path):
    index = tmp_path / "index.html"
    index.write_bytes(SHELL)

    async def shell(request: Request) -> FileResponse:  # Streamlit's SPA fallback: the shell for any page path
        return FileResponse(index)

    async def other_html(request: Request) -> HTMLResponse:
        return HTMLResponse("<html><head></head><p>Google connected</p></html>")

    async def long_html(request: Request) -> StreamingResponse:
        chunks = (b"<html><head></head>" + b"x" * 10_000 for _ in range(10))
        return StreamingResponse(chunks, media_type="text/html")

    inner = Starlette(routes=[Route("/google/done", other_html), Route("/long", long_html),
                              Route("/{path:path}", shell, methods=["GET", "HEAD"])],
                      middleware=[Middleware(GZipMiddleware, minimum_size=16)])
    with serve_asgi(ShellBase(inner, SHELL, base_url_path="")) as base, httpx.Client(base_url=base, timeout=10) as c:
        yield c


def test_a_page_path_gets_the_shell_with_its_page_named_in_the_script(served) -> None:
    response = served.get("/audit", headers={"Accept-Encoding": "identity"})
    assert response.content == SHELL.replace(b"<head>", b"<head>" + script_for("/audit"))
    assert response.headers["content-length"] == str(len(response.content))


def test_the_main_page_gets_an_empty_page_part(served) -> None:
    assert script_for("") in served.get("/", headers={"Accept-Encoding": "identity"}).content


def test_a_gzipped_shell_is_patched_and_sent_gzipped(served) -> None:
    response = served.get("/failures", headers={"Accept-Encoding": "gzip"})  # httpx decodes it for us
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == SHELL.replace(b"<head>", b"<head>" + script_for("/failures"))
    assert int(response.headers["content-length"]) == len(gzip.compress(response.content, mtime=0))


def test_other_html_and_a_head_request_pass_unchanged(served) -> None:
    assert served.get("/google/done").text == "<html><head></head><p>Google connected</p></html>"
    assert "content-length" in served.head("/audit").headers and served.head("/audit").content == b""


def test_a_long_html_response_streams_on_unchanged(served) -> None:
    body = served.get("/long", headers={"Accept-Encoding": "identity"}).content
    assert len(body) == 10 * (19 + 10_000) > MAX_SHELL and b"<script>" not in body


def test_a_hostile_path_cannot_close_the_script() -> None:
    script = script_for("/</script><script>alert(1)//&").decode()
    assert script.count("</script>") == 1 and "<script>alert" not in script
    literal = script.split("const page = ", 1)[1].split(";", 1)[0]
    assert json.loads(literal) == "/</script><script>alert(1)//&"


@pytest.mark.parametrize(("path", "root_path", "base", "page"), [
    ("/", "", "", ""),
    ("/audit", "", "", "/audit"),
    ("/audit/", "", "", "/audit"),
    ("/hoss/audit", "", "hoss", "/audit"),
    ("/hoss", "", "/hoss/", ""),
    ("/proxy/hoss/audit", "/proxy", "hoss", "/audit"),
    ("/hossx/audit", "", "hoss", "/hossx/audit"),
])
def test_page_part_takes_off_the_root_path_and_the_base_url_path(path, root_path, base, page) -> None:
    assert page_part(path, root_path, base) == page


@pytest.mark.browser
@pytest.mark.parametrize(("url", "page", "expected"), [
    ("http://console.test/audit", "/audit", "http://console.test/"),
    ("http://console.test/", "", "http://console.test/"),
    ("http://proxy.test/hoss/audit?task=7", "/audit", "http://proxy.test/hoss/"),
    ("http://proxy.test/rewritten", "/audit", None),
])
def test_the_script_names_the_base_the_browser_sees(browser, url, page, expected) -> None:
    context = browser.new_context()
    try:
        p = context.new_page()
        html = SHELL.replace(b"<head>", b"<head>" + script_for(page))
        p.route("**/*", lambda route: route.fulfill(status=200, content_type="text/html", body=html))
        p.goto(url)
        assert p.evaluate("() => window.__streamlit?.BACKEND_BASE_URL ?? null") == expected
    finally:
        context.close()
