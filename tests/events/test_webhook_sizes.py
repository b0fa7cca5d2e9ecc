"""A validly signed Stripe event whose id or type is over-long (12 KB) is refused with 400 and stores nothing.

The bug: Postgres refused the index row of a 12 KB dedupe key or type, and the webhook answered 500.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator

import httpx
import pytest
import stripe
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from core.app.stripe_webhook import webhook_routes
from core.config.context import AppContext
from core.events.webhooks import MAX_EVENT_ID_CHARS, MAX_EVENT_TYPE_CHARS, sign_stripe_payload
from tests.standins.http import serve_asgi
from tests.standins.stripe_events import payment_failed, post_signed

SECRET = "whsec_sizes"


@pytest.fixture
def hook(ctx: AppContext) -> Iterator[str]:
    wctx = AppContext(ctx.settings.model_copy(update={"stripe_webhook_secret": SecretStr(SECRET)}), ctx.engine,
                      ctx.sessions)
    with serve_asgi(Starlette(routes=webhook_routes(lambda: wctx))) as base:
        yield base


def _events(session: Session) -> int:
    return session.execute(text("SELECT count(*) FROM events")).scalar_one()


@pytest.mark.parametrize(("field", "size"), [("id", 12_000), ("type", 12_000), ("id", MAX_EVENT_ID_CHARS + 1),
                                             ("type", MAX_EVENT_TYPE_CHARS + 1)])
def test_a_signed_event_with_an_over_long_id_or_type_is_400_and_stores_nothing(hook: str, session: Session,
                                                                               field: str, size: int) -> None:
    noise = secrets.token_hex(size)[:size]  # incompressible: Postgres squeezes 'xxx…' into an index row
    body = json.dumps({**payment_failed("in_1"), field: noise}).encode()
    header = sign_stripe_payload(body, SECRET, int(time.time()))
    stripe.WebhookSignature.verify_header(body.decode(), header, SECRET, tolerance=300)  # Stripe's own check agrees
    with httpx.Client(timeout=10) as client:
        answer = client.post(f"{hook}/api/ingest/stripe", content=body, headers={"Stripe-Signature": header})
    assert answer.status_code == 400 and field in answer.json()["error"]
    assert _events(session) == 0


def test_an_id_and_type_at_their_limits_are_stored(hook: str, session: Session) -> None:
    evt = {**payment_failed("in_1"), "id": "e" * MAX_EVENT_ID_CHARS, "type": "t" * MAX_EVENT_TYPE_CHARS}
    with httpx.Client(timeout=10) as client:
        answer = post_signed(client, hook, SECRET, evt)
    assert answer.status_code == 200 and _events(session) == 1
