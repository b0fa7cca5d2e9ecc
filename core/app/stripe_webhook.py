"""POST /api/ingest/stripe: verify the signature on the raw body, store the event once, answer once it committed.

Events are stored by group commit (core.events.ingest_writer, on the server's loop): a request's event joins the
batch that fills while others commit (WEBHOOK_BATCH_WINDOW_MS, at most WEBHOOK_BATCH_MAX, WEBHOOK_WRITERS in flight),
written in one transaction; the 200 comes after that commit, and an event that could not be stored answers 503, so
Stripe retries (the retry is deduplicated). The request itself only verifies the signature and parses."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import psycopg
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.app.http import ApiError, error_response, read_body
from core.app.metrics import count_refused_webhook
from core.config.context import AppContext
from core.events.ingest_writer import EventWriter
from core.events.webhooks import (
    MAX_BODY_BYTES,
    BadEvent,
    SignatureError,
    parse_stripe_event,
    verify_stripe_signature,
    webhook_secrets,
)
from core.tracing import spans
from db.engine import libpq_url

log = logging.getLogger("hoss.webhooks")


def webhook_routes(ctx_provider: Callable[[], AppContext]) -> list[Route]:
    """The Starlette routes of the webhook: POST /api/ingest/stripe (its signature is its authentication)."""
    writers: dict[int, EventWriter] = {}  # one per database engine, made on first use

    def writer(ctx: AppContext) -> EventWriter:
        key = id(ctx.engine)
        if key not in writers:
            writers[key] = event_writer(ctx)
        return writers[key]

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
                stored = await writer(ctx).store(event)
                span.set_attribute("hoss.event.duplicate", stored.duplicate)
        except psycopg.DataError:  # parse_stripe_event checks what jsonb refuses; this is the database's own word
            count_refused_webhook("unstorable")
            log.warning("refused Stripe webhook %s: the database could not store it", event["id"][:80])
            return error_response(400, "event payload cannot be stored")
        except Exception as exc:  # not stored, so not acknowledged: Stripe retries a 503
            log.error("Stripe webhook %s not stored (%s); answered 503 so Stripe retries it", event["id"][:80],
                      type(exc).__name__)
            return error_response(503, "the event could not be stored just now; retry it")
        return JSONResponse({"received": True, "duplicate": stored.duplicate})

    return [Route("/api/ingest/stripe", ingest_stripe, methods=["POST"])]


def event_writer(ctx: AppContext) -> EventWriter:
    """The group commit of Stripe events for this context's database, sized by its settings."""
    settings = ctx.settings
    return EventWriter(libpq_url(ctx.engine), window_s=settings.webhook_batch_window_ms / 1000,
                       max_batch=settings.webhook_batch_max, writers=settings.webhook_writers)
