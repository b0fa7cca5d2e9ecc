"""Real-browser tests: Debian's Chromium (never a downloaded browser) drives the running console.

Each behaviour gets its own test; the console runs once per module as a subprocess on a seeded database
(hostile text included). README screenshots come from tests/console/test_screenshots.py on demo data instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
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
from tests.conftest import _libpq
from tests.console_support import registered_pages

pytestmark = pytest.mark.browser

PROPOSAL_KEY = "browser:email:acme-2"
INVOICE_CUSTOMER = "Acme 1 Ltd"


def seed_console_demo(url: str) -> None:
    """A small, demo-like dataset (with hostile text in it), a pending email proposal and a paid invoice."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from core.approvals.proposals import draft_proposal
    from core.audit import Actor
    from db.engine import make_engine
    from tests.console.test_hostile_text import seed_hostile

    engine = make_engine(url)
    with Session(engine) as s:
        seed_hostile(s)
        for i in range(1, 6):
            s.execute(text("INSERT INTO leads (company, contact_name, email) VALUES (:c, :n, :e)"),
                      {"c": f"Acme {i} Ltd", "n": f"Pat {i}", "e": f"pat{i}@acme{i}.test"})
        s.execute(text("INSERT INTO agent_runs (agent, status, items, summary, finished_at)"
                       " VALUES ('billing', 'succeeded', 1, 'invoiced 1 customer', now())"))
        s.execute(text(
            "WITH c AS (INSERT INTO customers (company, contact_email) VALUES (:c, 'pat1@acme1.test') RETURNING id)"
            " INSERT INTO invoices (customer_id, amount_cents, status, sent_at, paid_at, notes)"
            " SELECT id, 5678, 'paid', now(), now(), 'browser test' FROM c"), {"c": INVOICE_CUSTOMER})
        draft_proposal(s, Actor.agent("bizdev"), vertical="bizdev", action_type="email",
                       title="Email Acme 2 Ltd: a quick idea", reasoning="New lead; first outbound touch.",
                       payload={"to": "pat2@acme2.test", "subject": "A quick idea", "body": "Hi Pat, ..."},
                       dedupe_key=PROPOSAL_KEY)
        s.commit()
    engine.dispose()


@pytest.fixture(scope="module")
def console_db(pg_admin_url: str, template_db: str) -> Iterator[str]:
    with cloned_database(pg_admin_url, template_db, f"hoss_browser_{os.getpid()}", seed_console_demo) as url:
        yield url


@pytest.fixture(scope="module")
def console_url(console_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_console(console_db, tmp_path_factory) as base:
        yield base


def db_rows(url: str, query: str, *params: object) -> list[tuple]:
    with psycopg.connect(_libpq(url)) as conn:
        return conn.execute(query, params).fetchall()


def grid_text(page, tab: str, needle: str) -> str:
    """The text of the dataframe in a tab, once it contains `needle` (the grid paints its cells lazily)."""
    grid = page.get_by_role("tabpanel", name=tab).locator('[data-testid="stDataFrame"]')
    grid.wait_for(timeout=30_000)
    page.wait_for_function("([el, s]) => el.textContent.includes(s)", arg=[grid.element_handle(), needle],
                           timeout=30_000)
    return grid.text_content() or ""


@pytest.mark.parametrize("page_file", registered_pages())
def test_every_registered_page_renders_in_chromium(console_url, page, page_file: str) -> None:
    page.goto(page_url(console_url, page_file))
    body = settle(page)
    assert_clean(page, body, page_file)


def test_a_page_opened_by_its_url_connects_at_the_first_health_probe(console_url, page) -> None:
    # Regression: Streamlit probed /audit/_stcore/health first (a 404, then 100 ms of back-off) on every page
    # opened by its URL; ui.shell names the base URL in the shell.
    probes: list[str] = []
    page.on("request", lambda r: probes.append(urlsplit(r.url).path) if r.url.endswith("_stcore/health") else None)
    page.goto(page_url(console_url, "pages/audit.py"))
    assert "Audit log" in settle(page)
    assert probes == ["/_stcore/health"]


def test_a_page_asks_nothing_of_any_other_host(console_url, page) -> None:
    # Regression: the page icon `:material/hub:` made the browser fetch the favicon from fonts.gstatic.com on every
    # load, so an offline console asked Google for it and an online one told Google who opened it.
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if urlsplit(r.url).hostname not in ("127.0.0.1", "localhost")
            and not r.url.startswith("data:") else None)
    page.goto(page_url(console_url, "pages/control_room.py"))
    settle(page)
    icon = page.eval_on_selector("link[rel='shortcut icon']", "link => link.href")
    assert outside == [] and (icon.startswith("data:") or urlsplit(icon).hostname == "127.0.0.1"), icon


