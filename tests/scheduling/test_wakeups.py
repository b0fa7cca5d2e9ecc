"""Instant wake-ups: a NOTIFY of new work runs the right job at once, long before its next poll."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from core.config.context import AppContext
from core.events.webhooks import store_stripe_event
from core.scheduling.scheduler import POOL_AGENT, Scheduler
from core.scheduling.wakeups import APPLICATION_NAME
from tests.sched_support import count, schedule_only, wait_for
from tests.standins.stripe_events import event

SLOW_POLL = 120  # seconds: only a wake-up can beat it


@pytest.fixture
def slow_ctx(ctx: AppContext) -> AppContext:
    return AppContext(ctx.settings.model_copy(update={"sched_ops_interval_seconds": SLOW_POLL}), ctx.engine,
                      ctx.sessions)


@pytest.fixture
def scheduler(slow_ctx: AppContext) -> Iterator[Scheduler]:
    schedule_only(slow_ctx.sessions, slow_ctx.settings, {POOL_AGENT: SLOW_POLL, "events": 3600})
    s = Scheduler(slow_ctx, agents=(POOL_AGENT, "events"))
    s.start()
    wait_for(s._listener.connected.is_set, "the LISTEN connection")
    wait_for(lambda: s._pool_next_check > 0, "the pool's first idle check")
    yield s
    s.stop(30)


def _poll_is_far(s: Scheduler) -> float:
    """When the pool's next poll falls due (monotonic); waits out a poll that is too close to tell apart."""
    while s._pool_next_check - time.monotonic() < 15:
        time.sleep(0.5)
    return s._pool_next_check


def _insert_task(session) -> int:
    customer = session.execute(text("INSERT INTO customers (company) VALUES ('Acme') RETURNING id")).scalar_one()
    task = session.execute(text("INSERT INTO tasks (customer_id, description, reward_cents) "
                                "VALUES (:c, 'Research', 80) RETURNING id"), {"c": customer}).scalar_one()
    session.commit()
    return task


def _claimed(slow_ctx: AppContext, task_id: int) -> bool:
    return count(slow_ctx.sessions, "SELECT count(*) FROM tasks WHERE id = :t AND status <> 'pending'", t=task_id) == 1


def test_a_task_inserted_by_sql_is_claimed_before_the_pools_next_poll(scheduler, slow_ctx, session) -> None:
    next_poll = _poll_is_far(scheduler)
    task_id = _insert_task(session)
    wait_for(lambda: _claimed(slow_ctx, task_id), "the task to be claimed")
    assert time.monotonic() < next_poll  # the NOTIFY woke the pool: its poll had not come yet


def test_the_listener_reconnects_after_its_connection_is_killed(scheduler, slow_ctx, session) -> None:
    # This test's database only: on a shared server other test workers' listeners carry the same name.
    killed = session.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                  "WHERE application_name = :a AND datname = current_database()"),
                             {"a": APPLICATION_NAME}).scalar_one()
    session.commit()
    assert killed == 1
    wait_for(lambda: not scheduler._listener.connected.is_set(), "the listener to notice")
    wait_for(scheduler._listener.connected.is_set, "the listener to reconnect")
    next_poll = _poll_is_far(scheduler)
    task_id = _insert_task(session)
    wait_for(lambda: _claimed(slow_ctx, task_id), "the task to be claimed after the reconnect")
    assert time.monotonic() < next_poll


def test_a_received_event_is_processed_at_once_though_the_processor_polls_hourly(scheduler, slow_ctx,
                                                                                   session) -> None:
    wait_for(lambda: "events" in scheduler._last_every, "the processor's first poll")
    store_stripe_event(session, event("customer.created", {"id": "cus_1"}, id_="evt_wake"))
    wait_for(lambda: count(slow_ctx.sessions, "SELECT count(*) FROM events WHERE status = 'ignored'") == 1,
             "the event to be processed")
