"""The event processor: claims, routes, records; a failed node is retried later and resumes where it failed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.agents import RUNNERS
from core.agents.events import run_event_processor
from core.audit import Actor
from core.config.context import AppContext
from core.config.settings import Settings
from core.config.store import set_cash_balance
from core.events.processor import list_events
from core.events.webhooks import store_stripe_event
from tests.standins.stripe_events import event, payment_failed

ROOT = Path(__file__).resolve().parents[2]


def _status(session: Session) -> list[tuple[str, str]]:
    return [tuple(r) for r in session.execute(text("SELECT dedupe_key, status FROM events ORDER BY id"))]


def _steps(session: Session) -> dict[str, tuple]:
    rows = session.execute(text("SELECT node, status, id, created_at, state, error FROM graph_steps ORDER BY id"))
    return {r.node: (r.status, r.id, r.created_at, r.state, r.error) for r in rows}


def test_money_event_is_processed_with_its_three_graph_steps(session: Session, settings: Settings) -> None:
    store_stripe_event(session, payment_failed("in_a"))
    result = run_event_processor(session, settings)
    assert (result.status, result.items) == ("succeeded", 1)
    assert _status(session) == [("evt_fail_in_a_1", "processed")]
    steps = _steps(session)
    assert list(steps) == ["check_runway", "analyze_spend", "draft_proposal"]
    assert {s[0] for s in steps.values()} == {"succeeded"}
    assert session.execute(text("SELECT status, items FROM agent_runs WHERE agent = 'events'")).one() == ("succeeded", 1)


def test_unknown_event_type_is_ignored_and_kept(session: Session, settings: Settings) -> None:
    store_stripe_event(session, event("customer.created", {"id": "cus_1"}, id_="evt_cus"))
    run_event_processor(session, settings)
    assert _status(session) == [("evt_cus", "ignored")]
    assert session.execute(text("SELECT count(*) FROM graph_steps")).scalar_one() == 0


def test_processed_event_is_not_processed_again(session: Session, settings: Settings) -> None:
    store_stripe_event(session, payment_failed("in_a"))
    run_event_processor(session, settings)
    again = run_event_processor(session, settings)
    assert (again.status, again.items) == ("skipped", 0)
    assert session.execute(text("SELECT attempts FROM events")).scalar_one() == 1


def test_idle_scheduled_run_records_no_agent_run(session: Session, settings: Settings) -> None:
    result = run_event_processor(session, settings, trigger="schedule")
    assert result.status == "skipped"
    assert session.execute(text("SELECT count(*) FROM agent_runs")).scalar_one() == 0


def _bad_threshold(session: Session, value: str) -> None:
    session.execute(text("INSERT INTO settings (key, value) VALUES ('spend_alert_threshold_pct', CAST(:v AS jsonb)) "
                         "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"), {"v": value})
    session.commit()


def test_failure_in_the_middle_node_is_recorded_and_the_retry_resumes_there(session: Session,
                                                                            settings: Settings) -> None:
    settings = settings.model_copy(update={"events_retry_base_seconds": 0})
    set_cash_balance(session, 1_000, Actor.user("op"))
    _bad_threshold(session, '"ten"')  # bad operator data makes analyze_spend fail
    store_stripe_event(session, payment_failed("in_a"))
    run_event_processor(session, settings)
    event_row = session.execute(text("SELECT status, attempts, error FROM events")).one()
    assert (event_row.status, event_row.attempts) == ("failed", 1)
    assert "spend_alert_threshold_pct" in event_row.error
    first = _steps(session)
    assert (first["check_runway"][0], first["analyze_spend"][0]) == ("succeeded", "failed")
    assert "draft_proposal" not in first
    assert session.execute(text("SELECT count(*) FROM action_proposals")).scalar_one() == 0

    set_cash_balance(session, 9_999_999, Actor.user("op"))  # a re-run of check_runway would see this
    _bad_threshold(session, "10")  # the operator fixes the setting
    result = run_event_processor(session, settings)
    assert "resumed after check_runway" in result.lines[0]
    after = _steps(session)
    assert after["check_runway"] == first["check_runway"]  # same row, same saved state: not run again
    assert after["check_runway"][3]["cash_balance_cents"] == 1_000
    assert (after["analyze_spend"][0], after["draft_proposal"][0]) == ("succeeded", "succeeded")
    assert after["analyze_spend"][1] == first["analyze_spend"][1]
    assert session.execute(text("SELECT status, attempts, error FROM events")).one() == ("processed", 2, None)
    assert session.execute(text("SELECT count(*) FROM action_proposals")).scalar_one() == 1


def test_failed_event_waits_for_its_backoff_before_a_retry(session: Session, settings: Settings) -> None:
    _bad_threshold(session, '"ten"')
    store_stripe_event(session, payment_failed("in_a"))
    run_event_processor(session, settings)  # default backoff: 30 s
    _bad_threshold(session, "10")
    result = run_event_processor(session, settings)
    assert result.items == 0
    assert _status(session) == [("evt_fail_in_a_1", "failed")]


def test_event_failing_max_attempts_times_stays_failed(session: Session, settings: Settings) -> None:
    settings = settings.model_copy(update={"events_retry_base_seconds": 0, "events_max_attempts": 3})
    _bad_threshold(session, '"ten"')
    store_stripe_event(session, payment_failed("in_a"))
    for _ in range(5):
        run_event_processor(session, settings)
    assert session.execute(text("SELECT status, attempts FROM events")).one() == ("failed", 3)


def test_two_processors_at_once_handle_each_event_once(ctx: AppContext) -> None:
    with ctx.sessions() as session:
        for i in range(20):
            store_stripe_event(session, payment_failed(f"in_{i}"))

    def work() -> None:
        with ctx.sessions() as s:
            run_event_processor(s, ctx.settings)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with ctx.sessions() as session:
        assert session.execute(text("SELECT count(*), sum(attempts) FROM events WHERE status = 'processed'")).one() \
            == (20, 20)
        assert session.execute(text("SELECT sum(items) FROM agent_runs")).scalar_one() == 20
        assert session.execute(text("SELECT count(*) FROM action_proposals")).scalar_one() == 20


def test_events_runner_is_registered_for_run_agent(ctx: AppContext) -> None:
    with ctx.sessions() as session:
        store_stripe_event(session, payment_failed("in_a"))
    result = RUNNERS["events"](ctx, "manual")
    assert (result.agent, result.items) == ("events", 1)


def test_cli_run_agent_events_processes_stored_events(ctx: AppContext, settings: Settings) -> None:
    with ctx.sessions() as session:
        store_stripe_event(session, payment_failed("in_a"))
    env = {k: v for k, v in os.environ.items()} | {"DATABASE_URL": settings.database_url or ""}
    out = subprocess.run([sys.executable, "-m", "core", "run-agent", "events"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "processed" in out.stdout


def test_events_view_lists_each_event_with_the_proposals_it_made(session: Session, settings: Settings) -> None:
    store_stripe_event(session, payment_failed("in_a", attempt=1))
    store_stripe_event(session, payment_failed("in_a", attempt=2, created=2_000_000_000))
    store_stripe_event(session, event("customer.created", {"id": "cus_1"}, id_="evt_cus"))
    run_event_processor(session, settings)
    page = list_events(session, limit=2)
    assert page.total == 3
    assert [r.type for r in page.rows] == ["customer.created", "invoice.payment_failed"]
    proposal = session.execute(text("SELECT id FROM action_proposals")).scalar_one()
    assert page.rows[1].proposal_ids == (proposal,)
    failed_only = list_events(session, type_="invoice.payment_failed", offset=1)
    assert failed_only.total == 2 and failed_only.rows[0].proposal_ids == (proposal,)


def test_the_events_count_stops_a_cap_past_the_page_and_says_more_follow(session: Session, monkeypatch) -> None:
    import core.events.processor as processor

    for n in range(5):
        store_stripe_event(session, event("customer.created", {"id": f"cus_{n}"}, id_=f"evt_{n}"))
    monkeypatch.setattr(processor, "COUNT_CAP", 2)
    first = list_events(session, limit=1)
    assert (first.total, first.more, len(first.rows)) == (2, True, 1)
    later = list_events(session, limit=1, offset=3)  # the cap counts from the page's first row
    assert (later.total, later.more) == (5, False)
