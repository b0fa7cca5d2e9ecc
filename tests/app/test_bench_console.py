"""`python -m core bench console`: every registered page timed through AppTest, and in headless Chromium."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bench.console import ROOT, percentile, registered_pages
from tests.browser_support import browser, ensure_chromium, page  # noqa: F401 - browser/page are fixtures


def test_percentile_is_nearest_rank() -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile(list(map(float, range(1, 101))), 95) == 95.0


def test_bench_console_reports_p50_and_p95_for_every_registered_page(db_url) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSS_")}
    env["DATABASE_URL"] = db_url
    out = subprocess.run([sys.executable, "-m", "core", "bench", "console", "--runs", "2", "--json"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert [r["page"] for r in report["pages"]] == registered_pages()
    timed = [r for r in report["pages"] if "error" not in r]
    assert {"pages/agents.py", "pages/audit.py"} <= {r["page"] for r in timed}
    assert all(r["p50_ms"] <= r["p95_ms"] for r in timed) and set(report["rows"]) >= {"tasks", "events"}


@pytest.mark.browser
def test_bench_console_browser_reports_a_ratio_to_hello_world_for_every_page(db_url) -> None:
    ensure_chromium()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSS_")}
    env["DATABASE_URL"] = db_url
    out = subprocess.run([sys.executable, "-m", "core", "bench", "console", "--browser", "--runs", "1", "--json"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["reference"] == "hello-world" and report["runs"] == 1
    hello, *pages = report["pages"]
    assert hello == {"page": "hello-world", "ratio": 1.0, "reference": True}
    assert [r["page"] for r in pages] == registered_pages()
    assert all(r["ratio"] > 0 and isinstance(r["meets_goal"], bool) for r in pages)


@pytest.mark.browser
def test_a_page_that_shows_an_exception_is_an_error_not_a_fast_time(tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    from bench import console_browser as cb

    ensure_chromium()
    (tmp_path / "broken.py").write_text('import streamlit as st\n\nst.title("Broken")\nraise ValueError("boom")\n')
    port = cb.free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(tmp_path / "broken.py"), "--server.headless=true",
           f"--server.port={port}", "--server.address=127.0.0.1", "--server.fileWatcherType=none",
           "--browser.gatherUsageStats=false"]
    with cb.serving(cmd, dict(os.environ), port, tmp_path / "broken.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=cb.CHROMIUM, args=cb.CHROMIUM_ARGS, headless=True)
        try:
            with pytest.raises(RuntimeError, match="shows an exception instead of its content"):
                cb.time_to_content(browser, url + "/")
        finally:
            browser.close()


@pytest.mark.browser
def test_content_is_not_ready_until_every_altair_chart_is_drawn(page) -> None:
    """Regression: the control room read as ready while vega-embed had not yet drawn its charts."""
    from bench.console_browser import CONTENT_READY_JS

    page.set_content('<div data-testid="stApp" data-test-script-state="notRunning"><div data-testid="stMain">'
                     '<div data-testid="stElementContainer"><div data-testid="stVegaLiteChart" id="chart"></div>'
                     '</div></div></div>')
    assert page.evaluate(CONTENT_READY_JS) is False
    page.evaluate("document.getElementById('chart').innerHTML = '<svg class=\"marks\"></svg>'")
    assert page.evaluate(CONTENT_READY_JS) > 0


def test_each_page_load_is_paired_with_a_hello_world_load_beside_it_in_alternating_order(monkeypatch) -> None:
    from bench import console_browser as cb

    loads: list[str] = []

    def fake_time_to_content(browser, url: str) -> float:  # a page takes 1.5× hello-world, whatever the drift
        loads.append(url)
        drift = 1 + len(loads) / 10
        return (2000.0 if url == "http://h/" else 3000.0) * drift

    monkeypatch.setattr(cb, "time_to_content", fake_time_to_content)
    ratios = cb.measure(None, "http://c", "http://h", ["pages/a.py", "pages/b.py"], runs=2)
    assert loads[:3] == ["http://h/", "http://c/", "http://c/b"]  # one warm-up load of each
    assert loads[3:] == ["http://h/", "http://c/", "http://h/", "http://c/b",   # hello-world first in round 0
                         "http://c/", "http://h/", "http://c/b", "http://h/"]   # and second in round 1
    assert set(ratios) == {"pages/a.py", "pages/b.py"} and all(len(r) == 2 for r in ratios.values())
    assert all(abs(r - 1.5) < 0.15 for rs in ratios.values() for r in rs)  # each pair shares the drift
