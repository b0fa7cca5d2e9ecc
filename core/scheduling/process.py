"""The scheduler as a process (`python -m core scheduler`): warm up, serve until a signal, stop within the grace."""

from __future__ import annotations

import logging
import os
import signal
import threading

from core.config.context import AppContext
from core.scheduling.scheduler import Scheduler
from core.tracing.setup import shutdown_tracing

log = logging.getLogger("hoss.scheduler")


def warm_up(ctx: AppContext) -> None:
    """Open a connection per pool slot (plus the lease keeper's and release's) and build the shared LLM client
    before the first claim, so the first tasks do not pay for connecting and importing (bench ops-pool --processes)."""
    conns = [ctx.engine.connect() for _ in range(ctx.settings.ops_worker_count + 2)]
    for conn in conns:
        conn.close()
    if ctx.settings.secret("openai_api_key"):
        from core.llm.tasks import task_client

        task_client(ctx.settings)


def run_scheduler_process(ctx: AppContext) -> int:
    """`python -m core scheduler`: run until SIGTERM/SIGINT, stop within the grace period, exit 0."""
    stop_event = threading.Event()

    interrupts = 0

    def _on_signal(signum: int, _frame: object) -> None:
        nonlocal interrupts
        # Ctrl-C reaches every process of the terminal's group, and `up` then sends SIGTERM too: only a second
        # Ctrl-C means "do not wait".
        interrupts += signum == signal.SIGINT
        if interrupts >= 2:
            log.warning("[scheduler] second Ctrl-C: exiting now; running tasks' leases will lapse")
            logging.shutdown()
            os._exit(1)  # no flush of buffered spans either: "do not wait" means it
        if not stop_event.is_set():
            log.info("[scheduler] received %s", signal.Signals(signum).name)
            stop_event.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    warm_up(ctx)
    scheduler = Scheduler(ctx)
    clean = scheduler.serve(stop_event)
    if not clean:
        # Worker threads are still inside a run; the interpreter would wait for them at exit. Their claims carry
        # leases, so leaving now is safe: another replica reclaims the tasks when the leases lapse.
        shutdown_tracing()  # os._exit skips atexit: export the buffered spans first
        logging.shutdown()
        os._exit(0)
    shutdown_tracing()
    ctx.engine.dispose()
    return 0
