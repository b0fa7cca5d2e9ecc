"""`python -m core bench console --browser`: time-to-content of every page in headless Chromium, as a ratio
to a hello-world Streamlit page served side by side and measured in the same run.

Time-to-content is measured in the page itself: `performance.now()` (milliseconds since navigation start) at
the first animation frame where (1) Streamlit reports the script run finished
(`[data-testid="stApp"][data-test-script-state="notRunning"]`, which it sets only after the first run, the
router and the page together, has ended), (2) the main block holds at least one rendered element, (3) no
lazily loaded element is still a skeleton (`stSkeleton`: dataframes, charts) and (4) every Altair chart has been
drawn: vega-embed draws its `.marks` svg or canvas asynchronously, after the chart's element has mounted, and
~300 ms later on a cold page. A page showing an exception is an error, not a time. Each navigation opens a fresh
browser context, so every load is a new Streamlit session, as when a person opens the URL. Every page load is
paired with a hello-world load right beside it and a page's figure is the median of its pairs' ratios, so a
slow spell of the machine (a shared 2-core VM drifts by a fifth within minutes) lands on both halves of a pair
instead of on whichever page it happened to meet. Chromium is Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from core.app.cli import wait_until_serving

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
GOAL_RATIO = 1.5
HELLO = "hello-world"
HELLO_SCRIPT = 'import streamlit as st\n\nst.title("Hello, world")\nst.write("A page with nothing on it.")\n'
VIEWPORT = {"width": 1400, "height": 1000}
EXCEPTION = '[data-testid="stException"]'

# Truthy (the time since navigation start, ms) once the app is idle and its main block has rendered.
CONTENT_READY_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main || !main.querySelector('[data-testid="stElementContainer"]')) return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  for (const chart of document.querySelectorAll('[data-testid="stVegaLiteChart"]'))
    if (!chart.querySelector('.marks')) return false;  // vega-embed draws after its element has mounted
  const status = document.querySelector('[data-testid="stStatusWidget"]');
  if (status && status.innerText.includes('Running')) return false;
  return performance.now();
}"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page_path(page_file: str, pages: list[str]) -> str:
    """st.navigation's URL path of a page: `/` for the default (first) page, else its url_path, the file stem
    (streamlit_app.py passes no url_path to st.Page)."""
    return "/" if page_file == pages[0] else "/" + Path(page_file).stem


@contextmanager
def serving(cmd: list[str], env: dict[str, str], port: int, log: Path, timeout: float = 90) -> Iterator[str]:
    """Run a Streamlit server subprocess; yield its base URL once `/_stcore/health` answers; stop it after."""
    with log.open("w+") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            if not wait_until_serving(f"{base}/_stcore/health", [proc], timeout):
                out.seek(0)
                raise RuntimeError(f"{cmd[2:4]} did not start:\n{out.read()[-2000:]}")
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def time_to_content(browser: Any, url: str, timeout_ms: float = 120_000) -> float:
    """One cold load of `url` in a fresh context: ms from navigation start to content rendered and app idle."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        p = context.new_page()
        p.goto(url, wait_until="commit", timeout=timeout_ms)
        handle = p.wait_for_function(CONTENT_READY_JS, polling="raf", timeout=timeout_ms)
        if p.locator(EXCEPTION).count():  # a page that failed renders fast: its time is not the page's
            raise RuntimeError(f"{url} shows an exception instead of its content; fix the page, then measure")
        return float(handle.json_value())
    finally:
        context.close()


def measure(browser: Any, console: str, hello: str, pages: list[str], runs: int) -> dict[str, list[float]]:
    """Per page, `runs` ratios of its time-to-content to a hello-world load made next to it (hello-world first
    in even rounds, second in odd ones), after one warm-up load of each."""
    hello_url = hello + "/"
    targets = {p: console + page_path(p, pages) for p in pages}
    ratios: dict[str, list[float]] = {p: [] for p in pages}
    for url in (hello_url, *targets.values()):  # warm-up: imports, caches, the first connection to the database
        time_to_content(browser, url)
    for r in range(runs):
        for name, url in targets.items():
            if r % 2 == 0:
                hello_ms, page_ms = time_to_content(browser, hello_url), time_to_content(browser, url)
            else:
                page_ms, hello_ms = time_to_content(browser, url), time_to_content(browser, hello_url)
            ratios[name].append(page_ms / hello_ms)
    return ratios


def bench_browser(database_url: str, runs: int, pages: list[str]) -> dict[str, Any]:
    """Serve the console and a hello-world page side by side, measure both, report each page's median ratio."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `apt-get install chromium` (no browser is downloaded)")
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hoss-bench-browser-")))
        (tmp / "hello.py").write_text(HELLO_SCRIPT)
        (tmp / "data").mkdir()
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(DATABASE_URL=database_url, HOSS_DATA_DIR=str(tmp / "data"))
        cport, hport = free_port(), free_port()
        console = stack.enter_context(serving([sys.executable, "-m", "core", "web", "--port", str(cport)],
                                              env, cport, tmp / "console.log"))
        hello = stack.enter_context(serving(
            [sys.executable, "-m", "streamlit", "run", str(tmp / "hello.py"), "--server.headless=true",
             f"--server.port={hport}", "--server.address=127.0.0.1", "--server.fileWatcherType=none",
             "--browser.gatherUsageStats=false"], env, hport, tmp / "hello.log"))
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        stack.callback(browser.close)
        ratios = measure(browser, console, hello, pages, runs)
    rows = [{"page": HELLO, "ratio": 1.0, "reference": True}]
    for p in pages:
        ratio = round(statistics.median(ratios[p]), 2)
        rows.append({"page": p, "ratio": ratio, "meets_goal": ratio <= GOAL_RATIO})
    return {"mode": "browser", "runs": runs, "goal_ratio": GOAL_RATIO, "reference": HELLO, "pages": rows}


def format_browser(report: dict[str, Any]) -> str:
    """A plain table for the terminal: ratios only (absolute times depend on the machine)."""
    lines = ["on " + ", ".join(f"{v:,} {k}" for k, v in report["rows"].items()),
             f"time-to-content in headless Chromium as a ratio to a hello-world load beside it, median of "
             f"{report['runs']} pair(s) per page (goal ≤ {report['goal_ratio']}×)",
             f"{'page':<28} {'ratio':>6}"]
    for r in report["pages"]:
        verdict = "reference" if r.get("reference") else ("ok" if r["meets_goal"] else "SLOW")
        lines.append(f"{r['page']:<28} {r['ratio']:>5.2f}×  {verdict}")
    return "\n".join(lines)
