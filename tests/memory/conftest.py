"""Memory fixtures: the workforce's stand-in OpenAI server and customers, and the CLI in this process."""

from __future__ import annotations

import pytest

from tests.workforce.conftest import fake, llm_url  # noqa: F401 - the fixtures, shared


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("HOSS_OPERATOR_TOKEN", raising=False)
    return db_url
