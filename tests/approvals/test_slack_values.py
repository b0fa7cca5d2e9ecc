"""Signed Slack clicks and email links whose proposal id is not an id get a plain refusal, never a 500."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.approvals.links import make_token
from core.config.context import AppContext
from tests.approvals.api_support import serve, with_settings
from tests.approvals.test_slack import SECRET, _click, _post
from tests.standins.slack_server import slack_server


@pytest.mark.parametrize("value", ["99999999999999999999", "9223372036854775808", "0", "-3", "1_0", "²"])
def test_a_signed_click_with_a_20_digit_value_is_400_not_500(ctx: AppContext, session: Session, value: str) -> None:
    with slack_server() as (_calls, base):
        sctx = with_settings(ctx, slack_bot_token=SecretStr("xoxb-test"), slack_signing_secret=SecretStr(SECRET),
                             slack_approval_channel="C0APPROVE", slack_api_base=base)
        with serve(sctx) as api:
            answer = _post(api, _click(value, "U0BO"))  # type: ignore[arg-type]
    assert answer.status_code == 400 and answer.json()["error"]
    assert session.execute(text("SELECT count(*) FROM used_link_nonces")).scalar_one() == 0


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_signed_link_naming_a_20_digit_proposal_is_400_not_500(ctx: AppContext, session: Session,
                                                                 method: str) -> None:
    lctx = with_settings(ctx, hoss_secret_key=SecretStr("a-secret-key-of-32-characters-xx"))
    token = make_token(lctx.settings, 10**20, "approve", "ana", ttl_seconds=600)
    with serve(lctx) as api:
        answer = api.request(method, f"/api/links/{token}")
    assert answer.status_code == 400 and "not valid" in answer.text
    assert session.execute(text("SELECT count(*) FROM used_link_nonces")).scalar_one() == 0
