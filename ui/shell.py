"""Streamlit's HTML shell, sent for every page URL, with the console's own base URL written into it.

Loaded at `/audit`, Streamlit's frontend cannot tell a page of an app at `/` from an app served at `/audit`. So it
asks `/audit/_stcore/health` first, gets a 404, waits 100 ms and only then asks `/_stcore/health`. Its source says
as much: a page opened directly loads slower than the main page. Every link into the console pays this: a
`?task=` link from Slack or email, a bookmark, a reload. The server knows the answer. ShellBase writes it into the
shell as `window.__streamlit.BACKEND_BASE_URL`, the embedding setting Streamlit reads once at start, so the first
probe is the right one.

The URL is worked out in the browser: it is the address bar's path with the page part the server saw taken off,
so a proxy's prefix is kept. Where the two do not line up, nothing is set and Streamlit probes as before. Only a
GET whose body is Streamlit's index.html byte for byte (once un-gzipped: Streamlit compresses it) is changed,
and it leaves in the encoding it came in; every other response passes as it came.
"""

from __future__ import annotations

import gzip
import json
import zlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The shell is ~8 kB (2.4 kB gzipped); a longer HTML response is not it, and is streamed on once this much is held.
MAX_SHELL = 64 * 1024
# A classic inline script runs while the shell is parsed, before Streamlit's module bundle reads its setting.
_SCRIPT = ('<script>(() => {{ const page = {page}; const path = location.pathname.replace(/\\/+$/, "");'
           ' if (path.endsWith(page)) window.__streamlit = Object.assign({{}}, window.__streamlit,'
           ' {{BACKEND_BASE_URL: location.origin + path.slice(0, path.length - page.length) + "/"}}); }})();'
           '</script>')


def page_part(path: str, root_path: str, base_url_path: str) -> str:
    """The request path with the ASGI root path and Streamlit's `server.baseUrlPath` taken off, no trailing slash:
    "" for the main page, "/audit" for a page."""
    for prefix in (root_path.rstrip("/"), "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""):
        if prefix and (path == prefix or path.startswith(prefix + "/")):
            path = path[len(prefix):]
    return path.rstrip("/")


def script_for(page: str) -> bytes:
    """The inline script for a page part; the path is request input, so it is a JSON string that cannot close
    the script element (`<`, `>` and `&` escaped)."""
    literal = json.dumps(page).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _SCRIPT.format(page=literal).encode()


class ShellBase:
    """ASGI middleware: Streamlit's index.html (`index_html`, the bytes it serves) gains the base-URL script."""

    def __init__(self, app: ASGIApp, index_html: bytes, base_url_path: str) -> None:
        self.app = app
        self._index = index_html
        self._base_url_path = base_url_path
        self._patchable = b"<head>" in index_html  # a future shell without the tag is passed on as it is

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not self._patchable:
            await self.app(scope, receive, send)
            return
        held: Message | None = None  # the start of a response that may be the shell, until its body is known
        chunks: list[bytes] = []

        async def maybe_patched(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and _may_be_shell(message):
                held = message
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if sum(map(len, chunks)) > MAX_SHELL:  # not the shell: send what was held and stream on unchanged
                start, held = held, None
                await send(start)
                await send({**message, "body": b"".join(chunks)})
                return
            if message.get("more_body"):
                return
            page = page_part(scope["path"], scope.get("root_path", ""), self._base_url_path)
            body = self._patched(b"".join(chunks), _header(held, b"content-encoding"), page)
            headers = [(k, v) for k, v in held["headers"] if k.lower() != b"content-length"]
            await send({**held, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, maybe_patched)

    def _patched(self, body: bytes, encoding: bytes, page: str) -> bytes:
        """`body` with the script if it is the shell (in `encoding`: none or gzip), else `body` unchanged."""
        if encoding not in (b"", b"gzip"):
            return body
        try:
            plain = gzip.decompress(body) if encoding == b"gzip" else body
        except (OSError, EOFError, zlib.error):  # not gzip after all: not the shell either
            return body
        if plain != self._index:
            return body
        plain = plain.replace(b"<head>", b"<head>" + script_for(page), 1)
        return gzip.compress(plain, mtime=0) if encoding == b"gzip" else plain


def _may_be_shell(start: Message) -> bool:
    return start["status"] == 200 and _header(start, b"content-type").startswith(b"text/html")


def _header(start: Message, name: bytes) -> bytes:
    return next((v for k, v in start["headers"] if k.lower() == name), b"").strip().lower()
