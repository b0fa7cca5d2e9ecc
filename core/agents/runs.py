"""Agent runs: every run is an `agent_runs` row, whatever happens inside it."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine, Select, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from core.agents.heartbeat import heartbeats
from core.audit import Actor
from core.errors import one_line
from db.models import AgentRun

log = logging.getLogger("hoss.agents")
# The HOSS_HEARTBEAT_SECONDS default; agents pass the configured value.
DEFAULT_HEARTBEAT_SECONDS = 15.0


@dataclass(frozen=True)
class AgentResult:
    """What one agent run did: its row id, status, how many things it touched, and one line per thing."""

    agent: str
    run_id: int
    status: str
    items: int
    summary: str
    lines: tuple[str, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("succeeded", "skipped")


@dataclass
class RunRecorder:
    """Collects what a run did while it runs."""

    agent: str
    run_id: int
    items: int = 0
    lines: list[str] = field(default_factory=list)
    summary: str = ""
    status: str = "succeeded"
    error: str | None = None

    def did(self, line: str, *, count: int = 1) -> None:
        """Log one clear line about one thing done, and count it."""
        self.items += count
        self.lines.append(line)
        log.info("[%s] %s", self.agent, line)

    def note(self, line: str) -> None:
        """Log a line that is not a thing done (a skip, a mode notice)."""
        self.lines.append(line)
        log.info("[%s] %s", self.agent, line)

    def skip(self, reason: str) -> None:
        """Mark the run skipped (nothing to do that it may do), with the reason."""
        self.status = "skipped"
        self.summary = reason
        self.note(reason)

    def result(self) -> AgentResult:
        summary = self.summary or (f"{self.items} item(s)" if not self.error else self.error)
        return AgentResult(self.agent, self.run_id, self.status, self.items, summary, tuple(self.lines), self.error)


def start_run(session: Session, agent: str, trigger: str, actor: Actor | None = None) -> int:
    """Insert a `running` agent_runs row (with who started it) and commit it, so even a crashed run leaves a trace."""
    run_id = session.execute(
        insert(AgentRun)
        .values(agent=agent, trigger=trigger, host=socket.gethostname(), pid=os.getpid(),
                actor=actor.label if actor else None)
        .returning(AgentRun.id)
    ).scalar_one()
    session.commit()
    return run_id


def finish_run(session: Session, recorder: RunRecorder) -> None:
    """Write the run's outcome and commit."""
    result = recorder.result()
    session.execute(
        update(AgentRun)
        .where(AgentRun.id == recorder.run_id)
        .values(
            finished_at=func.now(), status=result.status, items=result.items,
            summary=result.summary[:2000], error=result.error,
        )
    )
    session.commit()


@contextmanager
def agent_run(session: Session, agent: str, trigger: str = "manual", actor: Actor | None = None, *,
              heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS) -> Iterator[RunRecorder]:
    """Record a run around the block, heartbeating it meanwhile; an exception inside is rolled back, recorded as
    `failed`, and not re-raised."""
    recorder = RunRecorder(agent=agent, run_id=start_run(session, agent, trigger, actor))
    bind = session.get_bind()
    beats = heartbeats(bind if isinstance(bind, Engine) else bind.engine, heartbeat_seconds)
    beats.add(recorder.run_id)
    try:
        yield recorder
    except Exception as exc:  # the run's failure is data, not a crash of the caller
        session.rollback()
        recorder.status = "failed"
        recorder.error = one_line(exc)
        log.exception("[%s] run %s failed: %s", agent, recorder.run_id, recorder.error)
    finally:
        beats.discard(recorder.run_id)
    finish_run(session, recorder)


def record_skipped_run(sessions: sessionmaker[Session], agent: str, trigger: str, reason: str,
                       actor: Actor | None = None) -> AgentResult:
    """Record a run that did nothing because `reason` (e.g. the agent is already running) and return it."""
    with sessions() as session:
        with agent_run(session, agent, trigger, actor) as recorder:
            recorder.skip(reason)
    return recorder.result()


def record_failed_run(sessions: sessionmaker[Session], agent: str, trigger: str, error: str) -> int | None:
    """Best effort: record a run that failed outside `agent_run` (it raised before recording); None if the database is down too."""
    try:
        with sessions() as session:
            run_id = session.execute(
                insert(AgentRun)
                .values(
                    agent=agent, trigger=trigger, host=socket.gethostname(), pid=os.getpid(),
                    status="failed", finished_at=func.now(), summary=error[:2000], error=error[:2000],
                )
                .returning(AgentRun.id)
            ).scalar_one()
            session.commit()
            return run_id
    except Exception as exc:  # the database may be what failed; the log line is then the only record
        log.warning("[%s] could not record the failed run (%s: %s)", agent, type(exc).__name__, exc)
        return None


def run_history_query(agent: str | None = None) -> Select:
    """Agent runs newest first (optionally of one agent): trigger, actor, status, duration in seconds, items, error, host.

    The one query behind every run-history table; callers page it (OFFSET or keyset on id).
    """
    duration = func.extract("epoch", AgentRun.finished_at - AgentRun.started_at)
    query = select(
        AgentRun.id, AgentRun.agent, AgentRun.trigger, AgentRun.actor, AgentRun.status, AgentRun.started_at,
        duration.label("duration_s"), AgentRun.items, AgentRun.summary, AgentRun.error, AgentRun.host,
    ).order_by(AgentRun.id.desc())
    return query.where(AgentRun.agent == agent) if agent else query
