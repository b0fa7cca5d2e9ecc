"""Fixtures: the Google stand-in over real HTTP and settings pointing every Google URL at it."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from core.app.api import api_routes
from core.audit import Actor
from core.config.context import AppContext
from core.config.settings import Settings
from core.integrations import google
from core.integrations.connection import start_connect
from tests.standins.google_server import CLIENT_ID, CLIENT_SECRET, FakeGoogle
from tests.standins.http import serve_asgi

SECRET_KEY = "a-test-secret-key-of-some-length"


@pytest.fixture
def fake_google() -> Iterator[tuple[FakeGoogle, str]]:
    fake = FakeGoogle()
    google.forget_access_tokens()
    with serve_asgi(fake.app()) as base:
        yield fake, base
    google.forget_access_tokens()


@pytest.fixture
def gsettings(settings: Settings, fake_google: tuple[FakeGoogle, str]) -> Settings:
    _, base = fake_google
    return settings.model_copy(update={
        "google_client_id": CLIENT_ID, "google_client_secret": __import__("pydantic").SecretStr(CLIENT_SECRET),
        "hoss_secret_key": __import__("pydantic").SecretStr(SECRET_KEY), "google_auth_url": f"{base}/auth",
        "google_token_url": f"{base}/token", "google_revoke_url": f"{base}/revoke", "google_api_base": base,
        "executor_retry_wait_seconds": 0,
    })


@pytest.fixture
def gctx(ctx: AppContext, gsettings: Settings) -> AppContext:
    return AppContext(settings=gsettings, engine=ctx.engine, sessions=ctx.sessions)


@pytest.fixture
def api(gctx: AppContext) -> Iterator[httpx.Client]:
    """The HTTP API (callback included) served for real, on this test's database."""
    with serve_asgi(Starlette(routes=api_routes(lambda: gctx))) as base, httpx.Client(base_url=base, timeout=20) as c:
        yield c


def begin_connect(session: Session, settings: Settings) -> str:
    """Start a consent flow as the operator would; the state Google would hand back on the callback."""
    url = start_connect(session, settings, Actor.user("alice"))
    session.commit()
    return parse_qs(urlsplit(url).query)["state"][0]


@pytest.fixture
def connected(session: Session, gsettings: Settings, fake_google: tuple[FakeGoogle, str], api: httpx.Client) -> str:
    """Google connected through the real callback; the refresh token Google issued."""
    fake, _ = fake_google
    state = begin_connect(session, gsettings)
    response = api.get("/api/google/callback", params={"state": state, "code": fake.issue_code()})
    assert response.status_code == 200, response.text
    return next(iter(fake.refresh_tokens))
