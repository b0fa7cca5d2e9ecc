"""Group commit of the Stripe webhook: many events share one transaction, each answered only after its commit."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from core.app.stripe_webhook import webhook_routes
from core.config.context import AppContext
from core.events.webhooks import sign_stripe_payload
from db.engine import make_engine, make_session_factory
from tests.standins.http import free_port, serve_asgi
from tests.standins.stripe_events import payment_failed, post_signed

SECRET = "whsec_group_commit"


def _ctx(ctx: AppContext, **settings: object) -> AppContext:
    updated = ctx.settings.model_copy(update={"stripe_webhook_secret": SecretStr(SECRET), **settings})
    return AppContext(settings=updated, engine=ctx.engine, sessions=ctx.sessions)


@pytest.fixture
def slow_window(ctx: AppContext) -> Iterator[str]:
    """A webhook whose batches wait 300 ms for company while one commits, so concurrent posts share one."""
    wctx = _ctx(ctx, webhook_batch_window_ms=300, webhook_batch_max=50)
    with serve_asgi(Starlette(routes=webhook_routes(lambda: wctx))) as base:
        yield base


def _post_all(base: str, events: list[dict]) -> list[httpx.Response]:
    responses: list[httpx.Response] = [None] * len(events)  # type: ignore[list-item]
    start = threading.Barrier(len(events))

    def post(i: int) -> None:
        with httpx.Client(timeout=30) as client:
            start.wait()
            responses[i] = post_signed(client, base, SECRET, events[i])

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(events))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return responses


def _xmins(session: Session) -> set[str]:
    return set(session.execute(text("SELECT xmin::text FROM events")).scalars())


def test_concurrent_events_share_at_most_two_transactions(slow_window: str, session: Session) -> None:
    # The first goes alone when nothing is committing; the rest arrive while it commits and share the next one.
    responses = _post_all(slow_window, [payment_failed(f"in_{i}") for i in range(10)])
    assert [r.status_code for r in responses] == [200] * 10
    assert session.execute(text("SELECT count(*) FROM events")).scalar_one() == 10
    assert len(_xmins(session)) <= 2


def test_a_duplicate_in_the_same_batch_is_absorbed(slow_window: str, session: Session) -> None:
    same = payment_failed("in_dup")
    responses = _post_all(slow_window, [same, same, payment_failed("in_other")])
    assert [r.status_code for r in responses] == [200] * 3
    assert sorted(r.json()["duplicate"] for r in responses) == [False, False, True]
    assert session.execute(text("SELECT count(*) FROM events")).scalar_one() == 2


def test_a_forged_event_is_refused_before_batching(slow_window: str, session: Session) -> None:
    body = b'{"id": "evt_forged", "type": "invoice.paid", "created": 1800000000}'
    response = httpx.post(f"{slow_window}/api/ingest/stripe", content=body, timeout=10,
                          headers={"Stripe-Signature": sign_stripe_payload(body, "whsec_forged", 1_800_000_000)})
    assert response.status_code == 400
    assert session.execute(text("SELECT count(*) FROM events")).scalar_one() == 0


def test_a_batch_that_cannot_be_stored_answers_503_and_stores_nothing(ctx: AppContext, session: Session) -> None:
    # The batch's sessions reach a port where no database listens: its transaction can never commit.
    dead = make_engine(f"postgresql+psycopg://hoss@127.0.0.1:{free_port()}/hoss", pool_size=1)
    wctx = AppContext(settings=_ctx(ctx, webhook_batch_window_ms=100).settings, engine=dead,
                      sessions=make_session_factory(dead))
    try:
        with serve_asgi(Starlette(routes=webhook_routes(lambda: wctx))) as base:
            responses = _post_all(base, [payment_failed(f"in_{i}") for i in range(4)])
    finally:
        dead.dispose()
    assert [r.status_code for r in responses] == [503] * 4
    assert all("retry" in r.json()["error"] for r in responses)
    assert session.execute(text("SELECT count(*) FROM events")).scalar_one() == 0
