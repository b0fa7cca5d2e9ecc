"""SENTRY_DSN: real processes send real envelopes to a local Sentry stand-in, and no secret is in them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from core.app.sentry import FILTERED, scrub_event, secret_values
from core.config.settings import ConfigError, Settings, load_settings
from tests.standins.http import free_port
from tests.standins.sentry import serve_sentry

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "HOSS_API_TOKEN": "tok-5f3a9c-never-in-sentry",
    "STRIPE_WEBHOOK_SECRET": "whsec_9d2e-never-in-sentry",
    "BIZDEV_SMTP_PASSWORD": "smtp-77b1-never-in-sentry",
    "HOSS_CONSOLE_PASSWORD": "console-c0ffee-never-in-sentry",
}
DB_PASSWORD = "pg-pw-31415-never-in-sentry"


def _env(db_url: str, tmp_path: Path, dsn: str) -> tuple[dict[str, str], list[str]]:
    """The child's environment with every secret set, and the secrets to look for (the DB password too)."""
    url = make_url(db_url)
    secrets = list(SECRETS.values())
    if url.password:
        secrets.append(str(url.password))
    else:  # the embedded test server trusts local connections, so a password in the URL changes nothing
        url = url.set(password=DB_PASSWORD)
        secrets.append(DB_PASSWORD)
    env = dict(os.environ, **SECRETS, DATABASE_URL=url.render_as_string(hide_password=False),
               HOSS_DATA_DIR=str(tmp_path / "data"), SENTRY_DSN=dsn, SENTRY_ENVIRONMENT="test")
    return env, secrets


CRASH = """
from core.app.context import bootstrap

ctx = bootstrap()

def charge(token, webhook_secret):
    raise RuntimeError(f"boom: Bearer {token} {webhook_secret} {ctx.engine.url.password}")

charge(ctx.settings.secret("hoss_api_token"), ctx.settings.secret("stripe_webhook_secret"))
"""


def test_an_uncaught_error_in_a_bootstrapped_process_reaches_sentry_without_secrets(db_url: str, tmp_path: Path) -> None:
    with serve_sentry() as (dsn, sentry):
        env, secrets = _env(db_url, tmp_path, dsn)
        done = subprocess.run([sys.executable, "-c", CRASH], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 1 and "RuntimeError" in done.stderr
        assert "Sentry is attempting" not in done.stderr  # pending events flushed quietly at exit
        events = sentry.wait_for_events(1)
        raw = sentry.raw().decode()
    assert len(events) == 1
    event = events[0]
    assert event["environment"] == "test"
    (exc,) = event["exception"]["values"]
    assert exc["type"] == "RuntimeError"
    assert exc["value"] == f"boom: Bearer {FILTERED} {FILTERED} {FILTERED}"  # the message kept, the secrets not
    frame = exc["stacktrace"]["frames"][-1]
    assert frame["function"] == "charge" and set(frame["vars"]) == {"token", "webhook_secret"}
    assert all(v in (FILTERED, f"'{FILTERED}'") for v in frame["vars"].values())
    assert [s for s in secrets if s in raw] == []


PAGE_ERROR = """
from streamlit.testing.v1 import AppTest

from core.app.context import bootstrap

bootstrap()
AppTest.from_string("raise ValueError('the page broke')", default_timeout=60).run()
"""


def test_an_uncaught_page_exception_in_the_console_reaches_sentry(db_url: str, tmp_path: Path) -> None:
    with serve_sentry() as (dsn, sentry):
        env, secrets = _env(db_url, tmp_path, dsn)
        done = subprocess.run([sys.executable, "-c", PAGE_ERROR], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr  # Streamlit shows the error on the page and logs it at ERROR
        events = sentry.wait_for_events(1)
        raw = sentry.raw().decode()
    assert [e["exception"]["values"][-1]["value"] for e in events] == ["the page broke"]
    assert [s for s in secrets if s in raw] == []


@pytest.mark.parametrize("verb", ["web", "api"])
def test_a_500_in_a_server_process_reaches_sentry_without_secrets(
    verb: str, db_url: str, pg_admin_url: str, tmp_path: Path
) -> None:
    port = free_port()
    log_path = tmp_path / "server.log"
    token = SECRETS["HOSS_API_TOKEN"]
    with serve_sentry() as (dsn, sentry), log_path.open("w") as log:
        env, secrets = _env(db_url, tmp_path, dsn)
        proc = subprocess.Popen([sys.executable, "-m", "core", verb, "--port", str(port)], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_healthy(proc, base, log_path)
            _drop_database(pg_admin_url, make_url(db_url).database or "")  # the database is gone: a real 500
            response = httpx.get(f"{base}/api/proposals", params={"probe": token}, timeout=30,
                                 headers={"Authorization": f"Bearer {token}", "Cookie": f"s={SECRETS['HOSS_CONSOLE_PASSWORD']}",
                                          "Stripe-Signature": f"t=1,v1={SECRETS['STRIPE_WEBHOOK_SECRET']}"})
            assert response.status_code == 500 and response.json() == {"error": "internal error; see the server log"}
            events = sentry.wait_for_events(1)
            raw = sentry.raw().decode()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    assert events, log_path.read_text()[-3000:]
    event = next(e for e in events if "API GET /api/proposals failed" in str(e.get("logentry") or e.get("message")))
    assert event["exception"]["values"][-1]["type"] == "OperationalError"
    assert [s for s in secrets if s in raw] == []


def _wait_healthy(proc: subprocess.Popen, base: str, log_path: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"server did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)


def _drop_database(admin_url: str, name: str) -> None:
    conninfo = make_url(admin_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_scrubbing_reaches_every_string_and_drops_credential_headers() -> None:
    settings = Settings(_env_file=None, hoss_api_token="tok-1", openai_api_key="sk-2",  # type: ignore[call-arg]
                        database_url="postgresql://app:p%40ss@db.example/hoss")
    secrets = secret_values(settings)
    assert {"tok-1", "sk-2", "p@ss", "p%40ss"} <= set(secrets)
    event = {"message": "calling with sk-2", "extra": {"nested": ["x tok-1 y", {"deep": "postgresql://app:p%40ss@db"}]},
             "request": {"headers": {"Authorization": "Bearer anything", "Stripe-Signature": "t=1,v1=ab",
                                     "Accept": "text/plain"}, "query_string": "probe=tok-1"},
             "breadcrumbs": {"values": [{"message": "p@ss in a log line"}]}, "count": 3}
    scrubbed = scrub_event(event, {}, secrets=secrets)
    assert scrubbed == {
        "message": f"calling with {FILTERED}", "extra": {"nested": [f"x {FILTERED} y", {"deep": f"postgresql://app:{FILTERED}@db"}]},
        "request": {"headers": {"Authorization": FILTERED, "Stripe-Signature": FILTERED, "Accept": "text/plain"},
                    "query_string": f"probe={FILTERED}"},
        "breadcrumbs": {"values": [{"message": f"{FILTERED} in a log line"}]}, "count": 3,
    }


def test_a_bad_dsn_is_one_line_that_does_not_echo_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_DSN", "nonsense://key@")
    with pytest.raises(ConfigError) as err:
        load_settings(_env_file=None)
    assert "SENTRY_DSN" in str(err.value) and "key@" not in str(err.value) and "\n" not in str(err.value)
