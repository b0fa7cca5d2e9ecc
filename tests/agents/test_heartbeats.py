"""No run stays `running` forever: live runs heartbeat; a killed process's run is marked `abandoned` by a replica."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.agents.heartbeat import reap_abandoned_runs
from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI

ROOT = Path(__file__).resolve().parents[2]
BEAT = 0.5


def _bizdev_run(session: Session):
    session.rollback()
    return session.execute(text("SELECT id, status, started_at, heartbeat_at, error FROM agent_runs "
                                "WHERE agent = 'bizdev' ORDER BY id DESC LIMIT 1")).one_or_none()


def _wait(predicate, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_a_scheduler_killed_mid_bizdev_run_leaves_it_abandoned(db_url: str, session: Session) -> None:
    llm = FakeOpenAI(latency_s=120)  # BizDev drafts with the LLM when a key is set: the run hangs in the call
    with serve_asgi(llm.app()) as base:
        proc = subprocess.Popen(
            [sys.executable, "-m", "core", "scheduler"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={"PATH": "/usr/bin:/bin", "DATABASE_URL": db_url, "OPENAI_API_KEY": "sk-test",
                 "OPENAI_BASE_URL": f"{base}/v1", "OPENAI_TIMEOUT_SECONDS": "300", "HOSS_HEARTBEAT_SECONDS": str(BEAT)})
        try:
            run = _wait(lambda: (r := _bizdev_run(session)) is not None and r.heartbeat_at > r.started_at and r,
                        "a heartbeating bizdev run")
            time.sleep(4 * BEAT)
            assert reap_abandoned_runs(session, BEAT) == []  # alive and beating: never reaped
            assert _bizdev_run(session).status == "running"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
        reaped = _wait(lambda: reap_abandoned_runs(session, BEAT), "the reaper to mark the run", seconds=30)
    assert reaped == [(run.id, "bizdev")]
    after = _bizdev_run(session)
    assert after.status == "abandoned" and "no heartbeat" in after.error


def test_a_run_that_finished_is_never_reaped(session: Session, settings) -> None:
    from core.agents.bizdev import run_bizdev_agent

    result = run_bizdev_agent(session, settings, count=1)
    session.execute(text("UPDATE agent_runs SET heartbeat_at = now() - interval '1 hour'"))
    session.commit()
    assert reap_abandoned_runs(session, BEAT) == []
    assert _bizdev_run(session).status == result.status == "succeeded"
