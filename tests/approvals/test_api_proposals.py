"""POST /api/proposals: any script asks for an approval; the payload model, policies and Slack apply."""

from __future__ import annotations

from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.approvals.policies import update_policy
from core.audit import Actor
from core.config.context import AppContext
from tests.approvals.api_support import auth, serve, with_settings
from tests.standins.slack_server import slack_server

EMAIL = {"action_type": "email", "title": "Hello", "reasoning": "A script asks", "urgency": "high",
         "payload": {"to": "dana@example.test", "subject": "Hi", "body": "Hello Dana"}}


def test_a_script_with_the_integration_token_proposes_and_the_proposal_is_posted_to_slack(ctx: AppContext, session: Session) -> None:
    with slack_server() as (calls, base):
        sctx = with_settings(ctx, slack_bot_token=SecretStr("xoxb-t"), slack_approval_channel="C1", slack_api_base=base)
        with serve(sctx) as api:
            created = api.post("/api/proposals", json={**EMAIL, "dedupe_key": "k1"}, headers=auth())
            again = api.post("/api/proposals", json={**EMAIL, "dedupe_key": "k1"}, headers=auth())
    assert created.status_code == 201 and created.json()["status"] == "pending"
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    assert len(calls.of("chat.postMessage")) == 1
    assert session.execute(text("SELECT count(*) FROM action_proposals")).scalar_one() == 1


def test_unknown_type_or_bad_payload_is_422_and_stores_nothing(ctx: AppContext, session: Session) -> None:
    with serve(with_settings(ctx)) as api:
        unknown = api.post("/api/proposals", json={**EMAIL, "action_type": "wire_money"}, headers=auth())
        bad = api.post("/api/proposals", json={**EMAIL, "payload": {"to": "nobody"}}, headers=auth())
        anonymous = api.post("/api/proposals", json=EMAIL)
    assert unknown.status_code == 422 and bad.status_code == 422 and anonymous.status_code == 401
    assert {d["field"] for d in bad.json()["details"]} >= {"to", "subject", "body"}
    assert session.execute(text("SELECT count(*) FROM action_proposals")).scalar_one() == 0


def test_policies_apply_to_outside_proposals(ctx: AppContext, session: Session) -> None:
    update_policy(session, "slack", Actor.system("test"), mode="auto")
    session.commit()
    with serve(with_settings(ctx)) as api:
        answer = api.post("/api/proposals", json={"action_type": "slack", "title": "t", "payload": {"text": "x"}},
                          headers=auth())
    assert answer.json()["status"] == "approved"
