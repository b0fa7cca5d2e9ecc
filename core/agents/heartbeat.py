"""Run heartbeats: a process pushes `heartbeat_at` of the runs it has in flight; a stale one was abandoned.

One daemon thread per process and engine renews every registered run every HOSS_HEARTBEAT_SECONDS in a
single UPDATE. A run whose heartbeat is older than three intervals belongs to a process that died (kill -9,
a lost machine): any replica's reaper marks it `abandoned`, so no row stays `running` forever.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

log = logging.getLogger("hoss.agents")

# Three missed heartbeats: one slow transaction or a GC pause never makes a live run look dead.
STALE_AFTER_BEATS = 3

_BEAT = text("UPDATE agent_runs SET heartbeat_at = now() WHERE id = ANY(:ids) AND status = 'running'")
_REAP = text("""
    UPDATE agent_runs SET status = 'abandoned', finished_at = now(),
        error = 'no heartbeat for ' || round(extract(epoch FROM now() - heartbeat_at)) || ' s: its process stopped'
    WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => :stale_s)
    RETURNING id, agent
""")


class Heartbeats:
    """The runs this process has in flight on one engine, renewed by one daemon thread."""

    def __init__(self, engine: Engine, interval_s: float) -> None:
        self.engine, self.interval_s = engine, interval_s
        self._runs: set[int] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="run-heartbeats", daemon=True)
        self._thread.start()

    def add(self, run_id: int) -> None:
        with self._lock:
            self._runs.add(run_id)

    def discard(self, run_id: int) -> None:
        with self._lock:
            self._runs.discard(run_id)

    def _loop(self) -> None:
        while True:
            time.sleep(self.interval_s)
            with self._lock:
                ids = sorted(self._runs)
            if not ids:
                continue
            try:
                with self.engine.begin() as conn:
                    conn.execute(_BEAT, {"ids": ids})
            except Exception as exc:  # the database may be restarting; the next beat tries again
                log.warning("run heartbeat failed (%s); retrying in %.1fs", type(exc).__name__, self.interval_s)


_keepers: dict[tuple[int, float], Heartbeats] = {}
_keepers_lock = threading.Lock()


def heartbeats(engine: Engine, interval_s: float) -> Heartbeats:
    """The process's heartbeat keeper for `engine` (started on first use)."""
    key = (id(engine), interval_s)
    with _keepers_lock:
        keeper = _keepers.get(key)
        if keeper is None:
            keeper = _keepers[key] = Heartbeats(engine, interval_s)
        return keeper


def reap_abandoned_runs(session: Session, interval_s: float) -> list[tuple[int, str]]:
    """Mark `running` runs whose heartbeat is older than three intervals `abandoned`; return (id, agent). Commits."""
    rows = session.execute(_REAP, {"stale_s": STALE_AFTER_BEATS * interval_s}).all()
    session.commit()
    for run_id, agent in rows:
        log.warning("[%s] run %s abandoned: its process stopped heartbeating", agent, run_id)
    return [(r.id, r.agent) for r in rows]
