"""The Workforce page's evals and versions in headless Chromium: the roster's last eval beside the revision rate,
and a worker's versions side by side."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.browser_support import (  # noqa: F401 - browser/page are fixtures
    assert_clean,
    browser,
    cloned_database,
    page,
    page_url,
    running_console,
    settle,
)

pytestmark = pytest.mark.browser
SHOT = os.environ.get("EVAL_SCREENSHOT")  # a path: where to save the page for a person to look at


def seed_versions(url: str) -> None:
    """Corin (the migration's copywriter) gets a second version; both versions are evaluated on two cases."""
    from sqlalchemy.orm import Session

    from core.audit import Actor
    from core.config.settings import Settings
    from core.evals.instructions import edit_and_evaluate
    from db.engine import make_engine

    engine = make_engine(url)
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    with Session(engine) as s:
        edit_and_evaluate(s, settings, "Corin", Actor.user("seed"), tone="playful, short sentences", cases=2)
    engine.dispose()


@pytest.fixture(scope="module")
def console_url(pg_admin_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with cloned_database(pg_admin_url, template_db, f"hoss_browser_ev_{os.getpid()}", seed_versions) as url, \
            running_console(url, tmp_path_factory) as base:
        yield base


def test_workforce_page_shows_the_last_eval_and_the_versions_side_by_side(console_url, page) -> None:
    page.goto(page_url(console_url, "pages/workforce.py"))
    settle(page)
    page.get_by_text("Instructions and evals of Corin").click()
    page.wait_for_selector("text=Save as a new version and run its eval", timeout=30_000)
    body = settle(page)
    assert "Corin runs version 2. Recent evals, oldest to newest: " in body and "Roll back" in body, body[:3000]
    table = page.locator('[data-testid="stDataFrame"]').last
    table.wait_for(timeout=30_000)
    if SHOT:
        page.screenshot(path=SHOT, full_page=True)
    assert_clean(page, body, "workforce evals")
