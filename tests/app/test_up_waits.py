"""`core up` says the console is up only once it answers: core.app.cli.wait_until_serving over real HTTP."""

from __future__ import annotations

import subprocess
import sys

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from core.app.cli import wait_until_serving
from tests.standins.http import free_port, serve_asgi


def _sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])


def test_a_console_that_answers_its_health_check_is_up() -> None:
    app = Starlette(routes=[Route("/_stcore/health", lambda request: PlainTextResponse("ok"))])
    child = _sleeper()
    try:
        with serve_asgi(app) as base:
            assert wait_until_serving(f"{base}/_stcore/health", [child], timeout=10)
    finally:
        child.kill()
        child.wait()


def test_a_child_that_exits_ends_the_wait() -> None:
    child = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    child.wait()
    assert not wait_until_serving(f"http://127.0.0.1:{free_port()}/_stcore/health", [child], timeout=30)


def test_nothing_listening_is_not_up_once_the_time_is_out() -> None:
    child = _sleeper()
    try:
        assert not wait_until_serving(f"http://127.0.0.1:{free_port()}/_stcore/health", [child], timeout=0.5)
    finally:
        child.kill()
        child.wait()
