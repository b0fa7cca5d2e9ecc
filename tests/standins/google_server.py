"""Enough of Google for the connect flow, Gmail drafts and Sheets rows, over real HTTP, counting every request.

OAuth: `/token` (authorization_code and refresh_token grants; `invalid_grant` once revoked), `/revoke`, and
`/auth` (never visited by tests; the consent URL points at it). Gmail: users.getProfile, users.drafts.create
and users.drafts.list (`q=rfc822msgid:<id>`). Sheets: values.get and values.append. `expire_access_tokens()`
makes the next API call answer 401; `revoke_all()` makes every refresh answer `invalid_grant`.
"""

from __future__ import annotations

import base64
import email
import email.policy
import itertools
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

CLIENT_ID = "hoss-test-client.apps.googleusercontent.com"
CLIENT_SECRET = "stand-in-client-secret-5f3a"
ACCOUNT = "founder@example.com"


@dataclass
class FakeGoogle:
    """`requests` holds (method, path, form or JSON body) of every request, in order."""

    account: str = ACCOUNT
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    drafts: list[dict[str, Any]] = field(default_factory=list)
    sheets: dict[str, list[list[Any]]] = field(default_factory=dict)
    codes: set[str] = field(default_factory=set)
    refresh_tokens: dict[str, bool] = field(default_factory=dict)  # token → still valid
    access_tokens: dict[str, bool] = field(default_factory=dict)
    _n: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issue_code(self) -> str:
        """An authorization code Google would put on the callback (good once)."""
        with self._lock:
            code = f"4/code-{next(self._n)}"
            self.codes.add(code)
            return code

    def expire_access_tokens(self) -> None:
        with self._lock:
            self.access_tokens = dict.fromkeys(self.access_tokens, False)

    def revoke_all(self) -> None:
        with self._lock:
            self.refresh_tokens = dict.fromkeys(self.refresh_tokens, False)
            self.access_tokens = dict.fromkeys(self.access_tokens, False)

    def count(self, method: str, path: str) -> int:
        """How many requests of `method` went to exactly `path`."""
        with self._lock:
            return sum(1 for m, p, _ in self.requests if m == method and p == path)

    def grants(self, grant_type: str) -> int:
        with self._lock:
            return sum(1 for m, p, body in self.requests if p == "/token" and body.get("grant_type") == grant_type)

    def _access(self) -> str:
        token = f"ya29.stand-in-{next(self._n)}"
        self.access_tokens[token] = True
        return token

    def _authorized(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme == "Bearer" and self.access_tokens.get(token, False)

    def app(self) -> Starlette:
        def unauthorized() -> JSONResponse:
            return JSONResponse({"error": {"code": 401, "message": "Request had invalid authentication credentials.",
                                           "status": "UNAUTHENTICATED"}}, status_code=401)

        async def token(request: Request) -> JSONResponse:
            form = dict(parse_qsl((await request.body()).decode()))
            with self._lock:
                self.requests.append(("POST", "/token", form))
                if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                    return JSONResponse({"error": "invalid_client"}, status_code=401)
                if form.get("grant_type") == "authorization_code":
                    if form.get("code") not in self.codes:
                        return JSONResponse({"error": "invalid_grant", "error_description": "Bad code."}, 400)
                    self.codes.discard(form["code"])
                    refresh = f"1//stand-in-refresh-{next(self._n)}-secret"
                    self.refresh_tokens[refresh] = True
                    return JSONResponse({"access_token": self._access(), "refresh_token": refresh, "expires_in": 3599,
                                         "token_type": "Bearer", "scope": form.get("scope") or
                                         "https://www.googleapis.com/auth/gmail.compose "
                                         "https://www.googleapis.com/auth/spreadsheets"})
                if form.get("grant_type") == "refresh_token":
                    if not self.refresh_tokens.get(form.get("refresh_token", ""), False):
                        return JSONResponse({"error": "invalid_grant",
                                             "error_description": "Token has been expired or revoked."}, 400)
                    return JSONResponse({"access_token": self._access(), "expires_in": 3599, "token_type": "Bearer"})
                return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)

        async def revoke(request: Request) -> JSONResponse:
            form = dict(parse_qsl((await request.body()).decode()))
            with self._lock:
                self.requests.append(("POST", "/revoke", form))
                if form.get("token") not in self.refresh_tokens:
                    return JSONResponse({"error": "invalid_token"}, status_code=400)
                self.refresh_tokens[form["token"]] = False
                return JSONResponse({})

        async def profile(request: Request) -> JSONResponse:
            with self._lock:
                self.requests.append(("GET", request.url.path, None))
                if not self._authorized(request):
                    return unauthorized()
                return JSONResponse({"emailAddress": self.account, "messagesTotal": 0})

        async def drafts(request: Request) -> JSONResponse:
            body = await request.json() if request.method == "POST" else dict(request.query_params)
            with self._lock:
                self.requests.append((request.method, request.url.path, body))
                if not self._authorized(request):
                    return unauthorized()
                if request.method == "POST":
                    n = next(self._n)
                    draft = {"id": f"r-{n}", "message": {"id": f"m-{n}", "threadId": f"t-{n}", "labelIds": ["DRAFT"]},
                             "raw": body["message"]["raw"]}
                    self.drafts.append(draft)
                    return JSONResponse({"id": draft["id"], "message": draft["message"]})
                wanted = body.get("q", "").removeprefix("rfc822msgid:")
                found = [{"id": d["id"], "message": d["message"]} for d in self.drafts
                         if wanted and message_of(d["raw"])["Message-ID"] == wanted]
                return JSONResponse({"drafts": found, "resultSizeEstimate": len(found)} if found else
                                    {"resultSizeEstimate": 0})

        async def values(request: Request) -> JSONResponse:
            sheet_id, rng = request.path_params["sheet"], request.path_params["rest"]
            body = await request.json() if request.method == "POST" else None
            with self._lock:
                self.requests.append((request.method, request.url.path, body))
                if not self._authorized(request):
                    return unauthorized()
                if sheet_id not in self.sheets:
                    return JSONResponse({"error": {"code": 404, "message": "Requested entity was not found.",
                                                   "status": "NOT_FOUND"}}, status_code=404)
                rows = self.sheets[sheet_id]
                if request.method == "POST" and rng.endswith(":append"):
                    rows.extend(body["values"])
                    return JSONResponse({"spreadsheetId": sheet_id, "updates": {
                        "updatedRange": f"{rng.removesuffix(':append')}", "updatedRows": len(body["values"])}})
                return JSONResponse({"range": rng, "majorDimension": "ROWS", **({"values": rows} if rows else {})})

        return Starlette(routes=[
            Route("/token", token, methods=["POST"]),
            Route("/revoke", revoke, methods=["POST"]),
            Route("/gmail/v1/users/me/profile", profile, methods=["GET"]),
            Route("/gmail/v1/users/me/drafts", drafts, methods=["GET", "POST"]),
            Route("/v4/spreadsheets/{sheet}/values/{rest:path}", values, methods=["GET", "POST"]),
        ])


def message_of(raw: str) -> email.message.Message:
    """The RFC 822 message inside a Gmail `raw` (base64url), headers decoded (RFC 2047 words read as text)."""
    return email.message_from_bytes(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)), policy=email.policy.default)