def test_agents_run_button_shows_its_result(console_url, page) -> None:
    page.goto(page_url(console_url, "pages/agents.py"))
    settle(page)
    page.get_by_text("onboarding · enabled").click()
    page.get_by_role("button", name="Run onboarding now").click()
    result = page.locator(".st-key-agents_last_run_box")
    result.wait_for(timeout=30_000)
    result.get_by_text("Last manual run:").wait_for(timeout=30_000)  # the box can arrive before its text
    box = result.inner_text()
    assert "onboarding — succeeded" in box or "onboarding — skipped" in box, box
    assert_clean(page, page.inner_text("body"), "agents after Run")


def test_audit_verify_chain_in_the_browser(console_url, page) -> None:
    page.goto(page_url(console_url, "pages/audit.py"))
    settle(page)
    page.get_by_role("button", name="Verify chain").click()
    page.get_by_text("Chain intact").wait_for(timeout=30_000)


def test_inbox_approve_in_the_browser_queues_one_execution(console_url, console_db, page) -> None:
    (pid,) = db_rows(console_db, "SELECT id FROM action_proposals WHERE dedupe_key = %s", PROPOSAL_KEY)[0]
    page.goto(page_url(console_url, "pages/inbox.py"))
    settle(page)
    approve = page.locator(f".st-key-approve_{pid} button")
    assert approve.inner_text() == "Approve"
    approve.click()
    page.get_by_text(f"proposal {pid} approved; execution queued").wait_for(timeout=30_000)
    assert page.locator(f".st-key-approve_{pid}").count() == 0, "the approved card is still pending"
    assert_clean(page, settle(page), "inbox after Approve")
    assert db_rows(console_db, "SELECT status FROM action_proposals WHERE id = %s", pid) == [("approved",)]
    assert db_rows(console_db, "SELECT count(*) FROM executions WHERE proposal_id = %s", pid) == [(1,)]


def test_canvas_question_in_the_browser_draws_a_chart(console_url, page) -> None:
    page.goto(page_url(console_url, "pages/canvas.py"))
    settle(page)
    question = page.locator('[data-testid="stMain"]').get_by_label("Question")
    question.fill("revenue by customer this year")
    question.press("Enter")
    page.get_by_role("heading", name="Revenue by customer").wait_for(timeout=30_000)
    # vega-embed has drawn its marks (Streamlit puts the vega-embed class on the chart element itself)
    page.locator('[data-testid="stVegaLiteChart"].vega-embed :is(svg.marks, canvas.marks)').first.wait_for(
        timeout=30_000)
    body = settle(page)
    assert_clean(page, body, "canvas after a question")
    assert "The canvas cannot answer" not in body and "The query" not in body, body[:2000]


def test_control_room_names_leads_and_invoices(console_url, page) -> None:
    page.goto(page_url(console_url, "pages/control_room.py"))
    settle(page)
    page.get_by_role("tab", name="Leads").click()
    assert "Acme 3 Ltd" in grid_text(page, "Leads", "Acme 3 Ltd")
    page.get_by_role("tab", name="Invoices").click()
    grid = grid_text(page, "Invoices", INVOICE_CUSTOMER)
    assert "56.78" in grid and "paid" in grid, grid[:1000]
    assert_clean(page, page.inner_text("body"), "control room invoices")


def test_control_room_run_bizdev_shows_its_result(console_url, page) -> None:
    page.goto(page_url(console_url, "pages/control_room.py"))
    settle(page)
    page.get_by_role("button", name="Run BizDev").click()
    result = page.locator('[data-testid="stAlert"]').filter(has_text="bizdev:")
    result.wait_for(timeout=30_000)
    assert "bizdev: succeeded" in result.inner_text(), result.inner_text()
    assert_clean(page, settle(page), "control room after Run BizDev")


def test_control_room_shows_its_money_chart(console_url, page) -> None:
    page.goto(page_url(console_url, "pages/control_room.py"))
    settle(page)
    # vega-embed drew the 30-day money chart on the control room itself; the funnel and the queue are bars beside
    marks = page.locator('[data-testid="stVegaLiteChart"].vega-embed :is(svg.marks, canvas.marks)')
    marks.first.wait_for(timeout=30_000)
    assert marks.count() == 1
    bars = page.locator('[data-testid="stHtml"] .hoss-bars')
    assert "Lead funnel" in bars.inner_text() and "Task queue" in bars.inner_text()
    assert page.locator('[data-testid="stHtml"] .hoss-bars .fill').count() >= 4
    assert_clean(page, settle(page), "control room charts")


def test_the_sidebar_guide_opens_a_dialog_and_answers_from_the_docs(console_url, page) -> None:
    page.goto(page_url(console_url, "pages/control_room.py"))
    settle(page)
    page.get_by_role("button", name="Guide: ask about the console", exact=True).click()
    dialog = page.locator('[role="dialog"]')
    dialog.get_by_label("Question").fill("How do I run the tests?")
    dialog.get_by_role("button", name="Ask", exact=True).click()
    dialog.get_by_text("From ").first.wait_for(timeout=30_000)  # the answer names the doc it comes from
    answer = dialog.inner_text()
    assert "From README.md" in answer or "From docs/" in answer, answer[:500]
    assert_clean(page, settle(page), "guide dialog")
