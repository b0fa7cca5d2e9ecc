"""Fixtures for the audit tests: a session whose connections hold the audit key, as every keyed process's do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy.orm import Session

from core.audit.seal import AuditKey, session_settings_for
from core.config.settings import Settings
from db.engine import make_engine, make_session_factory

SECRET = "correct horse battery staple"


@pytest.fixture
def audit_key() -> AuditKey:
    key = AuditKey.from_secret(SECRET)
    assert key is not None
    return key


@pytest.fixture
def keyed_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"hoss_secret_key": SecretStr(SECRET)})


@pytest.fixture
def keyed_session(keyed_settings: Settings) -> Iterator[Session]:
    """A session on this test's database whose connections seal anchors with the key (as bootstrap's engine)."""
    engine = make_engine(keyed_settings.database_url or "", pool_size=2,
                         session_settings=session_settings_for(SECRET))
    with make_session_factory(engine)() as s:
        yield s
    engine.dispose()
