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
