"""Hostile requests get a 4xx and store nothing: the regressions found by a hostile test, then generated input.

Every request goes over real HTTP to the real routes (the API and the Stripe webhook) on a real database.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from sqlalchemy import text
from starlette.applications import Starlette

from core.app.api import api_routes
from core.config.context import AppContext
from core.events.webhooks import sign_stripe_payload
from tests.inbox_data import email_proposal, make_lead
from tests.standins.http import serve_asgi

TOKEN = "hostile-test-token"
SECRET = "whsec_hostile"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# Tables a refused request must leave as they were.
COUNTS = text("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM audit_log), "
              "(SELECT count(*) FROM executions), (SELECT count(*) FROM agent_runs)")
HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def client(ctx: AppContext) -> Iterator[httpx.Client]:
    armed = AppContext(ctx.settings.model_copy(update={"hoss_api_token": SecretStr(TOKEN),
                                                      "stripe_webhook_secret": SecretStr(SECRET)}),
                       ctx.engine, ctx.sessions)
    with serve_asgi(Starlette(routes=api_routes(lambda: armed))) as base, \
            httpx.Client(base_url=base, timeout=30) as c:
        yield c


def _counts(ctx: AppContext) -> tuple[int, ...]:
    with ctx.sessions() as s:
        return tuple(s.execute(COUNTS).one())


def _header_bytes(value: str) -> bytes:
    # HTTP headers are bytes; servers read them as latin-1, so '²' (0xB2) arrives as '²' itself.
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


def _signed(client: httpx.Client, body: bytes, *, header: str | None = None) -> httpx.Response:
    sig = header if header is not None else sign_stripe_payload(body, SECRET, int(time.time()))
    return client.post("/api/ingest/stripe", content=body, headers={"Stripe-Signature": _header_bytes(sig)})


def _event(**fields: object) -> bytes:
    return json.dumps({"id": "evt_h", "type": "invoice.paid", "created": int(time.time()), **fields}).encode()


# --- the regressions, one each -------------------------------------------------------------------------

@pytest.mark.parametrize("t", ["²", "1" * 5000, "-5", "1e9", "١٢٣"])
def test_a_signature_timestamp_that_is_not_ascii_digits_is_400(ctx, client, t) -> None:
    before = _counts(ctx)
    response = _signed(client, _event(), header=f"t={t},v1=abc")
    assert response.status_code == 400 and _counts(ctx) == before


@pytest.mark.parametrize("body", [
    b'{"id": "evt_deep", "type": "x", "created": 1800000000, "data": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
    _event(created=10**12), _event(created=-1), _event(created=1e9),
    b'{"id": "evt_s", "type": "x", "created": 1800000000, "note": "\\ud800"}',
    b'{"id": "evt_n", "type": "x", "created": 1800000000, "note": "a\\u0000b"}',
    b'{"id": "evt_f", "type": "x", "created": 1800000000, "amount": NaN}',
    b'{"id": "evt_i", "type": "x", "created": 1800000000, "amount": ' + b"9" * 5000 + b"}",
], ids=["nested-10000", "created-1e12", "created-negative", "created-float", "lone-surrogate", "nul", "nan", "huge-int"])
def test_a_signed_body_postgres_cannot_store_is_400_and_stores_nothing(ctx, client, body) -> None:
    before = _counts(ctx)
    response = _signed(client, body)
    assert response.status_code == 400, response.text
    assert _counts(ctx) == before


def test_a_webhook_body_over_the_limit_is_413_while_streaming(ctx, client) -> None:
    chunks = (b"x" * 65_536 for _ in range(40))  # 2.6 MB, chunked: no Content-Length to refuse it by
    response = client.post("/api/ingest/stripe", content=chunks, headers={"Stripe-Signature": "t=1,v1=x"})
    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/api/invoices/²/mark_paid", "/api/invoices/99999999999999999999/mark_paid",
                                  "/api/leads/%D9%A3/responded", "/api/proposals/1e3/decide"])
def test_an_id_that_is_not_ascii_digits_is_404(ctx, client, path) -> None:
    before = _counts(ctx)
    assert client.post(path, headers=AUTH, json={"decision": "reject"}).status_code == 404
    assert _counts(ctx) == before


@pytest.mark.parametrize("query", ["offset=99999999999999999999", "offset=-1", "limit=0", "limit=²", "limit=1e3"])
def test_paging_out_of_range_is_422(client, query) -> None:
    assert client.get(f"/api/proposals?{query}", headers=AUTH).status_code == 422


@pytest.mark.parametrize("body", [
    b'{"decision": "approve", "payload": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
    b'{"decision": "reject", "actor": "a\\u0000b"}',
    b'{"decision": "reject", "note": "\\udfff"}',
    b'{"decision": "approve", "payload": {"amount_cents": Infinity}}',
], ids=["nested-10000", "nul-actor", "surrogate-note", "infinity"])
def test_a_decide_body_postgres_cannot_store_is_422_and_decides_nothing(ctx, session, client, body) -> None:
    proposal_id = email_proposal(session, make_lead(session))
    session.commit()
    before = _counts(ctx)
    response = client.post(f"/api/proposals/{proposal_id}/decide", headers=AUTH, content=body)
    assert response.status_code == 422, response.text
    assert _counts(ctx) == before


def test_an_api_body_over_the_limit_is_413(client) -> None:
    chunks = (b" " * 65_536 for _ in range(40))
    assert client.post("/api/proposals/1/decide", headers=AUTH, content=chunks).status_code == 413


# --- generated input -----------------------------------------------------------------------------------

HOSTILE_TEXT = st.one_of(st.text(max_size=30), st.sampled_from(["\x00", "\ud800", "²", "١", "'; DROP TABLE x;--",
                                                               "<script>", "9" * 40, "-1", "NaN"]))
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), HOSTILE_TEXT),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(HOSTILE_TEXT, children, max_size=4),
    max_leaves=12,
)


def _sendable_in_a_header(value: str) -> bool:
    # HTTP clients refuse control characters in a header value, so no server ever receives them.
    return all(c == "\t" or (c >= " " and c != "\x7f") for c in value)


def _dumps(value: object) -> bytes:
    return json.dumps(value, allow_nan=True).encode("utf-8", "surrogatepass")


@HYPOTHESIS
@given(body=st.one_of(st.binary(max_size=200), JSON_VALUES.map(_dumps),
                      st.fixed_dictionaries({"id": HOSTILE_TEXT, "type": HOSTILE_TEXT,
                                             "created": st.integers() | HOSTILE_TEXT, "data": JSON_VALUES}).map(_dumps)),
       header=st.one_of(st.none(), HOSTILE_TEXT.filter(_sendable_in_a_header)
                        .map(lambda t: f"t={t},v1=00")))
def test_generated_webhooks_never_get_a_5xx_and_refusals_store_nothing(ctx, client, body, header) -> None:
    before = _counts(ctx)
    response = _signed(client, body, header=header)
    assert response.status_code < 500, response.text
    if response.status_code != 200:
        assert _counts(ctx) == before


def _quoted(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


ROUTES = [("POST", "/api/run/{x}"), ("POST", "/api/leads/{x}/responded"), ("POST", "/api/invoices/{x}/mark_paid"),
          ("GET", "/api/proposals"), ("POST", "/api/proposals/{x}/decide")]


@HYPOTHESIS
@given(route=st.sampled_from(ROUTES), segment=HOSTILE_TEXT.filter(lambda t: "/" not in t and t not in (".", "..")),
       query=st.dictionaries(st.sampled_from(["status", "limit", "offset"]), HOSTILE_TEXT, max_size=3),
       body=st.one_of(st.binary(max_size=200), JSON_VALUES.map(_dumps)))
def test_generated_api_requests_never_get_a_5xx_and_refusals_store_nothing(ctx, client, route, segment, query,
                                                                          body) -> None:
    method, template = route
    if template == "/api/run/{x}" and segment in ("bizdev", "onboarding", "ops", "ops_batch", "billing"):
        return  # a real run: it stores what it did by design
    path = template.replace("{x}", _quoted(segment) or "0")
    path += "?" + "&".join(f"{k}={_quoted(v)}" for k, v in query.items())
    before = _counts(ctx)
    response = client.request(method, path, content=body if method == "POST" else None, headers=AUTH)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert _counts(ctx) == before
