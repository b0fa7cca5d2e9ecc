"""Instant wake-ups: one LISTEN connection per scheduler replica turns NOTIFYs of new work into job wake-ups.

The triggers of migration wakeup_notify NOTIFY `hoss_tasks`, `hoss_events` and `hoss_executions` when a
statement makes a pending task, a received event or a queued execution. Polling stays the fallback: a lost
connection is re-established with backoff, and after a reconnect every job is woken once in case a
notification was missed while it was down.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy import Engine

from db.engine import libpq_url

log = logging.getLogger("hoss.scheduler")

# channel -> the agent whose job it wakes
CHANNELS = {"hoss_tasks": "ops_batch", "hoss_events": "events", "hoss_executions": "executor"}
APPLICATION_NAME = "hoss-wakeups"
_MAX_BACKOFF_SECONDS = 30.0


class WakeupListener:
    """LISTENs on CHANNELS from its own thread and calls `wake(agent)` for each notification, until stopped."""

    def __init__(self, engine: Engine, wake: Callable[[str], None]) -> None:
        self._url, self._wake = libpq_url(engine), wake
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wakeup-listener", daemon=True)
        self.connected = threading.Event()  # set while LISTENing (tests wait on it)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._listen()
                failures = 0
            except Exception as exc:  # the database restarted or the connection was killed: listen again
                self.connected.clear()
                failures += 1
                log.warning("[scheduler] wake-up connection lost (%s); polling until it is back", type(exc).__name__)
                self._stop.wait(min(0.5 * 2 ** (failures - 1), _MAX_BACKOFF_SECONDS))

    def _listen(self) -> None:
        with psycopg.connect(self._url, autocommit=True, application_name=APPLICATION_NAME,
                             connect_timeout=10) as conn:
            for channel in CHANNELS:
                conn.execute(f'LISTEN "{channel}"')  # channel names are the constants above, never input
            self.connected.set()
            for agent in set(CHANNELS.values()):  # anything that arrived while we were not listening
                self._wake(agent)
            while not self._stop.is_set():
                for note in conn.notifies(timeout=1.0):
                    if agent := CHANNELS.get(note.channel):
                        self._wake(agent)
