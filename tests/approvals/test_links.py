"""Email decision links over real SMTP (aiosmtpd) and HTTP: GET changes nothing, POST decides once, reuse refused."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.approvals.links import BadLink, make_token, verify_token
from core.approvals.notify import announce_new
from core.approvals.operators import add_operator
from core.audit import Actor
from core.config.context import AppContext
from tests.approvals.api_support import serve, with_settings
from tests.inbox_data import email_proposal, make_lead
from tests.standins.http import free_port
from tests.standins.smtp import MailSink, smtp_server

KEY = SecretStr("a-secret-key-of-32-characters-xx")


@pytest.fixture
def mailed(ctx: AppContext, session: Session) -> Iterator[tuple[AppContext, MailSink, httpx.Client, int]]:
    port = free_port()
    with smtp_server() as (sink, smtp_port):
        lctx = with_settings(ctx, hoss_secret_key=KEY, bizdev_smtp_host="127.0.0.1", bizdev_smtp_port=smtp_port,
                             bizdev_email_from="hoss@example.test", hoss_public_url=f"http://127.0.0.1:{port}")
        add_operator(session, "ana", "approver", Actor.system("test"), email="ana@example.test")
        pid = email_proposal(session, make_lead(session), urgency="critical")
        session.commit()
        announce_new(session, lctx.settings)
        with serve(lctx, port=port) as api:
            yield lctx, sink, api, pid


def _links(sink: MailSink) -> dict[str, str]:
    body = sink.messages[0][1].get_payload(decode=True).decode()
    return {m[0].lower(): m[1] for m in re.findall(r"^(Approve|Reject): (\S+?)\r?$", body, re.M)}


def _status(session: Session) -> str:
    session.commit()
    return session.execute(text("SELECT status FROM action_proposals")).scalar_one()


def test_approval_email_goes_to_the_approver_with_signed_links(mailed) -> None:
    _, sink, _, pid = mailed
    assert sink.messages[0][0] == ["ana@example.test"]
    assert set(_links(sink)) == {"approve", "reject"} and f"#{pid}" in sink.messages[0][1]["Subject"]


def test_get_shows_a_confirmation_and_changes_nothing(mailed, session: Session) -> None:
    _, sink, api, _ = mailed
    page = api.get(_links(sink)["approve"])
    assert page.status_code == 200 and "<form method='post'" in page.text and "Approve proposal" in page.text
    assert _status(session) == "pending"
    assert session.execute(text("SELECT opened_at IS NOT NULL FROM action_proposals")).scalar_one()


def test_post_decides_once_and_reuse_is_refused(mailed, session: Session) -> None:
    _, sink, api, _ = mailed
    url = _links(sink)["approve"]
    assert api.post(url).status_code == 200 and _status(session) == "approved"
    again = api.post(url)
    assert again.status_code == 410 and "already used" in again.text
    assert session.execute(text("SELECT count(*) FROM executions")).scalar_one() == 1
    assert api.get(url).status_code == 410


def test_a_tampered_link_is_refused(mailed, session: Session) -> None:
    _, sink, api, _ = mailed
    url = _links(sink)["reject"]
    assert api.post(url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")).status_code == 400
    assert _status(session) == "pending"


def test_an_expired_link_says_so(mailed) -> None:
    lctx = mailed[0]
    token = make_token(lctx.settings, 1, "approve", "ana", ttl_seconds=60, now=1_000_000)
    with pytest.raises(BadLink, match="expired"):
        verify_token(lctx.settings, token)
    page = mailed[2].get(f"/api/links/{token}")
    assert page.status_code == 410 and "expired" in page.text


def test_the_page_escapes_what_the_agent_wrote(ctx: AppContext, session: Session) -> None:
    lctx = with_settings(ctx, hoss_secret_key=KEY)
    from core.approvals.proposals import draft_proposal

    pid, _ = draft_proposal(session, Actor.agent("x"), vertical="ops", action_type="slack",
                            title="<script>alert(1)</script>", reasoning="r", payload={"text": "<b>hi</b>"},
                            dedupe_key="xss")
    session.commit()
    with serve(lctx) as api:
        page = api.get(f"/api/links/{make_token(lctx.settings, pid, 'approve', 'ana', ttl_seconds=60)}")
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text
