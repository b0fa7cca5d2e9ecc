"""POST /api/ingest/stripe: verify the signature on the raw body, store the event once, answer once it committed.

Events are stored by group commit (core.events.group_commit): a request's event joins the batch of the next few
milliseconds (WEBHOOK_BATCH_WINDOW_MS, at most WEBHOOK_BATCH_MAX), written in one transaction; the 200 comes after
that commit, and a batch that could not be stored answers 503, so Stripe retries (the retry is deduplicated)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import DataError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.app.http import ApiError, error_response, read_body
from core.app.metrics import count_refused_webhook
from core.config.context import AppContext
from core.events.group_commit import GroupCommit
from core.events.webhooks import (
    MAX_BODY_BYTES,
    BadEvent,
    SignatureError,
    StoredEvent,
    parse_stripe_event,
    store_batch,
    verify_stripe_signature,
    webhook_secrets,
)
from core.tracing import spans

log = logging.getLogger("hoss.webhooks")


def webhook_routes(ctx_provider: Callable[[], AppContext]) -> list[Route]:
    """The Starlette routes of the webhook: POST /api/ingest/stripe (its signature is its authentication)."""
    batchers: dict[int, GroupCommit[StoredEvent]] = {}  # one per database engine, made on first use

    def batcher(ctx: AppContext) -> GroupCommit[StoredEvent]:
        key = id(ctx.engine)
        if key not in batchers:
            batchers[key] = event_batcher(ctx)
        return batchers[key]

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
            with spans.event_ingest("stripe", event["id"], event["type"]) as span:
                stored = await batcher(ctx).submit(event)
                span.set_attribute("hoss.event.duplicate", stored.duplicate)
        except DataError:  # parse_stripe_event checks what jsonb refuses; this is the database's own word
            count_refused_webhook("unstorable")
            log.warning("refused Stripe webhook %s: the database could not store it", event["id"][:80])
            return error_response(400, "event payload cannot be stored")
        except Exception as exc:  # not stored, so not acknowledged: Stripe retries a 503
            log.error("Stripe webhook %s not stored (%s); answered 503 so Stripe retries it", event["id"][:80],
                      type(exc).__name__)
            return error_response(503, "the event could not be stored just now; retry it")
        return JSONResponse({"received": True, "duplicate": stored.duplicate})

    return [Route("/api/ingest/stripe", ingest_stripe, methods=["POST"])]


def event_batcher(ctx: AppContext) -> GroupCommit[StoredEvent]:
    """The group commit of Stripe events for this context's database, sized by its settings."""
    settings = ctx.settings

    def write(events: Any) -> list[StoredEvent | Exception]:
        return store_batch(ctx.sessions, events)

    return GroupCommit(write, window_s=settings.webhook_batch_window_ms / 1000, max_batch=settings.webhook_batch_max)
