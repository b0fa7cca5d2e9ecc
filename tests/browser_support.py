"""Shared pieces of the real-browser tests: Debian's Chromium, a console subprocess on a cloned database, page helpers.

Chromium is always /usr/bin/chromium from apt (never a Playwright browser download).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from bench.console_browser import serving
from db.engine import with_database
from tests.conftest import _libpq
from tests.console_support import registered_pages
from tests.standins.http import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FAILURE_TEXT = re.compile(r"Traceback|\b\w*Error\b|Page not found")
VIEWPORT = {"width": 1400, "height": 1600}


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
    """`python -m core web`: the console and the API on one port, as `make run` serves them."""
    return [sys.executable, "-m", "core", "web", "--port", str(port)]


@contextmanager
def cloned_database(admin_url: str, template_db: str, name: str, seed: Callable[[str], None]) -> Iterator[str]:
    """A fresh database cloned from the migrated template, seeded by `seed(url)`, dropped afterwards."""
    def drop() -> None:
        with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    drop()
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template_db)))
    url = with_database(admin_url, name)
    try:
        seed(url)
        yield url
    finally:
        drop()


@contextmanager
def running_console(db_url: str, tmp: pytest.TempPathFactory, **extra_env: str) -> Iterator[str]:
    """`python -m core web` on `db_url` (plus `extra_env`) as a subprocess; yield its URL once healthy; stop it after."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=db_url, HOSS_DATA_DIR=str(tmp.mktemp("data")), **extra_env)
    with ExitStack() as stack:
        try:  # the one server starter, shared with `bench console --browser`
            base = stack.enter_context(serving(console_command(port), env, port,
                                               tmp.mktemp("console") / "console.log", timeout=60))
        except RuntimeError as exc:
            pytest.fail(f"console did not start:\n{exc}")
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    path = ensure_chromium()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    p = context.new_page()
    p.dialogs = []  # any alert() means hostile text ran as script
    p.on("dialog", lambda d: (p.dialogs.append(d.message), d.dismiss()))
    yield p
    context.close()


def page_url(base: str, page_file: str) -> str:
    """st.navigation's URL for a page file: the default page is `/`, others their file stem."""
    first = registered_pages()[0]
    return base + "/" if page_file == first else f"{base}/{Path(page_file).stem}"


def settle(p) -> str:
    """Wait until the script has finished rendering; return the main area's text."""
    p.wait_for_selector('[data-testid="stMain"] h1', timeout=30_000)
    # The status widget is absent both before a run starts and after it ends; the app's script state is set
    # to notRunning only once the session's run has finished (bench/console_browser.py waits on it too).
    p.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=30_000)
    p.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=30_000,
    )
    p.wait_for_function("() => document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0",
                        timeout=30_000)  # lazily loaded widgets (dataframes, date inputs) have painted
    p.wait_for_timeout(300)  # let the last deltas paint; not a test threshold
    return p.inner_text("body")


def assert_clean(p, body: str, where: str) -> None:
    """No exception, no failure text, no script ran, and hostile text stayed text."""
    assert not FAILURE_TEXT.search(body), f"{where}: failure text on the page:\n{body[:2000]}"
    assert p.locator('[data-testid="stException"]').count() == 0, where
    assert p.dialogs == [], f"{where}: a script ran: {p.dialogs}"
    assert p.locator('a[href*="evil.test"]').count() == 0, f"{where}: hostile text became a link"
    assert p.locator('img[src="x"]').count() == 0, f"{where}: hostile text became an image"
