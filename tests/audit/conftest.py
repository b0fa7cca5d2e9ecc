"""Fixtures for the audit tests: the audit key, and settings that hold it, as every keyed process's do."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from core.audit.seal import AuditKey
from core.config.settings import Settings

SECRET = "correct horse battery staple"


@pytest.fixture
def audit_key() -> AuditKey:
    key = AuditKey.from_secret(SECRET)
    assert key is not None
    return key


@pytest.fixture
def keyed_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"hoss_secret_key": SecretStr(SECRET)})
