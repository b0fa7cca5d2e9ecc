"""The Failures page through AppTest on a real database: filter, tick and retry, retry all matching, replay."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

import core.events.money_graph
from core.agents.events import run_event_processor
from core.approvals.proposals import approve_proposal
from core.audit import Actor
from core.config.settings import Settings
from core.events.webhooks import store_stripe_event
from core.transitions import transition_proposal
from tests.console.test_hostile_text import PAYLOADS, rendered_markup
from tests.console_support import run_page, select_rows, use_database
from tests.inbox_data import audit_rows, email_proposal, make_lead
from tests.standins.stripe_events import payment_failed

PAGE = "pages/failures.py"
EVIL = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def _db(monkeypatch, db_url):
    yield from use_database(monkeypatch, db_url)


def failed_task(session: Session, error: str, *, days_ago: float = 0) -> int:
    cid = session.execute(text("INSERT INTO customers (company) VALUES ('Acme') RETURNING id")).scalar_one()
    tid = session.execute(text(
        "INSERT INTO tasks (customer_id, description, status, attempts, last_error, started_at) "
        "VALUES (:c, 'Write the report', 'failed', 3, :e, now() - make_interval(secs => :s)) RETURNING id"),
        {"c": cid, "e": error, "s": days_ago * 86400}).scalar_one()
    session.commit()
    return tid


def failed_event(session: Session, error: str, sid: str = "in_a") -> int:
    eid = store_stripe_event(session, payment_failed(sid)).event_id
    session.execute(text("UPDATE events SET status = 'failed', attempts = 5, error = :e, processed_at = now() "
                         "WHERE id = :i"), {"e": error, "i": eid})
    session.commit()
    return eid


def unknown_execution(session: Session, error: str) -> tuple[int, int]:
    """An approved email whose process died mid-call: execution `unknown`, proposal `executing`."""
    pid = email_proposal(session, make_lead(session))
    approve_proposal(session, pid, Actor.user("ann"))
    transition_proposal(session, pid, "executing", Actor.system("executor"))
    session.execute(text("UPDATE executions SET status = 'started' WHERE proposal_id = :p"), {"p": pid})
    xid = session.execute(text("UPDATE executions SET status = 'unknown', attempt = 1, started_at = now(), "
                               "error = :e WHERE proposal_id = :p RETURNING id"), {"e": error, "p": pid}).scalar_one()
    session.commit()
    return pid, xid


def shown(at) -> list[tuple[str, int]]:
    df = at.dataframe[0].value
    return list(zip(df["kind"], df["id"], strict=True))


def status(session: Session, table: str, ident: int) -> Any:
    return session.execute(text(f"SELECT * FROM {table} WHERE id = :i"), {"i": ident}).one()


def test_filter_then_retry_selected_moves_each_row_once_audited_as_the_operator(session: Session) -> None:
    tid = failed_task(session, f"LLM timeout {EVIL}")
    eid = failed_event(session, "KeyError: 'customer_email'")
    pid, xid = unknown_execution(session, "the process died between 'started' and the result")
    old_task = failed_task(session, "quota exceeded", days_ago=10)

    at = run_page(PAGE, operator="ann")
    assert not at.exception
    assert sorted(shown(at)) == sorted([("task", tid), ("event", eid), ("execution", xid), ("task", old_task)])
    assert f"LLM timeout {EVIL}" in set(at.dataframe[0].value["error"])  # the cell holds the text as typed ...
    assert not any(p in body for _, body, _ in rendered_markup(at) for p in PAYLOADS)  # ... and no markup

    at.button_group(key="failures_kinds").set_value(["event"]).run()
    assert shown(at) == [("event", eid)]
    at.button_group(key="failures_kinds").set_value(["task", "event", "execution"]).run()
    at.text_input(key="failures_error").input("TIMEOUT").run()
    assert shown(at) == [("task", tid)]
    at.text_input(key="failures_error").input("").run()
    at.button_group(key="failures_when").set_value("last 7 days").run()
    assert ("task", old_task) not in shown(at) and len(shown(at)) == 3

    ticked = [i for i, row in enumerate(shown(at)) if row in {("task", tid), ("event", eid), ("execution", xid)}]
    select_rows(at, *ticked)
    assert at.button(key="failures_retry_selected").label == "Retry selected (3)"
    at.button(key="failures_retry_selected").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Retried 3 row(s)."]
    assert shown(at) == []  # all three left the failures; the old task is outside the window

    task = status(session, "tasks", tid)
    assert (task.status, task.attempts, task.claimed_by) == ("pending", 0, None)
    event = status(session, "events", eid)
    assert (event.status, event.attempts) == ("received", 0)
    execution = status(session, "executions", xid)
    assert execution.status == "queued" and execution.idempotency_key == f"proposal-{pid}-v1"
    assert status(session, "action_proposals", pid).status == "approved"
    assert [tuple(r)[:4] for r in audit_rows(session, "task", tid)] == [("user", "ann", "failed", "pending")]
    [event_audit] = audit_rows(session, "event", eid)
    assert tuple(event_audit)[:4] == ("user", "ann", "failed", "received")
    assert event_audit.metadata == {"action": "retry", "previous_error": "KeyError: 'customer_email'"}
    assert [tuple(r)[:4] for r in audit_rows(session, "execution", xid)] == [("user", "ann", "unknown", "queued")]
    assert status(session, "tasks", old_task).status == "failed"


def test_retry_all_matching_retries_what_the_filter_matches_and_skips_an_unknown_email(session: Session) -> None:
    timeouts = [failed_task(session, "ReadTimeout: the LLM took too long") for _ in range(3)]
    other = failed_task(session, "quota exceeded")
    eid = failed_event(session, "TimeoutError: lock wait")
    _, xid = unknown_execution(session, "SMTP: TimeoutError after DATA")

    at = run_page(PAGE, operator="bo")
    at.text_input(key="failures_error").input("timeout").run()
    assert len(shown(at)) == 5
    at.button_group(key="failures_kinds").set_value(["task", "execution"]).run()
    assert at.button(key="failures_retry_all").label == "Retry all 4 matching row(s)"  # the count it will act on
    at.button(key="failures_retry_all").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Retried 3 row(s)."]
    assert any(f"execution:{xid}: execution {xid} (email) may have gone out" in t.value for t in at.text)

    statuses = session.execute(text("SELECT id, status FROM tasks")).all()
    assert {i: s for i, s in statuses} == {**dict.fromkeys(timeouts, "pending"), other: "failed"}
    assert status(session, "events", eid).status == "failed"  # filtered out by type
    assert status(session, "executions", xid).status == "unknown"  # may have gone out: one by one only
    by_bo = session.execute(text("SELECT entity, entity_id, from_status, to_status FROM audit_log "
                                 "WHERE actor_id = 'bo' ORDER BY id")).all()
    assert by_bo == [("task", str(t), "failed", "pending") for t in timeouts]  # one audited move per row


def test_replay_from_analyze_spend_keeps_the_check_runway_checkpoint_and_reruns_the_rest(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = core.events.money_graph.draft_money_proposals
    calls = {"n": 0}

    def fails_once(*args: Any) -> dict[str, Any]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("the drafting service is down")
        return real(*args)

    monkeypatch.setattr(core.events.money_graph, "draft_money_proposals", fails_once)
    eid = store_stripe_event(session, payment_failed("in_r", amount_due=7_500)).event_id
    run_event_processor(session, settings)
    assert status(session, "events", eid).status == "failed"
    steps = dict(session.execute(text("SELECT node, id FROM graph_steps WHERE event_id = :e"), {"e": eid}).all())
    assert set(steps) == {"check_runway", "analyze_spend", "draft_proposal"}

    at = run_page(PAGE, operator="ann")
    assert at.selectbox(key="failures_replay_event").value == eid
    assert at.selectbox(key="failures_replay_node").value == "draft_proposal"  # where it failed
    assert at.dataframe[0].value["failed at"].iloc[0] == "draft_proposal"
    at.selectbox(key="failures_replay_node").set_value("analyze_spend").run()
    at.button(key="failures_replay").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [
        f"event {eid} is due again from analyze\\_spend \\(analyze\\_spend, draft\\_proposal will run again\\)"]

    left = dict(session.execute(text("SELECT node, id FROM graph_steps WHERE event_id = :e"), {"e": eid}).all())
    assert left == {"check_runway": steps["check_runway"]}  # the same checkpoint row, untouched
    [audit] = audit_rows(session, "event", eid)[-1:]
    assert tuple(audit)[:4] == ("user", "ann", "failed", "received")
    assert audit.metadata["cleared"] == ["analyze_spend", "draft_proposal"]
    assert audit.metadata["from_node"] == "analyze_spend"

    result = run_event_processor(session, settings)
    assert any(f"event {eid} invoice.payment_failed: processed (ran analyze_spend, draft_proposal; "
               "resumed after check_runway;" in line for line in result.lines), result.lines
    assert status(session, "events", eid).status == "processed"
    assert session.execute(text("SELECT count(*) FROM action_proposals WHERE event_id = :e"),
                           {"e": eid}).scalar_one() == 1
    assert session.execute(text("SELECT id FROM graph_steps WHERE event_id = :e AND node = 'check_runway'"),
                           {"e": eid}).scalar_one() == steps["check_runway"]


def test_an_empty_page_says_so_and_offers_nothing_to_retry(session: Session) -> None:
    at = run_page(PAGE)
    assert not at.exception
    assert shown(at) == [] and at.button(key="failures_retry_selected").disabled
    assert at.button(key="failures_retry_all").disabled
    assert "0 matching row(s); page 1." in [c.value for c in at.caption]


def test_pages_of_a_time_window_stay_put_while_the_clock_moves(session: Session) -> None:
    cid = session.execute(text("INSERT INTO customers (company) VALUES ('Acme') RETURNING id")).scalar_one()
    session.execute(text("INSERT INTO tasks (customer_id, description, status, last_error, started_at) "
                         "SELECT :c, 'task ' || g, 'failed', 'boom', now() - make_interval(mins => g) "
                         "FROM generate_series(1, 52) g"), {"c": cid})
    session.commit()
    at = run_page(PAGE)
    at.button_group(key="failures_when").set_value("last 24 hours").run()
    assert len(shown(at)) == 50
    at.button(key="failures_next").click().run()
    assert "52 matching row(s); page 2." in [c.value for c in at.caption] and len(shown(at)) == 2
    at.run()  # a rerun a moment later: the window's start moved, the page did not
    assert len(shown(at)) == 2 and at.button(key="failures_next").disabled


def test_a_selection_belongs_to_the_rows_it_was_made_on(session: Session) -> None:
    first = failed_task(session, "boom")
    at = select_rows(run_page(PAGE), 0)
    assert at.button(key="failures_retry_selected").label == "Retry selected (1)"
    failed_task(session, "a newer failure")  # the table now shows other rows: the tick must not move onto them
    at.run()
    assert ("task", first) in shown(at) and len(shown(at)) == 2
    assert at.button(key="failures_retry_selected").disabled


def test_the_search_box_names_the_text_it_searches_for(session: Session) -> None:
    failed_task(session, "a *Timeout* after 30 s")
    failed_task(session, "quota exceeded")
    at = run_page(PAGE)
    at.text_input(key="failures_error").input("*Timeout*").run()
    assert len(shown(at)) == 1
    assert ("popover label", "Error text: \\*Timeout\\*", False) in rendered_markup(at)  # as typed, not italics
