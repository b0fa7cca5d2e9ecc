"""Safer defaults, over real HTTP against the real processes: loopback binding, and no public /_stcore/metrics.

Another address of the loopback range (127.0.0.2) tells "bound to 127.0.0.1 only" from "bound to every
interface" without sending anything off this machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from core.app.cli import build_parser
from core.config.settings import ConfigError, Settings, load_settings
from tests.standins.http import free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "web-token-4b2d"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@contextmanager
def running(cmd: list[str], env: dict[str, str], host: str, port: int) -> Iterator[str]:
    """Start `cmd`; yield its base URL on `host` once /_stcore/health answers (bounded wait); stop it after."""
    log_path = Path(env["HOSS_DATA_DIR"]).with_name(f"server-{port}.log")
    with log_path.open("w") as log, _process(cmd, env, log) as proc:
        yield _wait_healthy(proc, f"http://{host}:{port}", log_path, cmd)


@contextmanager
def _process(cmd: list[str], env: dict[str, str], log) -> Iterator[subprocess.Popen]:
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_healthy(proc: subprocess.Popen, base: str, log_path: Path, cmd: list[str]) -> str:
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{base}/_stcore/health", timeout=2).status_code == 200:
                return base
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{cmd[3:]} did not start on {base}:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)


def _env(db_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return dict(os.environ, DATABASE_URL=db_url, HOSS_DATA_DIR=str(tmp_path / "data"), HOSS_API_TOKEN=TOKEN, **extra)


def _refused(url: str) -> bool:
    try:
        httpx.get(url, timeout=5)
    except httpx.ConnectError:
        return True
    return False


def test_web_binds_loopback_by_default_and_keeps_streamlit_metrics_behind_the_token(db_url: str, tmp_path: Path) -> None:
    port = free_port()
    cmd = [sys.executable, "-m", "core", "web", "--port", str(port)]  # no --host, no HOSS_WEB_HOST
    with running(cmd, _env(db_url, tmp_path), "127.0.0.1", port) as base, httpx.Client(base_url=base, timeout=10) as c:
        assert _refused(f"http://127.0.0.2:{port}/_stcore/health")  # not every interface: loopback only

        assert c.get("/_stcore/metrics").status_code == 401
        assert c.get("/_stcore/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
        for variant in ("/_stcore/metrics/", "//_stcore//metrics", "/_stcore/metrics?families=session_events"):
            response = c.get(variant, follow_redirects=True)
            assert response.status_code in (401, 404), variant
            assert "# TYPE" not in response.text, variant
        streamlit_own = c.get("/_stcore/metrics", headers=AUTH)
        assert streamlit_own.status_code == 200 and "# TYPE" in streamlit_own.text  # the operator may scrape it

        assert c.get("/metrics").status_code == 401
        ours = c.get("/metrics", headers=AUTH)
        assert ours.status_code == 200
        assert "hoss_tasks" in {f.name for f in text_string_to_metric_families(ours.text)}
        assert "<html" in c.get("/").text.lower()  # the console itself stays open (its sign-in guards the pages)


def test_web_sends_streamlits_bundles_from_memory_as_streamlit_would_and_logs_no_request(
        db_url: str, tmp_path: Path) -> None:
    from streamlit import file_util

    static = Path(file_util.get_static_dir()) / "static"
    bundle = min((static / "js").glob("*.js"), key=lambda p: p.stat().st_size)
    css = next((static / "css").glob("*.css"))
    port = free_port()
    cmd = [sys.executable, "-m", "core", "web", "--port", str(port)]
    with running(cmd, _env(db_url, tmp_path), "127.0.0.1", port) as base, httpx.Client(base_url=base, timeout=10) as c:
        for _ in range(2):  # the first answer reads the file, the second comes from memory: the same bytes
            js = c.get(f"/static/js/{bundle.name}")
            assert js.status_code == 200 and js.content == bundle.read_bytes()
            assert js.headers["content-type"] == "application/javascript"
            assert js.headers["cache-control"] == "public, immutable, max-age=31536000"
        assert c.get(f"/static/css/{css.name}").headers["content-type"] == "text/css; charset=utf-8"
        # A revalidation is Streamlit's to answer (its ETag says who answered); an unknown name is never opened.
        assert "etag" in c.get(f"/static/js/{bundle.name}", headers={"If-None-Match": '"x"'}).headers
        assert c.get("/static/js/..%2f..%2findex.html").content != (static.parent / "index.html").read_bytes()
        assert "<html" in c.get("/").text.lower()
    log = Path(tmp_path / f"server-{port}.log").read_text()
    assert "GET /static" not in log and "GET / " not in log  # no access log line for any request


def test_hoss_web_host_moves_the_bind_address(db_url: str, tmp_path: Path) -> None:
    port = free_port()
    cmd = [sys.executable, "-m", "core", "web", "--port", str(port)]
    with running(cmd, _env(db_url, tmp_path, HOSS_WEB_HOST="127.0.0.2"), "127.0.0.2", port) as base:
        assert httpx.get(f"{base}/healthz", timeout=10).json() == {"status": "ok"}
        assert _refused(f"http://127.0.0.1:{port}/healthz")


def test_console_alone_is_loopback_and_guarded_too(db_url: str, tmp_path: Path) -> None:
    port = free_port()
    cmd = [sys.executable, "-m", "core", "console", "--port", str(port)]
    with running(cmd, _env(db_url, tmp_path), "127.0.0.1", port) as base, httpx.Client(base_url=base, timeout=10) as c:
        assert _refused(f"http://127.0.0.2:{port}/_stcore/health")
        assert c.get("/_stcore/metrics").status_code == 401
        assert c.get("/_stcore/metrics", headers=AUTH).status_code == 200
        no_api = c.get("/api/proposals", headers=AUTH)  # no API routes in the console alone: Streamlit's page shell
        assert not no_api.headers["content-type"].startswith("application/json")


def test_plain_streamlit_run_listens_on_loopback_from_config_toml(db_url: str, tmp_path: Path) -> None:
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port)]
    with running(cmd, _env(db_url, tmp_path), "127.0.0.1", port):
        assert _refused(f"http://127.0.0.2:{port}/_stcore/health")


def test_host_flags_default_to_the_setting() -> None:
    parser = build_parser()
    for verb in ("web", "api", "console"):
        assert parser.parse_args([verb]).host is None  # so HOSS_WEB_HOST decides
        assert parser.parse_args([verb, "--host", "0.0.0.0"]).host == "0.0.0.0"
    assert Settings(_env_file=None).hoss_web_host == "127.0.0.1"  # type: ignore[call-arg]


@pytest.mark.parametrize(("variable", "value"), [("HOSS_WEB_HOST", "0.0.0.0; rm"), ("HOSS_WEB_HOST", ""),
                                                 ("METRICS_STATEMENT_TIMEOUT_MS", "0")])
def test_bad_new_settings_name_the_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        load_settings(_env_file=None)


def test_the_console_runs_with_no_full_collection_after_each_run_and_no_file_watcher() -> None:
    # Both held the server's GIL while a new session's browser fetched the lazy bundles (docs/decisions.md).
    probe = ("from streamlit import config; "
             "print(config.get_option('runner.postScriptGC'), config.get_option('server.fileWatcherType'))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         check=True)
    assert out.stdout.split() == ["False", "none"]
