"""A deep link is the first request a freshly started console serves: sign-in and the router must still apply.

Streamlit runs a `pages/` file directly (its old multipage mode, skipping streamlit_app.py) until some session
has called st.navigation; this module starts its own console so that its first request is a deep link.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.browser_support import browser, cloned_database, page, running_console, settle  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def guarded_console(pg_admin_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with cloned_database(pg_admin_url, template_db, f"hoss_deeplink_{os.getpid()}", lambda _url: None) as url, \
            running_console(url, tmp_path_factory, HOSS_CONSOLE_PASSWORD="correct horse") as base:
        yield base


def test_first_request_deep_link_gets_the_sign_in_form(guarded_console, page) -> None:
    page.goto(f"{guarded_console}/inbox")
    settle(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert page.get_by_role("button", name="Sign in").count() == 1, f"no sign-in form on a deep link:\n{main[:1000]}"
    assert "Pending" not in main, main[:1000]
