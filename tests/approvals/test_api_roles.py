"""The API decides as the token's operator: a viewer's token gets 403 and changes nothing."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.approvals.operators import add_operator
from core.audit import Actor
from core.config.context import AppContext
from tests.approvals.api_support import auth, serve, with_settings
from tests.inbox_data import email_proposal, make_lead


def test_viewer_token_is_403_and_the_system_token_decides_as_owner(ctx: AppContext, session: Session) -> None:
    add_operator(session, "vi", "viewer", Actor.system("test"))
    pid = email_proposal(session, make_lead(session))
    session.commit()
    with serve(with_settings(ctx)) as api:
        refused = api.post(f"/api/proposals/{pid}/decide", json={"decision": "approve"}, headers=auth("vi"))
        assert refused.status_code == 403
        assert session.execute(text("SELECT status FROM action_proposals")).scalar_one() == "pending"
        done = api.post(f"/api/proposals/{pid}/decide", json={"decision": "approve"}, headers=auth())
    assert done.status_code == 200 and done.json()["status"] == "approved"


def test_api_revise_makes_version_two_and_needs_a_note(ctx: AppContext, session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    session.commit()
    with serve(with_settings(ctx)) as api:
        bare = api.post(f"/api/proposals/{pid}/decide", json={"decision": "revise"}, headers=auth())
        done = api.post(f"/api/proposals/{pid}/decide", json={"decision": "revise", "note": "subject: Shorter"},
                        headers=auth())
    assert bare.status_code == 422 and done.status_code == 200
    v2 = done.json()["new_proposal_id"]
    row = session.execute(text("SELECT supersedes_id, payload->>'subject' FROM action_proposals WHERE id = :i"),
                          {"i": v2}).one()
    assert tuple(row) == (pid, "Shorter")
