"""POST /api/ingest/stripe: verify the signature on the raw body, store the event once, answer at once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import DataError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.app.http import ApiError, error_response, read_body
from core.app.metrics import count_refused_webhook
from core.config.context import AppContext
from core.events.webhooks import (
    MAX_BODY_BYTES,
    BadEvent,
    SignatureError,
    StoredEvent,
    parse_stripe_event,
    store_stripe_event,
    verify_stripe_signature,
    webhook_secrets,
)
from core.tracing import spans

log = logging.getLogger("hoss.webhooks")


def webhook_routes(ctx_provider: Callable[[], AppContext]) -> list[Route]:
    """The Starlette routes of the webhook: POST /api/ingest/stripe (its signature is its authentication)."""

    async def ingest_stripe(request: Request) -> JSONResponse:
        ctx = ctx_provider()  # cheap after the first call; the web/api process builds it at start-up
        secrets = webhook_secrets(ctx.settings)
        if not secrets:
            count_refused_webhook("not_configured")
            return error_response(503, "STRIPE_WEBHOOK_SECRET is not set, so webhooks cannot be verified; none are accepted.")
        try:
            body = await read_body(request, MAX_BODY_BYTES)  # the raw bytes: the signature covers them exactly
        except ApiError as exc:
            count_refused_webhook("too_large")
            return error_response(exc.status, exc.message)
        try:
            verify_stripe_signature(body, request.headers.get("stripe-signature"), secrets, int(time.time()))
            event = parse_stripe_event(body)
        except (SignatureError, BadEvent) as exc:
            log.warning("refused Stripe webhook: %s", exc)
            count_refused_webhook("signature" if isinstance(exc, SignatureError) else "bad_event")
            return error_response(400, str(exc))
        try:
            stored = await run_in_threadpool(_store, ctx, event)
        except DataError:  # parse_stripe_event checks what jsonb refuses; this is the database's own word
            count_refused_webhook("unstorable")
            log.warning("refused Stripe webhook %s: the database could not store it", event["id"][:80])
            return error_response(400, "event payload cannot be stored")
        return JSONResponse({"received": True, "duplicate": stored.duplicate})

    return [Route("/api/ingest/stripe", ingest_stripe, methods=["POST"])]


def _store(ctx: AppContext, event: dict[str, Any]) -> StoredEvent:
    with spans.event_ingest("stripe", event["id"], event["type"]) as span, ctx.sessions() as session:
        stored = store_stripe_event(session, event)
        span.set_attribute("hoss.event.duplicate", stored.duplicate)
        return stored
