"""The Ops pool: every slot busy, one LLM call per task, the batch agent, the budget stop, graceful shutdown."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event, text

from core.agents.ops import run_ops_batch
from core.config.store import DAILY_BUDGET_KEY
from core.ops.pool import OpsPool, live_busy_slots
from tests.ops_helpers import openai_settings, seed_tasks
from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI


@pytest.fixture
def fake() -> FakeOpenAI:
    return FakeOpenAI(latency_s=0.02)


@pytest.fixture
def llm_url(fake: FakeOpenAI):
    with serve_asgi(fake.app()) as url:
        yield url


def _wait_until(predicate, what: str) -> None:
    """Poll until `predicate()`; a generous deadline only keeps a broken build from hanging CI."""
    deadline = time.monotonic() + 60
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.02)


def _statuses(session) -> dict[str, int]:
    session.rollback()
    return dict(session.execute(text("SELECT status, count(*) FROM tasks GROUP BY status")).all())


def test_pool_does_every_task_with_one_llm_call_each(ctx, session, settings, fake, llm_url):
    ids = seed_tasks(session, 40)
    summary = OpsPool(ctx.sessions, openai_settings(settings, llm_url), max_workers=6).run_until_idle()
    prompts = sorted(r["messages"][-1]["content"].split("\n")[0] for r in fake.requests)
    assert _statuses(session) == {"done": 40}
    assert fake.calls == 40 and len(set(prompts)) == 40
    assert summary.counts == {"done": 40} and len(ids) == 40


def test_pool_uses_every_slot_at_once(ctx, session, settings, fake, llm_url):
    """With a slow server, all N slots hold a claim at the same moment (no batch barrier, no idle slot)."""
    fake.latency_s = 0.5
    seed_tasks(session, 12)
    cfg = openai_settings(settings, llm_url)
    pool = OpsPool(ctx.sessions, cfg, max_workers=4)
    seen = []
    watcher_stop = threading.Event()

    def watch() -> None:
        while not watcher_stop.is_set():
            seen.append(pool.busy)
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    pool.run_until_idle()
    watcher_stop.set()
    watcher.join()
    assert max(seen) == 4 and _statuses(session) == {"done": 12}


def test_batch_agent_records_one_run_with_what_it_did(ctx, session, settings):
    seed_tasks(session, 5)
    result = run_ops_batch(ctx.sessions, settings, max_workers=2, trigger="manual")
    run = session.execute(text("SELECT agent, status, items FROM agent_runs")).one()
    assert (result.status, result.items, len(result.lines)) == ("succeeded", 5, 5)
    assert tuple(run) == ("ops_batch", "succeeded", 5)


def test_batch_with_nothing_to_do_is_skipped(ctx, settings):
    assert run_ops_batch(ctx.sessions, settings, trigger="manual").status == "skipped"


def test_pool_stops_at_the_daily_budget_with_one_proposal(ctx, session, settings, fake, llm_url):
    seed_tasks(session, 5)
    cfg = openai_settings(settings, llm_url, ops_daily_budget_cents=2)
    summary = OpsPool(ctx.sessions, cfg, max_workers=1).run_until_idle()
    OpsPool(ctx.sessions, cfg, max_workers=1).run_until_idle()
    proposals = session.execute(text("SELECT count(*) FROM action_proposals "
                                     "WHERE action_type = 'budget_increase'")).scalar()
    assert summary.budget_exhausted and fake.calls == 2
    assert _statuses(session) == {"done": 2, "pending": 3} and proposals == 1


def test_a_pool_under_its_daily_budget_reads_the_budget_before_its_first_claim_only(ctx, session, settings, fake,
                                                                                    llm_url):
    reads: list[object] = []

    def seen(_conn, _cursor, statement, params, *_args):
        if statement.startswith("SELECT value FROM settings") and DAILY_BUDGET_KEY in str(params):
            reads.append(params)

    seed_tasks(session, 4)
    event.listen(ctx.engine, "before_cursor_execute", seen)
    try:
        summary = OpsPool(ctx.sessions, openai_settings(settings, llm_url, ops_daily_budget_cents=1000),
                          max_workers=1).run_until_idle()
    finally:
        event.remove(ctx.engine, "before_cursor_execute", seen)
    assert summary.counts == {"done": 4} and not summary.budget_exhausted and len(reads) == 1


def test_a_budget_reached_mid_run_is_seen_by_the_next_call_and_stops_the_claims(ctx, session, settings, fake,
                                                                              llm_url):
    seed_tasks(session, 6)
    summary = OpsPool(ctx.sessions, openai_settings(settings, llm_url, ops_daily_budget_cents=3),
                      max_workers=2).run_until_idle()
    assert summary.budget_exhausted and fake.calls in (3, 4)  # a call already in flight when it was reached
    assert _statuses(session).get("running", 0) == 0 and _statuses(session)["pending"] == 6 - fake.calls


def test_stop_event_releases_in_flight_leases(ctx, session, settings, fake, llm_url):
    fake.latency_s = 2.0
    ids = seed_tasks(session, 6)
    cfg = openai_settings(settings, llm_url, ops_shutdown_grace_seconds=0.0, openai_timeout_seconds=1.0)
    pool = OpsPool(ctx.sessions, cfg, max_workers=3)
    stop = threading.Event()
    out = {}
    runner = threading.Thread(target=lambda: out.setdefault("summary", pool.run_forever(stop)))
    runner.start()
    _wait_until(lambda: fake.calls >= 3, "all three slots waiting on the server")
    stop.set()
    runner.join()
    assert out["summary"].released == 3 and _statuses(session) == {"pending": 6}
    # the abandoned calls end (timeout); their late outcome must not touch the tasks
    _wait_until(lambda: pool.busy == 0, "abandoned calls to end")
    rows = session.execute(text("SELECT status, attempts, claimed_by FROM tasks ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("pending", 0, None)] * len(ids)


def test_stopped_forever_pool_picks_up_new_work_when_woken(ctx, session, settings):
    pool = OpsPool(ctx.sessions, settings.model_copy(update={"sched_ops_interval_seconds": 600}), max_workers=2)
    stop = threading.Event()
    runner = threading.Thread(target=pool.run_forever, args=(stop,))
    runner.start()
    seed_tasks(session, 3)
    pool.wake()
    _wait_until(lambda: _statuses(session) == {"done": 3}, "3 tasks done")
    stop.set()
    runner.join()
    assert not runner.is_alive() and live_busy_slots() == 0


def test_pool_larger_than_the_engine_pool_still_runs_every_slot(settings, session):
    """A console engine holds 2 connections; a 6-slot batch gets its own engine rather than starving."""
    from db.engine import make_engine, make_session_factory

    small = make_engine(settings.database_url or "", pool_size=1)
    seed_tasks(session, 12)
    summary = OpsPool(make_session_factory(small), settings, max_workers=6).run_until_idle()
    small.dispose()
    assert summary.counts == {"done": 12} and _statuses(session) == {"done": 12}


def test_forever_pool_reconnects_after_its_connections_are_killed(ctx, session, settings):
    pool = OpsPool(ctx.sessions, settings.model_copy(update={"sched_ops_interval_seconds": 600}), max_workers=2)
    stop = threading.Event()
    runner = threading.Thread(target=pool.run_forever, args=(stop,))
    runner.start()
    seed_tasks(session, 2)
    pool.wake()
    _wait_until(lambda: _statuses(session) == {"done": 2}, "2 tasks done")
    killed = session.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                  "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    session.commit()
    seed_tasks(session, 2, company="After Restart Inc")
    pool.wake()
    _wait_until(lambda: _statuses(session) == {"done": 4}, "4 tasks done after reconnecting")
    stop.set()
    runner.join()
    assert killed >= 2
