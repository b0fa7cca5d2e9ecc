"""Streamlit's content-hashed bundles (JavaScript, CSS, fonts) answered from memory, ahead of the middleware.

A cold page load fetches ~270 bundles. Through st.App each one passes a dozen middleware layers and three thread
hand-offs (stat, open, read): about 1 ms of the event loop apiece, most of the web process's CPU per page load,
spent while the same process runs the page's script. The files never change under a running server (their
names carry their hash, and Streamlit sends them as immutable), so each is read once and then sent from a dict.
Everything else (pages, the websocket, the API, HEAD, conditional and ranged requests, unknown names) goes on
to the app unchanged.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

# Streamlit's own header for these files (starlette_static_routes: hashed bundles live a year in the cache).
CACHE_CONTROL = b"public, immutable, max-age=31536000"
# What Streamlit's static files send for the two kinds a page load is made of (Streamlit registers the
# JavaScript type with mimetypes itself); fonts and images take mimetypes' answer.
MEDIA = {".js": "application/javascript", ".css": "text/css; charset=utf-8"}
# A request that asks for part of a file or for a revalidation is left to Streamlit's static files.
PASS_HEADERS = frozenset({b"range", b"if-none-match", b"if-modified-since", b"if-range"})


class MemoryBundles:
    """ASGI middleware: GET /static/<a file under static_dir/static> from memory, else the wrapped app."""

    def __init__(self, app: ASGIApp, static_dir: Path) -> None:
        self.app = app
        root = static_dir / "static"
        # The only names ever served: the files present at start. A path is looked up, never joined or opened.
        self._files = {"/static/" + p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}
        self._sent: dict[str, tuple[bytes, list[tuple[bytes, bytes]]]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = self._answer(scope) if scope["type"] == "http" else None
        if answer is None:
            await self.app(scope, receive, send)
            return
        body, headers = answer
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _answer(self, scope: Scope) -> tuple[bytes, list[tuple[bytes, bytes]]] | None:
        path = scope["path"]
        if scope["method"] != "GET" or path not in self._files:
            return None
        if any(name in PASS_HEADERS for name, _ in scope["headers"]):
            return None
        if path not in self._sent:
            self._sent[path] = _response(self._files[path])
        return self._sent[path]


def _response(path: Path) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    body = path.read_bytes()
    media = MEDIA.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return body, [(b"content-type", media.encode()), (b"content-length", str(len(body)).encode()),
                  (b"cache-control", CACHE_CONTROL)]
