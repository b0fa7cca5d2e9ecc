"""README screenshots: HOSS_SCREENSHOTS=1 writes docs/screenshots/<page>.png from the real console on demo data.

Runs only when asked (it rewrites committed files); the console runs once, on core.app.demo.seed_demo data.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

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
from tests.console_support import ROOT, registered_pages

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.environ.get("HOSS_SCREENSHOTS") != "1", reason="set HOSS_SCREENSHOTS=1 to rewrite "
                       "docs/screenshots/*.png"),
]

SCREENSHOTS = ROOT / "docs" / "screenshots"
CANVAS_QUESTION = "Which customers brought in the most money last month?"
PASSWORD = "demo-screenshots"  # signed in, the pages show the operator instead of the "no sign-in" banner


def seed_demo_data(url: str) -> None:
    from sqlalchemy.orm import Session

    from core.app.demo import seed_demo
    from db.engine import make_engine

    engine = make_engine(url)
    with Session(engine) as s:
        seed_demo(s)
    engine.dispose()


@pytest.fixture(scope="module")
def demo_url(pg_admin_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with cloned_database(pg_admin_url, template_db, f"hoss_shots_{os.getpid()}", seed_demo_data) as url, \
            running_console(url, tmp_path_factory, HOSS_CONSOLE_PASSWORD=PASSWORD) as base:
        yield base


def sign_in(p) -> None:
    settle(p)
    p.get_by_label("Your name").fill("Dana (operator)")
    p.get_by_role("textbox", name="Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()
    p.get_by_text("Signed in as").wait_for(timeout=30_000)


GRIDS_PAINTED = """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
    .filter(el => el.offsetParent !== null).every(el => el.querySelector('canvas') && el.textContent.length > 40)"""
CONTENT_HEIGHT = """() => { const b = document.querySelector('[data-testid="stMainBlockContainer"]');
    return Math.ceil(b.getBoundingClientRect().top + b.scrollHeight); }"""


def shoot(p, name: str) -> Path:
    """The whole page as a PNG: Streamlit scrolls inside its main block, so the viewport grows to fit it first."""
    for _ in range(3):  # grow until the content fits (a taller viewport can lay tables out taller)
        height = max(int(p.evaluate(CONTENT_HEIGHT)) + 40, 900)
        if height == p.viewport_size["height"]:
            break
        p.set_viewport_size({"width": 1400, "height": height})
        settle(p)
        p.wait_for_function(GRIDS_PAINTED, timeout=30_000)
    p.wait_for_timeout(500)  # the data grids draw on a canvas after their text is in place
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    p.screenshot(path=str(path), full_page=True)
    return path


@pytest.mark.parametrize("page_file", registered_pages())
def test_screenshot_of_every_page_on_demo_data(demo_url, page, page_file: str) -> None:
    page.goto(demo_url + "/")
    sign_in(page)
    if page_file == "pages/task.py":
        pytest.skip("the Task view is hidden from the sidebar (opened from task links); no README screenshot")
    if page_file != registered_pages()[0]:  # a deep link signs in onto the default page: navigate from there
        page.locator(f'[data-testid="stSidebarNav"] a[href$="/{Path(page_file).stem}"]').click()
        page.wait_for_url(page_url(demo_url, page_file))
    body = settle(page)
    if page_file == "pages/canvas.py":  # an empty canvas says little: ask a question so a chart shows
        page.get_by_role("button", name=CANVAS_QUESTION).click()
        page.locator('[data-testid="stVegaLiteChart"].vega-embed :is(svg.marks, canvas.marks)').first.wait_for(
            timeout=30_000)
        body = settle(page)
    assert_clean(page, body, page_file)
    assert shoot(page, Path(page_file).stem).stat().st_size > 0
