"""The policy editor fragment the Agents page embeds, through AppTest on this test's database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st
from sqlalchemy import text
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest


def _editor() -> None:
    from ui.context import app_context
    from ui.policies import render_policy_settings

    render_policy_settings(app_context())


@pytest.fixture
def editor(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    st.cache_resource.clear()
    yield AppTest.from_function(_editor, default_timeout=30)
    from ui.context import _bootstrap

    _bootstrap().engine.dispose()
    st.cache_resource.clear()


def test_saving_auto_below_stores_the_limit_in_cents(editor: AppTest, session: Session) -> None:
    at = editor.run()
    assert not at.exception
    at.selectbox(key="policy_mode_stripe_checkout").select("auto_below").run()
    at.number_input(key="policy_limit_stripe_checkout").set_value(200.0).run()
    at.button(key="policy_save_stripe_checkout").click().run()
    value = session.execute(text("SELECT value FROM settings WHERE key = 'policy.stripe_checkout'")).scalar_one()
    assert value == {"mode": "auto_below", "limit_cents": 20_000}
    assert any("auto below $200.00" in t.value for t in at.text)
