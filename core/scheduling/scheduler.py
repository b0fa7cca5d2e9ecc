"""The scheduler process (SPEC §6): one APScheduler job per agent, safe to run as many replicas as you like.

Every job is a short *tick* (SCHED_TICK_SECONDS) that re-reads the agent's registry row, so the Agents page
changes intervals and enables/disables agents without a restart:

- periodic singletons (bizdev, onboarding, billing) run once per period across all replicas: the tick
  inserts the period's `scheduler_slots` row and only the replica whose INSERT returned a row runs it;
- the event processor and the proposal executor (when registered) run on every replica at their interval:
  they claim their rows with SKIP LOCKED, so more replicas means more throughput, never double work;
- the Ops pool drains pending tasks continuously while work is due, and an idle pool looks again every
  SCHED_OPS_INTERVAL_SECONDS (sooner when a backed-off task or a lapsed lease falls due, or when this
  process's onboarding just created tasks).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session

from core.agents.heartbeat import reap_abandoned_runs
from core.agents.ops import run_ops_batch
from core.agents.registry import agent_schedule, agents_scheduled, ensure_agent_registry
from core.agents.runner import RUNNERS, run_named_agent
from core.agents.runs import AgentResult, record_failed_run
from core.config.context import AppContext
from core.errors import one_line
from core.ops.claims import seconds_until_work, work_due
from core.plans.tick import TICK_SECONDS as PLANS_TICK_SECONDS
from core.plans.tick import plans_tick
from core.scheduling import sql
from core.scheduling.wakeups import WakeupListener

log = logging.getLogger("hoss.scheduler")

PERIODIC_AGENTS = agents_scheduled("periodic")
EVERY_REPLICA_AGENTS = agents_scheduled("every_replica")
(POOL_AGENT,) = agents_scheduled("pool")
# A run of these may create Ops tasks: when it did something, the local pool looks for work at once.
TASK_PRODUCERS = frozenset({"onboarding"})
SLOT_RETENTION_DAYS = 30
_HOUSEKEEPING_SECONDS = 3600
_FAILURE_LOG_EVERY_SECONDS = 60.0

Runner = Callable[..., AgentResult]


def run_agent(ctx: AppContext, name: str, *, trigger: str) -> AgentResult:
    """The default runner: the same entry point as the console's Run buttons (with its per-agent lock)."""
    return run_named_agent(ctx, name, trigger=trigger)


def drain_ops(ctx: AppContext, stop: threading.Event, runner: Runner = run_agent) -> AgentResult:
    """Run pending Ops tasks with OPS_WORKER_COUNT in flight until none is claimable, and return what was done.

    The single place the scheduler drives the Ops pool. With the default runner the pool gets `stop`, so
    SIGTERM stops claiming mid-drain and hands back what it holds; a test may pass its own runner.
    """
    if runner is run_agent:
        return run_ops_batch(ctx.sessions, ctx.settings, trigger="schedule", stop_event=stop)
    return runner(ctx, POOL_AGENT, trigger="schedule")


