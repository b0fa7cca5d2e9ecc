"""Who started a manual run is recorded in agent_runs.actor, from the CLI, the API and the console."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from core.agents.registry import AGENT_NAMES, BUILTIN_AGENTS
from core.agents.runner import RUNNERS, run_named_agent
from core.agents.runs import run_history_query
from core.audit import Actor
from core.config.context import AppContext

ROOT = Path(__file__).resolve().parents[2]


def _actors(session: Session, agent: str) -> list[str | None]:
    session.rollback()
    return list(session.execute(text("SELECT actor FROM agent_runs WHERE agent = :a ORDER BY id"), {"a": agent})
                .scalars())


def test_run_agent_cli_records_the_operator_of_hoss_operator_token(db_url: str, session: Session) -> None:
    from core.approvals.credentials import issue_token
    from core.approvals.operators import add_operator

    add_operator(session, "alice", "owner", Actor.system("test"))
    token = issue_token(session, "alice", Actor.system("test"))
    session.commit()
    proc = subprocess.run([sys.executable, "-m", "core", "run-agent", "bizdev"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "DATABASE_URL": db_url, "HOSS_OPERATOR_TOKEN": token})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _actors(session, "bizdev") == ["alice"]


def test_the_control_room_run_button_records_the_signed_in_operator(console: AppTest, session: Session) -> None:
    console.session_state["operator"] = "dana"
    console.run()
    next(b for b in console.button if b.label == "Run Onboarding").click().run()
    assert not console.exception
    assert _actors(session, "onboarding") == ["dana"]


def test_a_skipped_singleton_run_keeps_its_actor(ctx: AppContext, session: Session) -> None:
    from core.agents.locks import agent_lock

    with agent_lock(ctx.engine, "billing"):  # a scheduled run holds the lock
        result = run_named_agent(ctx, "billing", actor=Actor.user("erin"))
    assert result.status == "skipped"
    assert _actors(session, "billing") == ["erin"]


def test_run_history_shows_the_actor(ctx: AppContext, session: Session) -> None:
    run_named_agent(ctx, "onboarding", actor=Actor.user("frank"))
    row = session.execute(run_history_query("onboarding")).mappings().one()
    assert (row["trigger"], row["actor"]) == ("manual", "frank")


def test_every_registered_agent_name_has_a_runner() -> None:
    assert tuple(RUNNERS) == AGENT_NAMES == tuple(a.name for a in BUILTIN_AGENTS)
