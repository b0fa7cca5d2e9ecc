"""The Ops worker pool: N slots kept busy while work is claimable, each slot claiming its next task at once."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
import weakref
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.config.settings import Settings
from core.ops.budget import budget_exhausted, stop_for_budget
from core.ops.claims import claim_next, release_claim
from core.ops.leases import LeaseKeeper
from core.ops.runner import TaskReport, TaskRunner
from db.engine import make_engine

log = logging.getLogger("hoss.agents.ops")

# How many reports a pool keeps for its summary (a long-running pool must not grow without bound).
_KEEP_LINES = 500
# Consecutive database errors after which a run-until-idle worker gives up (a forever worker keeps trying).
_MAX_IDLE_RUN_ERRORS = 3

_live_pools: weakref.WeakSet[OpsPool] = weakref.WeakSet()


@dataclass(frozen=True)
class PoolSummary:
    """What a pool run did: tasks by outcome, money, and one line per task (the last few hundred)."""

    counts: dict[str, int]
    cost_cents: int
    profit_cents: int
    lines: tuple[str, ...]
    budget_exhausted: bool
    released: int

    @property
    def finished(self) -> int:
        return self.counts.get("done", 0) + self.counts.get("failed", 0) + self.counts.get("needs_review", 0)


class OpsPool:
    """`workers` threads, each with its own session; no batch barrier: a slot claims again as soon as it is free."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, worker_id_prefix: str = "ops",
                 max_workers: int | None = None, runner: TaskRunner | None = None) -> None:
        self.sessions, self.settings = sessions, settings
        self.workers = max_workers or settings.ops_worker_count
        self.runner = runner or TaskRunner(settings)
        self._prefix = f"{socket.gethostname()}:{os.getpid()}:{worker_id_prefix}-{uuid.uuid4().hex[:6]}"
        self._cond = threading.Condition()
        self._wakes = 0  # bumped by wake(); a slot that saw it change since its claim does not go to sleep
        self._lock = threading.Lock()
        self._busy = 0
        self._counts: Counter[str] = Counter()
        self._money = [0, 0]
        self._lines: list[str] = []
        self._budget_hit = False
        # Whether slots read the daily budget before claiming: at the start, and again once a call was stopped
        # by it (the check before every LLM call sees it first); cleared by a read that finds it not reached.
        # While clear, a claim costs no budget read of its own.
        self._budget_watch = True
        _live_pools.add(self)

    @property
    def busy(self) -> int:
        """Slots running a task right now."""
        with self._lock:
            return self._busy

    def wake(self) -> None:
        """Wake idle slots now (new work arrived, or the pool is stopping)."""
        with self._cond:
            self._wakes += 1
            self._cond.notify_all()

    def run_until_idle(self, stop_event: threading.Event | None = None) -> PoolSummary:
        """Run until nothing is claimable (or the budget is spent, or `stop_event`); return what was done."""
        return self._run(stop_event or threading.Event(), until_idle=True)

    def run_forever(self, stop_event: threading.Event) -> PoolSummary:
        """Keep every slot busy while work exists; idle slots look again every SCHED_OPS_INTERVAL_SECONDS.

        When `stop_event` is set: stop claiming, give in-flight tasks OPS_SHUTDOWN_GRACE_SECONDS, hand back
        (to pending) the leases still held, and return.
        """
        return self._run(stop_event, until_idle=False)

    def _run(self, stop: threading.Event, *, until_idle: bool) -> PoolSummary:
        self._slot_engine, own = _slot_engine(self.sessions, self.workers)
        try:
            return self._run_slots(stop, until_idle=until_idle)
        finally:
            if own:
                self._slot_engine.dispose()

    def _run_slots(self, stop: threading.Event, *, until_idle: bool) -> PoolSummary:
        with LeaseKeeper(self.sessions, self.settings.ops_lease_seconds) as keeper:
            threads = [threading.Thread(target=self._slot, args=(i, stop, until_idle, keeper),
                                        name=f"ops-slot-{i}", daemon=True) for i in range(self.workers)]
            for t in threads:
                t.start()
            if until_idle:
                while any(t.is_alive() for t in threads) and not stop.is_set():
                    for t in threads:
                        t.join(timeout=0.2)
            else:
                stop.wait()
            if stop.is_set():
                self.wake()
                deadline = time.monotonic() + self.settings.ops_shutdown_grace_seconds
                for t in threads:
                    t.join(timeout=max(deadline - time.monotonic(), 0.0))
            released = self._release(keeper.held())
        return self._summary(released)

    def _slot(self, slot: int, stop: threading.Event, until_idle: bool, keeper: LeaseKeeper) -> None:
        worker = f"{self._prefix}-{slot}"
        errors, was_idle = 0, False
        conns: tuple[Session] | None = None
        try:
            while not stop.is_set():
                wakes = self._wakes
                try:
                    conns = conns or (self._pinned_session(),)
                    claim = None if self._budget_blocks(conns[0]) else claim_next(
                        conns[0], worker, self.settings.ops_lease_seconds)
                    errors = 0
                except Exception as exc:  # database down or restarting: drop the connections, back off, carry on
                    conns = _discard(conns)
                    errors += 1
                    log.warning("ops slot %s could not claim (%s: %s); retrying", slot, type(exc).__name__,
                                str(exc).splitlines()[0][:200] if str(exc) else "")
                    if until_idle and errors >= _MAX_IDLE_RUN_ERRORS:
                        return
                    stop.wait(min(2.0 ** errors, 30.0))
                    continue
                if claim is None:
                    if until_idle:
                        return
                    was_idle = True
                    self._idle_wait(stop, wakes)
                    continue
                if was_idle:  # work showed up: wake the other idle slots rather than let them sleep a period
                    was_idle = False
                    self.wake()
                if not self._run_one(conns[0], claim, stop, keeper):
                    conns = _discard(conns)
        finally:
            _discard(conns)

    def _pinned_session(self) -> Session:
        # A slot pins one connection for its life: no pool checkout, pre-ping and reset per transaction (they
        # were most of a task's database round trips). Autocommit: every slot statement (claim, complete,
        # requeue) is one atomic CTE with its audit row, so BEGIN/COMMIT would only add round trips.
        conn = self._slot_engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        if self.settings.ops_async_commit:
            # No wait for the WAL flush (see docs/decisions.md): a Postgres crash may forget the last moment's
            # claims/outcomes whole; those tasks are claimed again. Never half-written, never done twice.
            conn.exec_driver_sql("SET synchronous_commit = off")
        return self.sessions(bind=conn)

    def _run_one(self, session: Session, claim, stop: threading.Event, keeper: LeaseKeeper) -> bool:  # noqa: ANN001
        """Run one claimed task; False when the session broke (the caller reconnects)."""
        keeper.hold(claim)
        with self._lock:
            self._busy += 1
        try:
            report = self.runner.run(session, claim, should_stop=stop.is_set)
            self._record(report)
            return True
        except Exception as exc:  # the lease lapses and another worker reclaims it: never lost, never doubled
            log.warning("task %s: %s while recording its outcome; its lease will lapse and it will be reclaimed",
                        claim.task_id, type(exc).__name__)
            return False
        finally:
            keeper.drop(claim)
            with self._lock:
                self._busy -= 1

    def _idle_wait(self, stop: threading.Event, wakes_seen: int) -> None:
        with self._cond:
            if not stop.is_set() and self._wakes == wakes_seen:
                self._cond.wait(timeout=self.settings.sched_ops_interval_seconds)

    def _budget_blocks(self, session: Session) -> bool:
        """Whether the daily budget stops this claim (read only while watching); the first stop drafts its proposal."""
        if not self._budget_watch:
            return False
        if not budget_exhausted(session, self.settings):
            self._budget_watch = False
            return False
        session.rollback()
        with self._lock:
            first = not self._budget_hit
            self._budget_hit = True
        if first:
            with self.sessions() as own:  # a real transaction: the proposal and its audit row land together
                stop = stop_for_budget(own, self.settings)
            if stop is not None:
                log.warning("%s; the pool is not claiming new tasks", stop.line)
        return True

    def _record(self, report: TaskReport) -> None:
        log.log(report.level, report.line)
        if report.stopped_by == "daily_budget":
            self._budget_watch = True
        with self._lock:
            self._counts[report.status] += 1
            self._money[0] += report.cost_cents
            self._money[1] += report.profit_cents
            self._lines.append(report.line)
            if len(self._lines) > _KEEP_LINES:
                del self._lines[: len(self._lines) - _KEEP_LINES]

    def _release(self, claims: list) -> int:
        released = 0
        if not claims:
            return 0
        with self.sessions() as session:
            for claim in claims:
                try:
                    if release_claim(session, claim):
                        released += 1
                        log.info("task %s released to pending at shutdown", claim.task_id)
                except Exception as exc:  # its lease lapses instead; a later worker reclaims it
                    session.rollback()
                    log.warning("task %s could not be released (%s); its lease will lapse", claim.task_id, exc)
        return released

    def _summary(self, released: int) -> PoolSummary:
        with self._lock:
            return PoolSummary(dict(self._counts), self._money[0], self._money[1], tuple(self._lines),
                               self._budget_hit, released)


def _slot_engine(sessions: sessionmaker[Session], workers: int) -> tuple[Engine, bool]:
    """The sessions' engine when its pool holds a connection per slot plus two (lease keeper, release); else a
    dedicated engine of that size on the same URL (True: the pool owns and disposes it). A slot must never wait
    for a connection."""
    bind = sessions.kw.get("bind")
    engine = bind if isinstance(bind, Engine) else bind.engine  # type: ignore[union-attr]
    capacity = engine.pool.size() + max(getattr(engine.pool, "_max_overflow", 0), 0)  # type: ignore[attr-defined]
    if capacity >= workers + 2:
        return engine, False
    return make_engine(engine.url.render_as_string(hide_password=False), pool_size=workers + 2), True


def _discard(sessions: tuple[Session, ...] | None) -> None:
    """Close a slot's sessions and their pinned connections, whatever state they are in."""
    for session in sessions or ():
        try:
            conn = session.get_bind()
            session.close()
            conn.close()  # type: ignore[union-attr]
        except Exception:  # already broken: nothing more to release
            pass
    return None


def live_busy_slots() -> int:
    """Slots busy across the pools running in this process (the console's live figure)."""
    return sum(pool.busy for pool in list(_live_pools))
