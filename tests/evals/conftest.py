"""Eval fixtures: the stand-in OpenAI server answering each golden case well (and the judge with a score)."""

from __future__ import annotations

import pytest

from tests.evals.answers import stand_in_reply
from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI


@pytest.fixture
def fake() -> FakeOpenAI:
    return FakeOpenAI(reply=stand_in_reply)


@pytest.fixture
def llm_url(fake: FakeOpenAI):
    with serve_asgi(fake.app()) as url:
        yield url
