"""The HTTP API over real HTTP: bearer auth, 404 for unknown ids, 422 for malformed bodies, decisions."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from core.app.api import api_routes
from core.approvals.credentials import issue_token
from core.approvals.operators import add_operator, deactivate_operator
from core.audit import Actor
from core.config.context import AppContext
from tests.inbox_data import email_proposal, make_invoice, make_lead
from tests.standins.http import serve_asgi

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}  # the integration identity: it reads and proposes
OWNER_TOKEN = "olga-owner-token-0123456789"
OWNER = {"Authorization": f"Bearer {OWNER_TOKEN}"}  # an owner operator's own token: runs, marks paid


def _serve(ctx: AppContext) -> Iterator[httpx.Client]:
    with serve_asgi(Starlette(routes=api_routes(lambda: ctx))) as base, httpx.Client(base_url=base, timeout=10) as c:
        yield c


@pytest.fixture
def api(ctx: AppContext) -> Iterator[httpx.Client]:
    with ctx.sessions() as session:
        add_operator(session, "olga", "owner", Actor.system("test"))
        session.commit()
    tokens = {"hoss_api_token": SecretStr(TOKEN), "hoss_api_tokens": SecretStr(f"{OWNER_TOKEN}=olga")}
    with_token = AppContext(ctx.settings.model_copy(update=tokens), ctx.engine, ctx.sessions)
    yield from _serve(with_token)


def test_run_without_a_token_is_refused(api: httpx.Client) -> None:
    response = api.post("/api/run/billing")
    assert response.status_code == 401 and response.json() == {"error": "missing or wrong bearer token"}


def test_wrong_token_is_refused(api: httpx.Client) -> None:
    assert api.get("/api/proposals", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_without_a_configured_token_the_api_refuses_rather_than_stands_open(ctx: AppContext) -> None:
    for client in _serve(ctx):
        response = client.get("/api/proposals", headers=AUTH)
    assert response.status_code == 503 and response.json()["error"] == "HOSS_API_TOKEN not set"


def test_healthz_needs_no_token(api: httpx.Client) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}


def test_mark_paid_of_an_unknown_invoice_is_404(api: httpx.Client) -> None:
    response = api.post("/api/invoices/999999/mark_paid", headers=OWNER)
    assert response.status_code == 404 and "invoice 999999 not found" in response.json()["error"]


def test_mark_paid_sets_paid_and_paid_at(api: httpx.Client, session: Session) -> None:
    _, iid = make_invoice(session)
    session.commit()
    assert api.post(f"/api/invoices/{iid}/mark_paid", headers=AUTH).status_code == 403  # the integration token
    response = api.post(f"/api/invoices/{iid}/mark_paid", headers=OWNER)
    assert response.json() == {"invoice_id": iid, "status": "paid", "changed": True}
    assert session.execute(text("SELECT status, paid_at IS NOT NULL FROM invoices")).one() == ("paid", True)
    assert api.post(f"/api/invoices/{iid}/mark_paid", headers=OWNER).json()["changed"] is False


def test_lead_responded_moves_the_lead(api: httpx.Client, session: Session) -> None:
    lead = make_lead(session)
    session.commit()
    assert api.post(f"/api/leads/{lead}/responded", headers=AUTH).json()["changed"] is True
    assert session.execute(text("SELECT status FROM leads")).scalar_one() == "responded"
    assert api.post("/api/leads/424242/responded", headers=AUTH).status_code == 404


def test_malformed_decide_body_is_422(api: httpx.Client, session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    session.commit()
    bad = api.post(f"/api/proposals/{pid}/decide", headers=AUTH, json={"decision": "maybe"})
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "decision"
    not_json = api.post(f"/api/proposals/{pid}/decide", headers=AUTH, content=b"{oops")
    assert not_json.status_code == 422


def test_pending_proposals_are_listed(api: httpx.Client, session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    session.commit()
    listed = api.get("/api/proposals", params={"status": "pending"}, headers=AUTH).json()
    assert [p["id"] for p in listed["proposals"]] == [pid]
    assert listed["proposals"][0]["payload"]["to"] == "dana@northwind.test"
    assert api.get("/api/proposals", params={"status": "bogus"}, headers=AUTH).status_code == 422


def test_unknown_agent_is_404(api: httpx.Client) -> None:
    assert api.post("/api/run/nope", headers=AUTH).status_code == 404


def test_api_runs_are_recorded_as_the_operator_whose_token_ran_them(api: httpx.Client, session: Session) -> None:
    refused = api.post("/api/run/billing", headers=AUTH)  # the integration token runs nothing (SPEC §19)
    assert refused.status_code == 403 and "cannot run agents" in refused.json()["error"]
    response = api.post("/api/run/billing", headers=OWNER)
    assert response.status_code == 200, response.text
    assert session.execute(text("SELECT actor FROM agent_runs WHERE agent = 'billing'")).scalars().all() == ["olga"]


OPERATOR_TOKEN = "tok-for-ana-0123456789"
ANA = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}


def _ana(session: Session) -> None:
    add_operator(session, "ana", "owner", Actor.system("test"))
    session.commit()


@pytest.fixture
def operator_api(ctx: AppContext) -> Iterator[httpx.Client]:
    settings = ctx.settings.model_copy(update={"hoss_api_token": SecretStr(TOKEN),
                                               "hoss_api_tokens": SecretStr(f"{OPERATOR_TOKEN}=ana")})
    yield from _serve(AppContext(settings, ctx.engine, ctx.sessions))


def test_a_decision_is_the_tokens_operators_and_the_body_actor_only_a_note(operator_api, session) -> None:
    _ana(session)
    pid = email_proposal(session, make_lead(session))
    session.commit()
    response = operator_api.post(f"/api/proposals/{pid}/decide", headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"},
                                 json={"decision": "reject", "actor": "the-ceo", "note": "not now"})
    assert response.status_code == 200, response.text
    row = session.execute(text("SELECT decided_by, decision_note FROM action_proposals WHERE id = :p"),
                          {"p": pid}).one()
    assert row.decided_by == "ana"
    assert row.decision_note == "not now (sent on behalf of 'the-ceo')"
    audit_actor = session.execute(text("SELECT actor_type, actor_id FROM audit_log WHERE entity = 'proposal' "
                                       "AND to_status = 'rejected'")).one()
    assert tuple(audit_actor) == ("user", "ana")


def test_decide_approves_once_and_a_repeat_is_409(operator_api: httpx.Client, session: Session) -> None:
    _ana(session)
    pid = email_proposal(session, make_lead(session))
    session.commit()
    body = {"decision": "approve", "actor": "ana", "note": "ok"}
    first = operator_api.post(f"/api/proposals/{pid}/decide", headers=ANA, json=body)
    assert first.status_code == 200 and first.json()["status"] == "approved"
    second = operator_api.post(f"/api/proposals/{pid}/decide", headers=ANA, json=body)
    assert second.status_code == 409 and "already approved" in second.json()["error"]
    assert session.execute(text("SELECT count(*) FROM executions")).scalar_one() == 1
    assert operator_api.post("/api/proposals/999999/decide", headers=ANA, json=body).status_code == 404


def test_the_shared_api_token_is_the_integration_identity_and_cannot_decide(api, session) -> None:
    pid = email_proposal(session, make_lead(session))
    session.commit()
    refused = api.post(f"/api/proposals/{pid}/decide", headers=AUTH, json={"decision": "reject"})
    assert refused.status_code == 403 and "integration token" in refused.json()["error"]
    assert session.execute(text("SELECT status FROM action_proposals WHERE id = :p"), {"p": pid}).scalar() == "pending"


def test_an_issued_operator_token_is_that_operator_until_replaced_or_deactivated(api, session) -> None:
    _ana(session)
    first = issue_token(session, "ana", Actor.system("test"))
    session.commit()
    pid = email_proposal(session, make_lead(session))
    session.commit()
    mine = {"Authorization": f"Bearer {first}"}
    assert api.get("/api/proposals", headers=mine).status_code == 200
    second = issue_token(session, "ana", Actor.system("test"))
    session.commit()
    assert api.get("/api/proposals", headers=mine).status_code == 401  # the new token replaced it
    done = api.post(f"/api/proposals/{pid}/decide", headers={"Authorization": f"Bearer {second}"},
                    json={"decision": "reject"})
    assert done.status_code == 200
    assert session.execute(text("SELECT decided_by FROM action_proposals WHERE id = :p"), {"p": pid}).scalar() == "ana"
    deactivate_operator(session, "ana", Actor.system("test"))
    session.commit()
    assert api.get("/api/proposals", headers={"Authorization": f"Bearer {second}"}).status_code == 401


def test_only_the_tokens_hash_is_stored(api, session) -> None:
    _ana(session)
    token = issue_token(session, "ana", Actor.system("test"))
    session.commit()
    stored = session.execute(text("SELECT token_hash FROM operators WHERE name = 'ana'")).scalar_one()
    assert token.startswith("hoss_") and token not in stored and len(stored) == 64
    assert token not in str(session.execute(text("SELECT array_agg(metadata::text) FROM audit_log")).scalar_one())


def test_a_short_token_in_the_token_map_is_refused_at_start_up() -> None:
    from core.config.settings import ConfigError, load_settings

    with pytest.raises(ConfigError, match="HOSS_API_TOKENS"):
        load_settings(_env_file=None, hoss_api_tokens="short=ana")
