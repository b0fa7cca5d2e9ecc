"""The Stripe webhook: only signed, fresh, well-formed events are stored, once each; processing comes later."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from core.agents.events import run_event_processor
from core.app.stripe_webhook import webhook_routes
from core.config.context import AppContext
from core.events.webhooks import SignatureError, sign_stripe_payload, verify_stripe_signature
from tests.standins.http import serve_asgi
from tests.standins.stripe_events import payment_failed, post_signed

SECRET = "whsec_test_secret"
NOW = 1_800_000_000
BODY = b'{"id": "evt_1", "type": "invoice.paid", "created": 1800000000}'


# --- the pure signature check -------------------------------------------------------------------------

def test_good_signature_is_accepted() -> None:
    assert verify_stripe_signature(BODY, sign_stripe_payload(BODY, SECRET, NOW), [SECRET], NOW) == NOW


def test_signature_made_with_another_secret_is_refused() -> None:
    with pytest.raises(SignatureError, match="no v1 signature matches"):
        verify_stripe_signature(BODY, sign_stripe_payload(BODY, "whsec_forged", NOW), [SECRET], NOW)


def test_tampered_body_is_refused() -> None:
    header = sign_stripe_payload(BODY, SECRET, NOW)
    with pytest.raises(SignatureError):
        verify_stripe_signature(BODY.replace(b"invoice.paid", b"invoice.void"), header, [SECRET], NOW)


@pytest.mark.parametrize("skew", [301, -301, 3600])
def test_timestamp_more_than_300_seconds_away_is_refused(skew: int) -> None:
    header = sign_stripe_payload(BODY, SECRET, NOW - skew)
    with pytest.raises(SignatureError, match="stale"):
        verify_stripe_signature(BODY, header, [SECRET], NOW)


def test_timestamp_exactly_300_seconds_old_is_accepted() -> None:
    assert verify_stripe_signature(BODY, sign_stripe_payload(BODY, SECRET, NOW - 300), [SECRET], NOW) == NOW - 300


@pytest.mark.parametrize("header", [None, ""])
def test_missing_header_is_refused(header: str | None) -> None:
    with pytest.raises(SignatureError, match="missing"):
        verify_stripe_signature(BODY, header, [SECRET], NOW)


@pytest.mark.parametrize("header", ["garbage", f"t={NOW}", "v1=abc", "t=abc,v1=abc", f"t={NOW},t={NOW},v1=ab"])
def test_malformed_header_is_refused(header: str) -> None:
    with pytest.raises(SignatureError, match="malformed"):
        verify_stripe_signature(BODY, header, [SECRET], NOW)


def test_two_v1_values_with_one_valid_are_accepted() -> None:
    good = sign_stripe_payload(BODY, SECRET, NOW).split("v1=")[1]
    header = f"t={NOW},v1={'0' * 64},v1={good}"
    assert verify_stripe_signature(BODY, header, [SECRET], NOW) == NOW


def test_either_of_two_rotating_secrets_is_accepted() -> None:
    header = sign_stripe_payload(BODY, "whsec_new", NOW)
    assert verify_stripe_signature(BODY, header, ["whsec_old", "whsec_new"], NOW) == NOW


# --- the endpoint --------------------------------------------------------------------------------------

def _webhook_ctx(ctx: AppContext, secret: str | None) -> AppContext:
    settings = ctx.settings.model_copy(update={"stripe_webhook_secret": SecretStr(secret) if secret else None})
    return AppContext(settings=settings, engine=ctx.engine, sessions=ctx.sessions)


@pytest.fixture
def hook(ctx: AppContext) -> Iterator[str]:
    wctx = _webhook_ctx(ctx, SECRET)
    with serve_asgi(Starlette(routes=webhook_routes(lambda: wctx))) as base:
        yield base


def _events(session: Session) -> int:
    return session.execute(text("SELECT count(*) FROM events")).scalar_one()


def test_valid_event_is_stored_once_with_its_stripe_fields(hook: str, session: Session) -> None:
    evt = payment_failed("in_1")
    with httpx.Client(timeout=10) as client:
        response = post_signed(client, hook, SECRET, evt)
    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False}
    row = session.execute(text("SELECT source, type, dedupe_key, status, payload, "
                               "EXTRACT(EPOCH FROM occurred_at)::bigint AS created FROM events")).one()
    assert (row.source, row.type, row.dedupe_key, row.status) == ("stripe", "invoice.payment_failed",
                                                                   evt["id"], "received")
    assert row.payload == evt and row.created == evt["created"]


def test_repeated_event_is_200_and_makes_no_second_row(hook: str, session: Session) -> None:
    with httpx.Client(timeout=10) as client:
        first = post_signed(client, hook, SECRET, payment_failed("in_1"))
        second = post_signed(client, hook, SECRET, payment_failed("in_1"))
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == {"received": True, "duplicate": True}
    assert _events(session) == 1


@pytest.mark.parametrize("case", ["forged", "tampered", "stale", "future", "unsigned", "malformed"])
def test_bad_signature_is_400_and_stores_nothing(hook: str, session: Session, case: str) -> None:
    body = json.dumps(payment_failed("in_1")).encode()
    now = int(time.time())
    headers = {
        "forged": {"Stripe-Signature": sign_stripe_payload(body, "whsec_forged", now)},
        "tampered": {"Stripe-Signature": sign_stripe_payload(body.replace(b"5000", b"1"), SECRET, now)},
        "stale": {"Stripe-Signature": sign_stripe_payload(body, SECRET, now - 3600)},
        "future": {"Stripe-Signature": sign_stripe_payload(body, SECRET, now + 3600)},
        "unsigned": {},
        "malformed": {"Stripe-Signature": "t=yesterday,v1="},
    }[case]
    response = httpx.post(f"{hook}/api/ingest/stripe", content=body, headers=headers, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"]
    assert _events(session) == 0


def test_truncated_json_is_400_and_stores_nothing(hook: str, session: Session) -> None:
    body = json.dumps(payment_failed("in_1")).encode()[:-7]
    with httpx.Client(timeout=10) as client:
        response = post_signed(client, hook, SECRET, body)
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]
    assert _events(session) == 0


@pytest.mark.parametrize("body", [b'{"type": "invoice.paid", "created": 1}', b'{"id": "evt_1", "created": 1}',
                                  b'{"id": "evt_1", "type": "invoice.paid"}', b'["evt_1"]'])
def test_event_without_id_type_or_created_is_400(hook: str, session: Session, body: bytes) -> None:
    with httpx.Client(timeout=10) as client:
        response = post_signed(client, hook, SECRET, body)
    assert response.status_code == 400
    assert _events(session) == 0


def test_without_a_webhook_secret_the_endpoint_answers_503_and_stores_nothing(ctx: AppContext,
                                                                               session: Session) -> None:
    wctx = _webhook_ctx(ctx, None)
    with serve_asgi(Starlette(routes=webhook_routes(lambda: wctx))) as base, httpx.Client(timeout=10) as client:
        response = post_signed(client, base, SECRET, payment_failed("in_1"))
    assert response.status_code == 503
    assert "STRIPE_WEBHOOK_SECRET" in response.json()["error"]
    assert _events(session) == 0


def test_fifty_concurrent_posts_of_one_event_make_one_row_and_one_proposal(
    hook: str, ctx: AppContext, session: Session
) -> None:
    evt = payment_failed("in_50")
    statuses: list[int] = []
    start = threading.Barrier(50)

    def post() -> None:
        with httpx.Client(timeout=30) as client:
            start.wait()
            statuses.append(post_signed(client, hook, SECRET, evt).status_code)

    threads = [threading.Thread(target=post) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 50
    assert _events(session) == 1
    run_event_processor(session, ctx.settings)
    run_event_processor(session, ctx.settings)
    assert session.execute(text("SELECT count(*) FROM action_proposals")).scalar_one() == 1


def test_issue_acceptance_scenario_end_to_end(hook: str, ctx: AppContext, session: Session) -> None:
    from tests.standins.stripe_events import checkout_completed

    cid = session.execute(text("INSERT INTO customers (company) VALUES ('Acme') RETURNING id")).scalar_one()
    iid = session.execute(text("INSERT INTO invoices (customer_id, amount_cents, status) VALUES (:c, 9000, 'sent') "
                               "RETURNING id"), {"c": cid}).scalar_one()
    session.commit()
    failed = payment_failed("in_acc")
    body = json.dumps(failed).encode()
    now = int(time.time())
    with httpx.Client(timeout=10) as client:
        url = f"{hook}/api/ingest/stripe"
        refused = [
            client.post(url, content=body, headers={"Stripe-Signature": sign_stripe_payload(body, "forged", now)}),
            client.post(url, content=body, headers={"Stripe-Signature": sign_stripe_payload(body, SECRET, now - 3600)}),
            post_signed(client, hook, SECRET, body[:-10]),
        ]
        assert [r.status_code for r in refused] == [400, 400, 400]
        assert _events(session) == 0
        accepted = [post_signed(client, hook, SECRET, failed), post_signed(client, hook, SECRET, failed),
                    post_signed(client, hook, SECRET, checkout_completed("cs_acc", invoice_id=iid, amount=9000))]
    assert [r.status_code for r in accepted] == [200, 200, 200]
    assert _events(session) == 2
    run_event_processor(session, ctx.settings)
    run_event_processor(session, ctx.settings)
    assert {r.status for r in session.execute(text("SELECT status FROM events"))} == {"processed"}
    assert session.execute(text("SELECT status FROM invoices WHERE id = :i"), {"i": iid}).scalar_one() == "paid"
    [(vertical, key)] = session.execute(text("SELECT vertical, dedupe_key FROM action_proposals")).all()
    assert (vertical, key) == ("money", "money:dunning:in_acc")
    nodes = session.execute(text("SELECT g.node FROM graph_steps g JOIN events e ON e.id = g.event_id "
                                 "WHERE e.dedupe_key = :k ORDER BY g.id"), {"k": failed["id"]}).scalars().all()
    assert nodes == ["check_runway", "analyze_spend", "draft_proposal"]
