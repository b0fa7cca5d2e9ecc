"""Customer memory and Give a task in headless Chromium (SPEC §20): a lesson added on the customer's "What we have
learned" tab is shown with its source, author and time in words, then forgotten; a task given from the customer's
page is added on the first click; the review form's "Remember for this customer" box is ticked by default and
a revise note sent with it becomes a lesson."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from tests.browser_support import (  # noqa: F401 - browser/page are fixtures
    assert_clean,
    browser,
    cloned_database,
    page,
    running_console,
    settle,
)

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("HOSS_SCREENSHOTS")  # a folder: where to save the pages for a person to look at
LESSON = "Send drafts on Mondays before 10:00; the owner reads mail once a week."
TASK = "Draft a one-page price list for the spring vaccination campaign"


def seed_customer(url: str) -> None:
    """Pinecrest Veterinary (customer 1) with nothing learned yet; Zahn GmbH (customer 2) with Rhea's task 1
    waiting for review."""
    from sqlalchemy.orm import Session

    from db.engine import make_engine

    engine = make_engine(url)
    with Session(engine) as s:
        s.execute(text("INSERT INTO customers (company, contact_email, plan) VALUES ('Pinecrest Veterinary', "
                       "'laura@pinecrest.test', 'pro')"))
        s.execute(text("INSERT INTO customers (company, contact_email, plan) VALUES ('Zahn GmbH', 'a@zahn.test', "
                       "'pro')"))
        s.execute(text("INSERT INTO tasks (customer_id, description, agent, status) VALUES (2, 'Market map', 'Rhea', "
                       "'needs_review')"))
        s.commit()
    engine.dispose()


@pytest.fixture(scope="module")
def database(pg_admin_url: str, template_db: str) -> Iterator[str]:
    with cloned_database(pg_admin_url, template_db, f"hoss_browser_mem_{os.getpid()}", seed_customer) as url:
        yield url


@pytest.fixture(scope="module")
def console_url(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_console(database, tmp_path_factory) as base:
        yield base


def _rows(url: str, sql: str, **params: object) -> list[tuple]:
    from db.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql), params)]
    engine.dispose()
    return rows


def _open_tab(page, console_url: str, name: str, shows: str):
    """Customer 1's detail tab `name`, once its lazily sent content (holding `shows`) has arrived."""
    page.goto(f"{console_url}/customers?customer=1")
    settle(page)
    page.get_by_role("tab", name=name).click()
    tab = page.locator('[data-testid="stTabs"] [role="tabpanel"]:visible')
    tab.get_by_text(shows).first.wait_for(timeout=30_000)
    settle(page)
    return tab


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_lesson_added_on_the_customers_tab_is_shown_in_words_and_then_forgotten(console_url, database,
                                                                                   page) -> None:
    tab = _open_tab(page, console_url, "What we have learned", "Every later task of this customer")
    assert "Nothing learned yet." in tab.inner_text()
    tab.get_by_label("Remember something about this customer").fill(LESSON)
    tab.get_by_role("button", name="Remember").click()
    page.get_by_text("Remembered for this customer.").wait_for(timeout=30_000)
    body = settle(page)
    tab = page.locator('[data-testid="stTabs"] [role="tabpanel"]:visible')
    shown = tab.inner_text()
    assert "Remembered for this customer." in shown and "from an operator · added by operator just now (" in shown
    assert tab.locator("textarea").first.input_value() == LESSON
    assert_clean(page, body, "lesson added")
    _shot(page, "memory_lesson_added")
    tab.get_by_role("button", name="Forget").click()
    page.get_by_text("forgotten: no later prompt carries it").wait_for(timeout=30_000)
    body = settle(page)
    tab = page.locator('[data-testid="stTabs"] [role="tabpanel"]:visible')
    assert "forgotten: no later prompt carries it" in tab.inner_text() and "Nothing learned yet." in tab.inner_text()
    assert _rows(database, "SELECT text, active FROM customer_lessons WHERE customer_id = 1") == [(LESSON, False)]
    assert_clean(page, body, "lesson forgotten")


def test_giving_a_task_from_the_customers_page_adds_it_on_the_first_click(console_url, database, page) -> None:
    tab = _open_tab(page, console_url, "Give a task", "What to do")
    tab.get_by_label("What to do").fill(TASK)
    tab.get_by_role("button", name="Give the task").click()
    page.get_by_text("given to the Ops prompt", exact=False).first.wait_for(timeout=30_000)
    body = settle(page)
    tab = page.locator('[data-testid="stTabs"] [role="tabpanel"]:visible')
    assert "given to the Ops prompt for Pinecrest Veterinary" in tab.inner_text(), tab.inner_text()
    assert _rows(database, "SELECT customer_id, agent, status FROM tasks WHERE description = :d", d=TASK) == [
        (1, None, "pending")]
    assert_clean(page, body, "task given")
    _shot(page, "customer_give_task")


def test_the_remember_box_is_ticked_by_default_and_a_revise_note_sent_with_it_becomes_a_lesson(console_url, database,
                                                                                               page) -> None:
    page.goto(f"{console_url}/task?task=1")
    settle(page)
    box = page.get_by_role("checkbox", name="Remember for this customer")
    assert box.is_checked()
    assert page.get_by_role("button", name="Approve").is_visible()
    page.get_by_label("Note for the worker (required to request changes)").fill("Cite a source for every figure")
    page.get_by_role("button", name="Request changes").click()
    page.get_by_text("sent back (revision 1)", exact=False).first.wait_for(timeout=30_000)
    body = settle(page)
    assert "sent back (revision 1)" in body, body[:2000]
    assert _rows(database, "SELECT customer_id, text, source, task_id FROM customer_lessons WHERE customer_id = 2") \
        == [(2, "Cite a source for every figure", "review_note", 1)]
    assert_clean(page, body, "task sent back")
