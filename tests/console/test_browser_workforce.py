"""The task view in headless Chromium: a worker's steps with a hostile artifact render as text, no script runs."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.browser_support import (  # noqa: F401 - browser/page are fixtures
    assert_clean,
    browser,
    cloned_database,
    page,
    running_console,
    settle,
)

pytestmark = pytest.mark.browser


def seed_worker_task(url: str) -> None:
    """A research analyst's task waiting for review, its plan step's artifact carrying the hostile payloads."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from db.engine import make_engine
    from tests.console.test_hostile_text import EVIL

    engine = make_engine(url)
    with Session(engine) as s:
        cid = s.execute(text("INSERT INTO customers (company, contact_email) VALUES ('Zahn GmbH', 'a@zahn.test') "
                             "RETURNING id")).scalar_one()
        tid = s.execute(text("INSERT INTO tasks (customer_id, description, agent, status) VALUES "
                             "(:c, 'Market map', 'Rhea', 'needs_review') RETURNING id"), {"c": cid}).scalar_one()
        s.execute(text("INSERT INTO task_steps (task_id, idx, name, status, attempt, artifact, prompt, response, "
                       "finished_at) VALUES (:t, 0, 'plan', 'done', 1, :e, :e, :e, now())"), {"t": tid, "e": EVIL})
        s.commit()
    engine.dispose()


@pytest.fixture(scope="module")
def console_url(pg_admin_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with cloned_database(pg_admin_url, template_db, f"hoss_browser_wf_{os.getpid()}", seed_worker_task) as url, \
            running_console(url, tmp_path_factory) as base:
        yield base


def test_task_view_shows_the_steps_and_review_buttons_with_hostile_text_as_text(console_url, page) -> None:
    page.goto(f"{console_url}/task?task=1")
    body = settle(page)
    assert "1. plan" in body and "Request changes" in body, body[:2000]
    assert_clean(page, body, "task view")
