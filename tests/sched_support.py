"""Helpers shared by the scheduler tests: bounded polling and registry set-up."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from core.agents.registry import ensure_agent_registry
from core.config.settings import Settings

T = TypeVar("T")

# An upper bound for "eventually", never a performance threshold: the wait ends as soon as the condition holds.
BOUND_SECONDS = 60.0


def wait_for(check: Callable[[], T], what: str, bound: float = BOUND_SECONDS) -> T:
    """Poll `check` until it returns something truthy; fail naming `what` if it never does within `bound`."""
    deadline = time.monotonic() + bound
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def schedule_only(sessions: sessionmaker[Session], settings: Settings, intervals: dict[str, int]) -> None:
    """Seed the registry, then enable exactly the agents in `intervals` at those periods (seconds)."""
    with sessions() as session:
        ensure_agent_registry(session, settings)
        session.execute(text("UPDATE agents SET enabled = false"))
        for name, seconds in intervals.items():
            session.execute(
                text("UPDATE agents SET enabled = true, interval_seconds = :s WHERE name = :n"), {"s": seconds, "n": name}
            )
        session.commit()


def count(sessions: sessionmaker[Session], sql: str, **params: object) -> int:
    with sessions() as session:
        return int(session.execute(text(sql), params).scalar_one())


def slots_per_agent(sessions: sessionmaker[Session], agents: Iterable[str]) -> dict[str, int]:
    return {
        a: count(sessions, "SELECT count(*) FROM scheduler_slots WHERE agent = :a", a=a) for a in agents
    }
