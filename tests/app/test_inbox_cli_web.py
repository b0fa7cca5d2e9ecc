"""The inbox verbs: `decide`, `run-agent executor`, and `web` serving the console and the API on one port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.app.cli import main
from tests.inbox_data import email_proposal, make_lead
from tests.standins.http import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", db_url)
    return db_url


def test_decide_approves_from_the_shell(cli_env: str, session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    pid = email_proposal(session, make_lead(session))
    session.commit()
    assert main(["decide", str(pid), "approve", "--note", "from the shell"]) == 0
    assert "approved; execution queued" in capsys.readouterr().out
    assert main(["decide", str(pid), "approve"]) == 1
    assert "already approved" in capsys.readouterr().out
    assert main(["decide", "999999", "reject"]) == 1
    row = session.execute(text("SELECT status, decided_by, decision_note FROM action_proposals")).one()
    assert tuple(row) == ("approved", "cli", "from the shell")  # the shell's identity (SPEC §19)


def test_run_agent_executor_runs_the_queue_as_a_dry_run(cli_env: str, session: Session) -> None:
    pid = email_proposal(session, make_lead(session))
    session.commit()
    assert main(["decide", str(pid), "approve"]) == 0
    done = subprocess.run([sys.executable, "-m", "core", "run-agent", "executor"], cwd=ROOT, env=dict(os.environ),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "succeeded — dry run" in done.stdout
    assert session.execute(text("SELECT status FROM action_proposals")).scalar_one() == "executed"


def test_web_serves_console_and_api_on_one_port(cli_env: str, tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items()} | {"HOSS_API_TOKEN": "tok", "HOSS_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "core", "web", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=5) as client:
            for _ in range(300):  # wait for the port to answer (bounded; not a timing assertion)
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            assert client.get("/healthz").json() == {"status": "ok"}
            assert client.post("/api/run/billing").status_code == 401
            assert client.post("/api/invoices/999999/mark_paid",  # the integration token may not mark paid
                               headers={"Authorization": "Bearer tok"}).status_code == 403
            assert client.get("/_stcore/health").text == "ok"
            assert "<html" in client.get("/").text.lower()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
