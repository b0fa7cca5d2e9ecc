"""A signed Stripe webhook's ingest (web) and its processing (the event processor) share one derived trace."""

from __future__ import annotations

import httpx
from pydantic import SecretStr
from sqlalchemy import text
from starlette.applications import Starlette

from core.agents.events import run_event_processor
from core.app.stripe_webhook import webhook_routes
from core.config.context import AppContext
from core.tracing.ids import event_ids
from core.tracing.setup import shutdown_tracing
from tests.standins.http import serve_asgi
from tests.standins.stripe_events import invoice_paid, post_signed

SECRET = "whsec_tracing_secret"


def test_a_webhooks_processing_span_is_the_child_of_its_ingest_span(ctx, session, tracing):
    received, traced = tracing
    settings = traced.model_copy(update={"stripe_webhook_secret": SecretStr(SECRET)})
    wctx = AppContext(settings=settings, engine=ctx.engine, sessions=ctx.sessions)
    cid = session.execute(text("INSERT INTO customers (company, contact_email) VALUES ('Acme', 'ap@acme.test') "
                               "RETURNING id")).scalar_one()
    iid = session.execute(text("INSERT INTO invoices (customer_id, amount_cents, status, sent_at) "
                               "VALUES (:c, 12000, 'sent', now()) RETURNING id"), {"c": cid}).scalar_one()
    session.commit()
    evt = invoice_paid("in_traced", amount=12_000, invoice_id=iid)
    with serve_asgi(Starlette(routes=webhook_routes(lambda: wctx))) as base, httpx.Client(timeout=10) as client:
        assert post_signed(client, base, SECRET, evt).status_code == 200
    run_event_processor(session, settings)
    shutdown_tracing()
    [ingest], [processing] = received.named("ingest stripe "), received.named("process stripe ")
    trace_id, span_id = event_ids("stripe", evt["id"])
    assert ingest.trace_id == processing.trace_id == f"{trace_id:032x}"
    assert processing.parent_span_id == ingest.span_id == f"{span_id:016x}"
    assert processing.attributes["hoss.event.outcome"] == "processed"
    assert ingest.attributes["hoss.event.duplicate"] is False
