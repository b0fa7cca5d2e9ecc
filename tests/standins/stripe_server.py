"""Enough of Stripe's API for Checkout and billing portal sessions: records each request, replays answers per
Idempotency-Key."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass
class FakeStripe:
    """`requests` holds (headers, form fields) of each POST; `fail_with`/`fail_times` inject errors."""

    fail_with: int | None = None
    fail_times: int = 0
    requests: list[tuple[dict[str, str], dict[str, str]]] = field(default_factory=list)
    _by_key: dict[str, dict[str, Any]] = field(default_factory=dict)
    _portal_by_key: dict[str, dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def sessions_created(self) -> int:
        with self._lock:
            return len(self._by_key)

    @property
    def portal_sessions_created(self) -> int:
        with self._lock:
            return len(self._portal_by_key)

    def _refusal(self, headers: dict[str, str]) -> JSONResponse | None:
        if self.fail_with is not None and self.fail_times > 0:
            self.fail_times -= 1
            kind = "api_error" if self.fail_with >= 500 else "invalid_request_error"
            return JSONResponse({"error": {"type": kind, "message": f"stand-in {self.fail_with}"}},
                                status_code=self.fail_with)
        if not headers.get("authorization", "").startswith("Bearer sk_"):
            return JSONResponse({"error": {"type": "invalid_request_error", "message": "bad key"}}, 401)
        return None

    def app(self) -> Starlette:
        async def create_portal_session(request: Request) -> JSONResponse:
            form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
            headers = dict(request.headers)
            with self._lock:
                self.requests.append((headers, form))
                if (refused := self._refusal(headers)) is not None:
                    return refused
                if not form.get("customer"):
                    return JSONResponse({"error": {"type": "invalid_request_error",
                                                   "message": "Missing required param: customer."}}, 400)
                key = headers.get("idempotency-key", "")
                if key not in self._portal_by_key:
                    n = len(self._portal_by_key) + 1
                    self._portal_by_key[key] = {
                        "id": f"bps_test_{n}", "object": "billing_portal.session", "customer": form["customer"],
                        "return_url": form.get("return_url"), "url": f"https://billing.stripe.test/p/session/bps_test_{n}",
                    }
                return JSONResponse(self._portal_by_key[key])

        async def create_session(request: Request) -> JSONResponse:
            form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
            headers = dict(request.headers)
            with self._lock:
                self.requests.append((headers, form))
                if (refused := self._refusal(headers)) is not None:
                    return refused
                key = headers.get("idempotency-key", "")
                if key not in self._by_key:  # Stripe answers a repeated key with the first answer
                    n = len(self._by_key) + 1
                    self._by_key[key] = {
                        "id": f"cs_test_{n}", "object": "checkout.session", "mode": form.get("mode"),
                        "url": f"https://checkout.stripe.test/c/pay/cs_test_{n}",
                        "client_reference_id": form.get("client_reference_id"),
                        "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
                        "amount_total": int(form.get("line_items[0][price_data][unit_amount]", "0")),
                        "price": form.get("line_items[0][price]"), "customer": form.get("customer"),
                    }
                return JSONResponse(self._by_key[key])

        return Starlette(routes=[Route("/v1/checkout/sessions", create_session, methods=["POST"]),
                                 Route("/v1/billing_portal/sessions", create_portal_session, methods=["POST"])])
