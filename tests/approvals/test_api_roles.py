"""The API decides as the token's operator: a viewer's token gets 403 and changes nothing; the shared
HOSS_API_TOKEN is the integration identity, which never decides (SPEC §19)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.approvals.operators import add_operator, deactivate_operator
from core.audit import Actor
from core.config.context import AppContext
from tests.approvals.api_support import auth, serve, with_settings
from tests.inbox_data import email_proposal, make_lead


def test_viewer_token_is_403_and_an_owners_token_decides(ctx: AppContext, session: Session) -> None:
    add_operator(session, "vi", "viewer", Actor.system("test"))
    add_operator(session, "ana", "owner", Actor.system("test"))
    pid = email_proposal(session, make_lead(session))
    session.commit()
    with serve(with_settings(ctx)) as api:
        refused = api.post(f"/api/proposals/{pid}/decide", json={"decision": "approve"}, headers=auth("vi"))
        assert refused.status_code == 403
        assert session.execute(text("SELECT status FROM action_proposals")).scalar_one() == "pending"
        done = api.post(f"/api/proposals/{pid}/decide", json={"decision": "approve"}, headers=auth("ana"))
    assert done.status_code == 200 and done.json()["status"] == "approved"


def test_the_integration_token_never_decides(ctx: AppContext, session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    session.commit()
    with serve(with_settings(ctx)) as api:
        refused = api.post(f"/api/proposals/{pid}/decide", json={"decision": "reject"}, headers=auth())
    assert refused.status_code == 403 and "integration token" in refused.json()["error"]
    assert session.execute(text("SELECT status FROM action_proposals")).scalar_one() == "pending"


def test_a_token_naming_someone_who_is_not_an_active_operator_is_401(ctx: AppContext, session: Session) -> None:
    add_operator(session, "bo", "owner", Actor.system("test"))
    deactivate_operator(session, "bo", Actor.system("test"))
    session.commit()
    with serve(with_settings(ctx)) as api:
        gone = api.get("/api/proposals", headers=auth("bo"))
        unknown = api.get("/api/proposals", headers=auth("ana"))
    assert gone.status_code == 401 and "not an active operator" in gone.json()["error"]
    assert unknown.status_code == 401


def test_api_revise_makes_version_two_and_needs_a_note(ctx: AppContext, session: Session) -> None:
    add_operator(session, "ana", "owner", Actor.system("test"))
    pid = email_proposal(session, make_lead(session))
    session.commit()
    with serve(with_settings(ctx)) as api:
        bare = api.post(f"/api/proposals/{pid}/decide", json={"decision": "revise"}, headers=auth("ana"))
        done = api.post(f"/api/proposals/{pid}/decide", json={"decision": "revise", "note": "subject: Shorter"},
                        headers=auth("ana"))
    assert bare.status_code == 422 and done.status_code == 200
    v2 = done.json()["new_proposal_id"]
    row = session.execute(text("SELECT supersedes_id, payload->>'subject' FROM action_proposals WHERE id = :i"),
                          {"i": v2}).one()
    assert tuple(row) == (pid, "Shorter")
