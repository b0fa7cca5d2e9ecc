"""Every bad setting, usage error and failed query ends in one line (exit 2 or 1), never a traceback."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.agents.runs import agent_run
from core.errors import one_line

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", **env})


def _one_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
    return proc.stderr


@pytest.mark.parametrize(("name", "value"), [
    ("SCHED_OPS_INTERVAL_SECONDS", "inf"), ("SCHED_OPS_INTERVAL_SECONDS", "nan"),
    ("SCHED_BIZDEV_INTERVAL_MINUTES", "1e300"), ("OPS_LEASE_SECONDS", "-Infinity"),
    ("DATABASE_URL", "not-a-url"), ("DATABASE_URL", "mysql://root:hunter2@db/x"),
    ("OPENAI_BASE_URL", "ftp://example.com"), ("STRIPE_API_BASE", "localhost:12111"), ("HOSS_TIMEZONE", "Mars/Olympus"),
])
def test_a_bad_setting_is_one_line_naming_it_and_exit_2(tmp_path: Path, name: str, value: str) -> None:
    proc = _cli("migrate", **{name: value, "HOSS_DATA_DIR": str(tmp_path)})
    assert proc.returncode == 2
    assert name in _one_line(proc)
    assert "hunter2" not in proc.stderr  # a database URL may carry a password: never echoed


@pytest.mark.parametrize("args", [("nope",), ("decide", "x", "approve"), ("run-agent",), ("ask", "--bogus")])
def test_a_usage_error_is_one_line_and_exit_2(args: tuple[str, ...]) -> None:
    proc = _cli(*args)
    assert proc.returncode == 2
    assert _one_line(proc).startswith("error: python -m core")


def test_an_unknown_agent_is_one_line_and_exit_2(db_url: str) -> None:
    proc = _cli("run-agent", "nobody", DATABASE_URL=db_url)
    assert proc.returncode == 2
    assert "choose one of" in _one_line(proc)


def test_ask_blocked_by_a_lock_prints_one_line_and_exits_nonzero(db_url: str, session: Session) -> None:
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        with session.get_bind().connect() as conn, conn.begin():
            conn.execute(text("LOCK TABLE customers, ledger_entries IN ACCESS EXCLUSIVE MODE"))
            locked.set()
            release.wait(60)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(30)
        proc = _cli("ask", "how many months of runway do we have", DATABASE_URL=db_url,
                    CANVAS_STATEMENT_TIMEOUT_MS="300")
    finally:
        release.set()
        holder.join(30)
    assert proc.returncode == 1
    assert "took longer than 300 ms" in _one_line(proc)


def test_a_failed_run_keeps_one_short_line_and_no_sql(session: Session) -> None:
    with agent_run(session, "bizdev", "manual") as run:
        raise RuntimeError("the database said no\nSQL: SELECT * FROM secrets WHERE key = 'sk-live'")
    error = session.execute(text("SELECT error FROM agent_runs WHERE id = :i"), {"i": run.run_id}).scalar_one()
    assert error == "RuntimeError: the database said no"


def test_one_line_is_capped() -> None:
    assert len(one_line(ValueError("x" * 5000))) == 300