def replica_identity() -> str:
    """host:pid:random — unique per process, readable in `scheduler_slots.claimed_by`."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def claim_period(session: Session, agent: str, interval_seconds: int, replica: str) -> datetime | None:
    """Claim the current period of `agent` for `replica`; return its start if this replica won it, else None (no commit).

    The period is floor(now / interval) on the database's clock, so replicas on machines with skewed clocks agree.
    The unique (agent, scheduled_for) key decides races; NOT EXISTS also refuses a period that starts before a
    slot already claimed (after the interval was lengthened), and skips the INSERT in the common, claimed case.
    """
    return session.execute(
        sql.CLAIM_PERIOD,
        {"agent": agent, "interval": int(interval_seconds), "replica": replica},
    ).scalar_one_or_none()


def release_period(session: Session, agent: str, scheduled_for: datetime, replica: str) -> None:
    """Give back a claimed period this replica will not run (it is shutting down), so another replica can (no commit)."""
    session.execute(
        sql.RELEASE_PERIOD,
        {"a": agent, "p": scheduled_for, "r": replica},
    )


def prune_slots(session: Session, keep_days: int = SLOT_RETENTION_DAYS) -> int:
    """Delete period claims older than `keep_days` (they only guard the current period); return how many (no commit)."""
    result = session.execute(
        sql.PRUNE_SLOTS, {"d": keep_days}
    )
    return int(result.rowcount or 0)


class _DropOverlapNotices(logging.Filter):
    # max_instances=1 makes APScheduler warn on every tick that finds the job's previous run still going
    # (a long pool drain, a slow billing run): that is the design working, not news.
    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


class Scheduler:
    """One replica: ticks per agent on a BackgroundScheduler; `start()`, then `stop(grace)`."""

    def __init__(
        self,
        ctx: AppContext,
        *,
        agents: tuple[str, ...] | None = None,
        runner: Runner = run_agent,
        replica: str | None = None,
    ) -> None:
        self.ctx = ctx
        self.runner = runner
        self.replica = replica or replica_identity()
        wanted = agents if agents is not None else (*PERIODIC_AGENTS, *EVERY_REPLICA_AGENTS, POOL_AGENT)
        self.agents = tuple(name for name in wanted if name in RUNNERS)
        self.stats: Counter[str] = Counter()  # ticks, runs, failures, tick_errors: for tests and logs
        self._stats_lock = threading.Lock()
        self._stop = threading.Event()
        self._wake_pool = threading.Event()
        self._cond = threading.Condition()
        self._inflight: Counter[str] = Counter()
        self._last_every: dict[str, float] = {}
        self._failing: dict[str, tuple[int, float]] = {}  # agent -> (failed ticks in a row, last logged at)
        self._pool_next_check = 0.0
        self._aps = BackgroundScheduler(
            timezone=timezone.utc,
            executors={"default": ThreadPoolExecutor(len(self.agents) + 3)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self._listener = WakeupListener(ctx.engine, self.wake)
        aps_log = logging.getLogger("apscheduler.scheduler")
        if not any(isinstance(f, _DropOverlapNotices) for f in aps_log.filters):
            aps_log.addFilter(_DropOverlapNotices())

    # --- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> None:
        """Seed the registry rows that are missing and start ticking (the first tick is immediate)."""
        with self.ctx.sessions() as session:
            ensure_agent_registry(session, self.ctx.settings)
        tick = self.ctx.settings.sched_tick_seconds
        now = datetime.now(timezone.utc)
        for name in self.agents:
            if name in PERIODIC_AGENTS:
                fn = self._tick_periodic
            elif name == POOL_AGENT:
                fn = self._tick_pool
            else:
                fn = self._tick_every
            self._aps.add_job(
                self._guarded, IntervalTrigger(seconds=tick), args=(name, fn), id=name, name=name, next_run_time=now
            )
        self._aps.add_job(
            self._guarded, IntervalTrigger(seconds=_HOUSEKEEPING_SECONDS), args=("housekeeping", self._housekeeping),
            id="housekeeping", next_run_time=now,
        )
        self._aps.add_job(
            self._guarded, IntervalTrigger(seconds=self.ctx.settings.hoss_heartbeat_seconds),
            args=("reaper", self._reap), id="reaper", next_run_time=now,
        )
        # Plans (SPEC §13): held tasks released on the first tick of a new month; monthly cap warnings.
        self._aps.add_job(
            self._guarded, IntervalTrigger(seconds=PLANS_TICK_SECONDS), args=("plans", self._plans), id="plans",
            next_run_time=now,
        )
        self._aps.start()
        self._listener.start()
        log.info("[scheduler] replica %s up: %s (tick %.1fs)", self.replica, ", ".join(self.agents) or "no agents", tick)

    def stop(self, grace_seconds: float) -> bool:
        """Stop scheduling, let in-flight runs finish for up to `grace_seconds`; return whether all finished."""
        with self._cond:
            self._stop.set()
        self._listener.stop()
        try:
            self._aps.shutdown(wait=False)
        except SchedulerNotRunningError:
            pass
        deadline = time.monotonic() + grace_seconds
        with self._cond:
            while +self._inflight and (remaining := deadline - time.monotonic()) > 0:
                self._cond.wait(remaining)
            left = sorted((+self._inflight).elements())
        if left:
            log.warning(
                "[scheduler] %s still running after %.0fs; leaving them (task leases lapse and are reclaimed)",
                ", ".join(left), grace_seconds,
            )
        else:
            log.info("[scheduler] replica %s stopped cleanly", self.replica)
        return not left

    def serve(self, stop_event: threading.Event) -> bool:
        """Start, run until `stop_event` is set, then stop with SCHED_SHUTDOWN_GRACE_SECONDS; return whether clean."""
        self.start()
        while not stop_event.wait(0.5):
            pass
        log.info("[scheduler] stopping: no new runs; waiting for in-flight work")
        return self.stop(self.ctx.settings.sched_shutdown_grace_seconds)

    def wake(self, name: str) -> None:
        """New work for `name` (a NOTIFY): run its job now instead of at its next poll."""
        if name not in self.agents or self._stop.is_set():
            return
        if name == POOL_AGENT:
            self._wake_pool.set()
        else:
            self._last_every.pop(name, None)
        try:
            self._aps.modify_job(name, next_run_time=datetime.now(timezone.utc))
        except (JobLookupError, SchedulerNotRunningError):  # not started yet, or shutting down: the poll covers it
            pass

    # --- ticks ---------------------------------------------------------------------------------------------

    def _guarded(self, name: str, fn: Callable[[str], None]) -> None:
        # A tick counts as in flight from its first line, so stop() waits for a tick that already began.
        with self._cond:
            if self._stop.is_set():
                return
            self._inflight[name] += 1
        self._count("ticks")
        try:
            fn(name)
            failing = self._failing.pop(name, None)
            if failing:
                log.info("[scheduler] %s ticks work again after %d failed tick(s)", name, failing[0])
        except Exception as exc:  # a tick never kills the loop: the database may be restarting
            self._count("tick_errors")
            self._tick_failed(name, exc)
        finally:
            with self._cond:
                self._inflight[name] -= 1
                self._cond.notify_all()

    def _tick_failed(self, name: str, exc: Exception) -> None:
        # While the database is down every tick fails: log the first failure, then one line a minute.
        failures, last_logged = self._failing.get(name, (0, float("-inf")))
        now = time.monotonic()
        if now - last_logged >= _FAILURE_LOG_EVERY_SECONDS:
            log.error("[scheduler] %s tick failed (%d so far): %s", name, failures + 1, one_line(exc, 500))
            last_logged = now
        self._failing[name] = (failures + 1, last_logged)

    def _tick_periodic(self, name: str) -> None:
        with self.ctx.sessions() as session:
            sched = agent_schedule(session, name)
            if sched is None or not sched.enabled or not sched.interval_seconds:
                return
            period = claim_period(session, name, sched.interval_seconds, self.replica)
            session.commit()
            if period is None:
                return
            if self._stop.is_set():
                release_period(session, name, period, self.replica)
                session.commit()
                return
        log.info("[scheduler] %s: this replica runs the period starting %s", name, period.isoformat())
        self._run(name)

    def _tick_every(self, name: str) -> None:
        with self.ctx.sessions() as session:
            sched = agent_schedule(session, name)
        if sched is None or not sched.enabled or not sched.interval_seconds:
            return
        now = time.monotonic()
        if now - self._last_every.get(name, float("-inf")) < sched.interval_seconds:
            return
        self._last_every[name] = now
        self._run(name)

    def _tick_pool(self, name: str) -> None:
        with self.ctx.sessions() as session:
            sched = agent_schedule(session, name)
        if sched is None or not sched.enabled:
            return
        if not self._wake_pool.is_set() and time.monotonic() < self._pool_next_check:
            return
        self._wake_pool.clear()
        idle = float(sched.interval_seconds or self.ctx.settings.sched_ops_interval_seconds)
        drained = True
        while not self._stop.is_set():
            with self.ctx.sessions() as session:
                if not work_due(session):
                    break
            result = self._run(name, lambda: drain_ops(self.ctx, self._stop, self.runner))
            if result is None or not result.ok or result.items == 0:
                drained = False  # failing, paused (budget) or blocked: wait the idle interval, do not spin
                break
        # Idle checks fall on epoch-aligned boundaries, so every replica's pool wakes at the same moment and
        # work that arrived while all were idle is shared by all of them from its first second.
        wait = idle - (time.time() % idle)
        if drained:
            with self.ctx.sessions() as session:
                due_in = seconds_until_work(session)
            if due_in is not None:
                wait = min(wait, max(due_in, 0.0))
        self._pool_next_check = time.monotonic() + wait

    def _reap(self, _name: str) -> None:
        with self.ctx.sessions() as session:
            reap_abandoned_runs(session, self.ctx.settings.hoss_heartbeat_seconds)

    def _plans(self, _name: str) -> None:
        with self.ctx.sessions() as session:
            result = plans_tick(session)
        if result.released or result.warnings:
            log.info("[scheduler] plans: %d held task(s) released, %d budget warning(s)", result.released,
                     result.warnings)
            if result.released:
                self.wake(POOL_AGENT)

    def _housekeeping(self, _name: str) -> None:
        with self.ctx.sessions() as session:
            pruned = prune_slots(session)
            session.commit()
        if pruned:
            log.info("[scheduler] pruned %d period claims older than %d days", pruned, SLOT_RETENTION_DAYS)

    def _count(self, key: str) -> None:
        with self._stats_lock:
            self.stats[key] += 1

    def _run(self, name: str, call: Callable[[], AgentResult] | None = None) -> AgentResult | None:
        """Run one agent; an exception is logged and recorded as a failed run (best effort), never raised."""
        try:
            result = call() if call else self.runner(self.ctx, name, trigger="schedule")
        except Exception as exc:
            self._count("failures")
            error = one_line(exc, 500)
            log.error("[scheduler] %s failed: %s", name, error)
            log.debug("[scheduler] %s traceback", name, exc_info=True)
            record_failed_run(self.ctx.sessions, name, "schedule", error)
            return None
        self._count("runs")
        # An idle poll (nothing due, so no run row) is not news: DEBUG keeps INFO to what happened.
        level = logging.DEBUG if result.run_id == 0 else logging.INFO
        log.log(level, "[scheduler] %s: %s — %s (run %s)", name, result.status, result.summary, result.run_id)
        if name in TASK_PRODUCERS and result.items:
            self._wake_pool.set()
        return result
