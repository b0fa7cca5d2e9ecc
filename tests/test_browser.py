"""Real-browser tests: Debian's Chromium (never a downloaded browser) drives the running console.

Each page gets its own test; the console runs once per module as a subprocess on a seeded database.
Set HOSS_SCREENSHOTS=1 to write docs/screenshots/<page>.png (the README shows them).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from db.engine import with_database
from tests.conftest import _libpq
from tests.console_support import ROOT, registered_pages
from tests.standins.http import free_port

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FAILURE_TEXT = re.compile(r"Traceback|\b\w*Error\b|Page not found")
SCREENSHOTS = ROOT / "docs" / "screenshots"


def ensure_chromium() -> str:
    """Debian's Chromium at /usr/bin/chromium, installed with apt-get when missing; skip loudly if impossible."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if shutil.which("apt-get"):
        try:
            subprocess.run(["apt-get", "install", "-y", "chromium"], capture_output=True, timeout=600, check=False,
                           env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        except subprocess.TimeoutExpired:
            pass
    if not Path(CHROMIUM).exists():
        pytest.skip("LOUD: Chromium is not installed and `apt-get install -y chromium` failed; browser tests NOT run")
    return CHROMIUM


def console_command(port: int) -> list[str]:
    """`python -m core web` when the web verb exists (the console and API on one port), else `streamlit run`."""
    from core.cli import COMMANDS

    if "web" in COMMANDS:
        return [sys.executable, "-m", "core", "web", "--port", str(port)]
    return [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless=true",
            f"--server.port={port}", "--server.fileWatcherType=none", "--browser.gatherUsageStats=false"]


def seed_console_demo(url: str) -> None:
    """A small, demo-like dataset (with hostile text in it) straight through SQL."""
    from sqlalchemy.orm import Session

    from db.engine import make_engine
    from tests.test_hostile_text import seed_hostile

    engine = make_engine(url)
    with Session(engine) as s:
        seed_hostile(s)
        for i in range(1, 6):
            s.execute(sql_text("INSERT INTO leads (company, contact_name, email) VALUES (:c, :n, :e)"),
                      {"c": f"Acme {i} Ltd", "n": f"Pat {i}", "e": f"pat{i}@acme{i}.test"})
        s.execute(sql_text("INSERT INTO agent_runs (agent, status, items, summary, finished_at)"
                           " VALUES ('billing', 'succeeded', 1, 'invoiced 1 customer', now())"))
        s.commit()
    engine.dispose()


def sql_text(q: str):  # noqa: ANN201
    from sqlalchemy import text

    return text(q)


@pytest.fixture(scope="module")
def console_db(pg_admin_url: str, template_db: str) -> Iterator[str]:
    name = f"hoss_browser_{os.getpid()}"
    with psycopg.connect(_libpq(pg_admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template_db)))
    url = with_database(pg_admin_url, name)
    seed_console_demo(url)
    yield url
    with psycopg.connect(_libpq(pg_admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def console_url(console_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    missing = [p for p in registered_pages() if not (ROOT / p).is_file()]
    if missing:
        pytest.skip(f"LOUD: registered pages missing from this checkout ({', '.join(missing)}); the console "
                    "cannot start until they land")
    port = free_port()
    log = (tmp_path_factory.mktemp("console") / "console.log").open("w+")
    env = dict(os.environ, DATABASE_URL=console_db, HOSS_DATA_DIR=str(tmp_path_factory.mktemp("data")))
    proc = subprocess.Popen(console_command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            proc.kill()
            pytest.fail(f"console did not start:\n{log.read()[-3000:]}")
        time.sleep(0.2)
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    path = ensure_chromium()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):  # noqa: ANN001, ANN201
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    p = context.new_page()
    p.dialogs = []  # any alert() means hostile text ran as script
    p.on("dialog", lambda d: (p.dialogs.append(d.message), d.dismiss()))
    yield p
    context.close()


def page_url(base: str, page_file: str) -> str:
    """st.navigation's URL for a page file: the default page is `/`, others their file stem."""
    first = registered_pages()[0]
    return base + "/" if page_file == first else f"{base}/{Path(page_file).stem}"


def settle(p) -> str:  # noqa: ANN001
    """Wait until the script has finished rendering; return the main area's text."""
    p.wait_for_selector('[data-testid="stMain"] h1', timeout=30_000)
    p.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=30_000,
    )
    p.wait_for_function("() => document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0",
                        timeout=30_000)  # lazily loaded widgets (dataframes, date inputs) have painted
    p.wait_for_timeout(300)  # let the last deltas paint; not a test threshold
    return p.inner_text("body")


def assert_clean(p, body: str, where: str) -> None:  # noqa: ANN001
    assert not FAILURE_TEXT.search(body), f"{where}: failure text on the page:\n{body[:2000]}"
    assert p.locator('[data-testid="stException"]').count() == 0, where
    assert p.dialogs == [], f"{where}: a script ran: {p.dialogs}"
    assert p.locator('a[href*="evil.test"]').count() == 0, f"{where}: hostile text became a link"
    assert p.locator('img[src="x"]').count() == 0, f"{where}: hostile text became an image"


@pytest.mark.parametrize("page_file", registered_pages())
def test_every_registered_page_renders_in_chromium(console_url, page, page_file: str) -> None:
    page.goto(page_url(console_url, page_file))
    body = settle(page)
    assert_clean(page, body, page_file)
    if os.environ.get("HOSS_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{Path(page_file).stem}.png"), full_page=True)


def test_agents_run_button_shows_its_result(console_url, page) -> None:
    page.goto(page_url(console_url, "pages/agents.py"))
    settle(page)
    page.get_by_text("onboarding · enabled").click()
    page.get_by_role("button", name="Run onboarding now").click()
    result = page.locator(".st-key-agents_last_run_box")
    result.wait_for(timeout=30_000)
    box = result.inner_text()
    if "NotImplementedError" in box:
        pytest.skip("LOUD: the onboarding agent is still a placeholder in this checkout; the button works, the agent not")
    assert "onboarding — succeeded" in box or "onboarding — skipped" in box, box
    assert_clean(page, page.inner_text("body"), "agents after Run")


def test_audit_verify_chain_in_the_browser(console_url, page) -> None:
    page.goto(page_url(console_url, "pages/audit.py"))
    settle(page)
    page.get_by_role("button", name="Verify chain").click()
    page.get_by_text("Chain intact").wait_for(timeout=30_000)
