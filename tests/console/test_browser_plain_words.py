"""SPEC §21 in Chromium: on demo data, every page (and a hired worker's task page) reads as plain English — no
snake_case word, no bare None, no raw timestamp, no JSON, no amount in cents (core.present.lint.unreadable)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest

from core.present.lint import unreadable
from tests.browser_support import (  # noqa: F401 - fixtures
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

# Fragments a person is meant to read as typed (none so far: add one only with the reason beside it).
ALLOW: tuple[str, ...] = ()


def _seed(url: str) -> None:
    from sqlalchemy.orm import Session

    from core.app.demo import seed_demo
    from db.engine import make_engine

    engine = make_engine(url)
    with Session(engine) as s:
        seed_demo(s)
        s.commit()
    engine.dispose()


@pytest.fixture(scope="module")
def demo_url(pg_admin_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    with cloned_database(pg_admin_url, template_db, f"hoss_plain_{os.getpid()}", _seed) as url, \
            running_console(url, tmp_path_factory) as base:
        yield base, url


def _worker_task(url: str) -> int:
    with psycopg.connect(_libpq(url)) as conn:
        return conn.execute("SELECT id FROM tasks WHERE agent IS NOT NULL AND status = 'done' ORDER BY id "
                            "LIMIT 1").fetchone()[0]


# Material icons are ligatures ("expand_more" draws a chevron): a person sees the icon, not the word.
_WITHOUT_ICONS = """() => {
    const main = document.querySelector('[data-testid="stMain"]').cloneNode(true);
    main.querySelectorAll('[data-testid="stIconMaterial"]').forEach(e => e.remove());
    document.body.appendChild(main);
    const text = main.innerText;
    main.remove();
    return text;
}"""


def _main_text(p) -> str:
    """The main area's visible text, without icon ligatures."""
    settle(p)
    return p.evaluate(_WITHOUT_ICONS)


@pytest.mark.parametrize("page_file", registered_pages())
def test_every_page_reads_as_plain_english_on_demo_data(demo_url, page, page_file: str) -> None:
    base, _ = demo_url
    page.goto(page_url(base, page_file))
    findings = unreadable(_main_text(page), allow=ALLOW)
    text = _main_text(page) if findings else ""
    assert findings == [], f"{page_file}: " + "; ".join(
        f"{f.rule}: {f.fragment!r} in …{_around(text, f.fragment)}…" for f in findings[:20])


def test_a_hired_workers_task_page_reads_as_plain_english(demo_url, page) -> None:
    base, url = demo_url
    page.goto(f"{base}/task?task={_worker_task(url)}")
    text = _main_text(page)
    assert "Status" in text
    findings = unreadable(text, allow=ALLOW)
    assert findings == [], "task page: " + "; ".join(f"{f.rule}: {f.fragment!r}" for f in findings[:20])


def _around(text: str, fragment: str) -> str:
    at = text.find(fragment)
    return text[max(at - 60, 0):at + len(fragment) + 60].replace("\n", " ⏎ ")
