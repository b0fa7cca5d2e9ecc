"""Connect Google (SPEC §15): the state guards the callback, the grant is stored encrypted, disconnect revokes."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
from pydantic import SecretStr
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from core.audit import Actor
from core.config.settings import Settings
from core.integrations import google
from core.integrations.connection import connect_blocker, disconnect, google_status, refresh_token, start_connect
from core.integrations.tokens import TokenUnreadable
from db.models import AuditLog, Integration, OAuthState
from tests.integrations.conftest import begin_connect
from tests.standins.google_server import ACCOUNT, FakeGoogle


def test_consent_url_asks_for_both_scopes_offline_with_a_state_and_our_callback(session: Session, gsettings: Settings):
    query = parse_qs(urlsplit(start_connect(session, gsettings, Actor.user("alice"))).query)
    assert query["scope"] == [" ".join(google.SCOPES)]
    assert (query["access_type"], query["prompt"], query["response_type"]) == (["offline"], ["consent"], ["code"])
    assert query["redirect_uri"] == ["http://localhost:8501/api/google/callback"]
    assert len(query["state"][0]) >= 32


def test_after_the_connect_flow_the_row_holds_no_plaintext_refresh_token(session: Session, connected: str,
                                                                         gsettings: Settings):
    row = session.execute(text("SELECT row_to_json(i)::text FROM integrations i")).scalar_one()
    assert connected not in row and ACCOUNT not in row
    assert refresh_token(session, gsettings) == connected
    assert google_status(session, gsettings).email == ACCOUNT


def test_callback_with_a_wrong_state_answers_400_and_stores_nothing(session: Session, gsettings: Settings,
                                                                    fake_google: tuple[FakeGoogle, str],
                                                                    api: httpx.Client):
    fake, _ = fake_google
    begin_connect(session, gsettings)
    response = api.get("/api/google/callback", params={"state": "forged-state-value", "code": fake.issue_code()})
    assert response.status_code == 400
    assert session.execute(select(func.count()).select_from(Integration)).scalar_one() == 0
    assert session.execute(select(func.count()).where(OAuthState.consumed_at.is_not(None))).scalar_one() == 0
    assert fake.count("POST", "/token") == 0


def test_callback_without_a_state_answers_400(api: httpx.Client, session: Session):
    assert api.get("/api/google/callback", params={"code": "4/x"}).status_code == 400
    assert session.execute(select(func.count()).select_from(Integration)).scalar_one() == 0


def test_a_state_is_good_for_one_callback(session: Session, gsettings: Settings, fake_google: tuple[FakeGoogle, str],
                                          api: httpx.Client):
    fake, _ = fake_google
    state = begin_connect(session, gsettings)
    assert api.get("/api/google/callback", params={"state": state, "code": fake.issue_code()}).status_code == 200
    again = api.get("/api/google/callback", params={"state": state, "code": fake.issue_code()})
    assert again.status_code == 400
    assert fake.grants("authorization_code") == 1


def test_an_expired_state_is_refused(session: Session, gsettings: Settings, fake_google: tuple[FakeGoogle, str],
                                     api: httpx.Client):
    fake, _ = fake_google
    state = begin_connect(session, gsettings)
    session.execute(text("UPDATE oauth_states SET created_at = now() - interval '11 minutes', "
                         "expires_at = now() - interval '1 minute'"))
    session.commit()
    assert api.get("/api/google/callback", params={"state": state, "code": fake.issue_code()}).status_code == 400
    assert session.execute(select(func.count()).select_from(Integration)).scalar_one() == 0


def test_a_wrong_secret_key_reads_as_reconnect_google(session: Session, connected: str, gsettings: Settings):
    other = gsettings.model_copy(update={"hoss_secret_key": SecretStr("another-secret-key-entirely")})
    status = google_status(session, other)
    assert status.connected and status.email is None and "reconnect Google" in (status.problem or "")
    try:
        refresh_token(session, other)
        raise AssertionError("a wrong key decrypted the grant")
    except TokenUnreadable as exc:
        assert "reconnect Google" in str(exc)


def test_connect_is_off_without_a_secret_key_and_says_why(gsettings: Settings, settings: Settings):
    assert "HOSS_SECRET_KEY" in (connect_blocker(gsettings.model_copy(update={"hoss_secret_key": None})) or "")
    assert "GOOGLE_CLIENT_ID" in (connect_blocker(settings) or "")
    assert connect_blocker(gsettings) is None


def test_every_missing_google_setting_is_named_up_front(settings):
    blocker = connect_blocker(settings.model_copy(update={"hoss_secret_key": None})) or ""
    assert "GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET and HOSS_SECRET_KEY" in blocker


def test_disconnect_revokes_at_google_and_deletes_the_row(session: Session, connected: str, gsettings: Settings,
                                                          fake_google: tuple[FakeGoogle, str]):
    fake, _ = fake_google
    assert disconnect(session, gsettings, Actor.user("alice"))
    session.commit()
    assert fake.refresh_tokens[connected] is False
    assert session.execute(select(func.count()).select_from(Integration)).scalar_one() == 0


def test_no_secret_reaches_the_audit_log(session: Session, connected: str, gsettings: Settings):
    disconnect(session, gsettings, Actor.user("alice"))
    session.commit()
    audit = " ".join(str(r) for r in session.execute(
        select(AuditLog.metadata_, AuditLog.actor_id)).all())
    assert "integration" in " ".join(session.execute(select(AuditLog.entity)).scalars())
    for secret in (connected, "ya29.", "stand-in-client-secret"):
        assert secret not in audit
