"""The Failures read model and its bulk actions (core.console.failures) against a real database and stand-ins."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session

import core.console.failures as fl
from core.agents.events import run_event_processor
from core.agents.executor import run_proposal_executor
from core.approvals.proposals import approve_proposal, reject_proposal
from core.approvals.queries import get_proposal
from core.audit import Actor
from core.config.settings import Settings
from core.errors import IllegalTransition, InvalidInput, NotFound
from core.events.webhooks import store_stripe_event
from core.transitions import transition_proposal
from tests.console.test_failures_page import failed_event, failed_task, unknown_execution
from tests.inbox_data import audit_rows, checkout_proposal, make_invoice, slack_proposal
from tests.ops_helpers import walk_tasks
from tests.standins.http import serve_asgi
from tests.standins.stripe_events import event, payment_failed
from tests.standins.stripe_server import FakeStripe

ANN = Actor.user("ann")


def _stripe(settings: Settings, base: str) -> Settings:
    return settings.model_copy(update={"stripe_api_key": SecretStr("sk_test_123"), "stripe_api_base": base,
                                       "executor_retry_wait_seconds": 0})


def _unknown_checkout(session: Session) -> tuple[int, int]:
    cid, iid = make_invoice(session)
    pid = checkout_proposal(session, iid, cid)
    approve_proposal(session, pid, ANN)
    transition_proposal(session, pid, "executing", Actor.system("executor"))
    session.execute(text("UPDATE executions SET status = 'started' WHERE proposal_id = :p"), {"p": pid})
    xid = session.execute(text("UPDATE executions SET status = 'unknown', attempt = 1, started_at = now() "
                               "WHERE proposal_id = :p RETURNING id"), {"p": pid}).scalar_one()
    session.commit()
    return pid, xid


def test_a_failed_checkout_retried_runs_again_with_its_idempotency_key(session: Session, settings: Settings) -> None:
    fake = FakeStripe(fail_with=400, fail_times=1)
    cid, iid = make_invoice(session)
    pid = checkout_proposal(session, iid, cid)
    approve_proposal(session, pid, ANN)
    session.commit()
    with serve_asgi(fake.app()) as base:
        run_proposal_executor(session, _stripe(settings, base))
        view = get_proposal(session, pid)
        assert view.status == "failed" and view.execution is not None and view.execution.status == "failed"
        xid = view.execution.id
        report = fl.retry_failures(session, [f"execution:{xid}"], Actor.user("bo"))
        assert (report.retried, report.skipped) == ([f"execution:{xid}"], [])
        run_proposal_executor(session, _stripe(settings, base))
    assert [h["idempotency-key"] for h, _ in fake.requests] == [f"hoss-proposal-{pid}-v1"] * 2
    assert fake.sessions_created == 1
    view = get_proposal(session, pid)
    assert view.status == "executed" and view.execution is not None and view.execution.id == xid
    assert session.execute(text("SELECT attempt FROM executions WHERE id = :x"), {"x": xid}).scalar_one() == 2
    approval = [r for r in audit_rows(session, "proposal", pid) if r.actor_id == "bo"]
    assert [(r.from_status, r.to_status) for r in approval] == [("failed", "approved")]
    assert approval[0].metadata["execution_id"] == xid and "stand-in 400" in approval[0].metadata["previous_error"]
    moves = [(r.actor_id, r.from_status, r.to_status) for r in audit_rows(session, "execution", xid)]
    assert ("bo", "failed", "queued") in moves


def test_a_failed_execution_of_a_rejected_proposal_is_skipped_with_its_reason(session: Session) -> None:
    pid = slack_proposal(session)
    reject_proposal(session, pid, ANN)
    xid = session.execute(text("INSERT INTO executions (proposal_id, idempotency_key, status, error) "
                               "VALUES (:p, 'k-1', 'failed', 'proposal is rejected') RETURNING id"),
                          {"p": pid}).scalar_one()
    session.commit()
    report = fl.retry_failures(session, [f"execution:{xid}"], ANN)
    assert report.retried == [] and "proposal" in report.skipped[0][1] and "rejected" in report.skipped[0][1]
    assert session.execute(text("SELECT status FROM executions")).scalar_one() == "failed"


def test_rows_that_cannot_be_retried_are_skipped_and_never_undo_the_others(session: Session) -> None:
    tid = failed_task(session, "boom")
    done = failed_task(session, "boom")
    walk_tasks(session, done, "pending", "running", "done")  # retried and finished since
    session.commit()
    report = fl.retry_failures(session, [f"task:{tid}", f"task:{done}", "task:999999", f"task:{tid}"], ANN)
    assert report.retried == [f"task:{tid}"]
    assert [k for k, _ in report.skipped] == [f"task:{done}", "task:999999"]
    assert "done" in report.skipped[0][1] and "not found" in report.skipped[1][1]
    assert session.execute(text("SELECT status FROM tasks WHERE id = :i"), {"i": tid}).scalar_one() == "pending"
    assert len(audit_rows(session, "task", tid)) == 1  # the repeated key is one action


@pytest.mark.parametrize("key", ["lead:1", "task:", "task:1e3", "task:²", "task:-1", "x" * 500])
def test_a_malformed_key_is_refused_before_anything_moves(session: Session, key: str) -> None:
    tid = failed_task(session, "boom")
    with pytest.raises(InvalidInput):
        fl.retry_failures(session, [f"task:{tid}", key], ANN)
    assert session.execute(text("SELECT status FROM tasks")).scalar_one() == "failed"


def test_retry_matching_walks_every_batch_past_rows_it_must_skip(session: Session,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fl, "BATCH", 2)
    tasks = [failed_task(session, f"timeout {i}") for i in range(5)]
    _, email = unknown_execution(session, "timeout: outcome unknown")
    _, checkout = _unknown_checkout(session)
    session.execute(text("UPDATE executions SET error = 'timeout' WHERE id = :x"), {"x": checkout})
    session.commit()
    report = fl.retry_matching(session, fl.FailureFilter(error="timeout"), ANN)
    assert sorted(report.retried) == sorted([*(f"task:{t}" for t in tasks), f"execution:{checkout}"])
    assert [k for k, _ in report.skipped] == [f"execution:{email}"]
    statuses = dict(session.execute(text("SELECT id, status FROM executions")).all())
    assert statuses == {email: "unknown", checkout: "queued"}  # Stripe dedupes the checkout; the email may be out


def test_list_failures_filters_by_time_and_pages_in_sql(session: Session) -> None:
    recent = [failed_task(session, "boom", days_ago=d) for d in (0.1, 0.2, 0.3)]
    failed_task(session, "boom", days_ago=40)
    now = datetime.now(timezone.utc)
    since, until = fl.window("last 30 days", now)
    first = fl.list_failures(session, fl.FailureFilter(since=since, until=until), page=1, page_size=2)
    assert [r.id for r in first.rows] == recent[:2] and (first.total, first.has_next) == (3, True)
    second = fl.list_failures(session, fl.FailureFilter(since=since), page=2, page_size=2)
    assert [r.id for r in second.rows] == recent[2:] and not second.has_next
    day = fl.between(now.date() - timedelta(days=40), now.date() - timedelta(days=40))
    assert fl.list_failures(session, fl.FailureFilter(since=day[0], until=day[1])).total == 1
    assert fl.list_failures(session, fl.FailureFilter(error="100%_")).total == 0  # LIKE wildcards are literal


def test_pages_interleave_every_kind_by_last_attempt_however_deep_the_page(session: Session) -> None:
    # Each kind's branch reads only `offset + limit` rows off its own index; the pages still merge all kinds.
    tasks = [failed_task(session, "boom", days_ago=d) for d in (0.5, 1.5, 2.5, 3.5)]
    events = [failed_event(session, "bad", sid=f"in_{i}") for i in range(2)]
    for i, eid in enumerate(events):
        session.execute(text("UPDATE events SET processed_at = now() - make_interval(days => :d) WHERE id = :i"),
                        {"d": 2 * i + 1, "i": eid})
    session.commit()
    pages = [fl.list_failures(session, fl.FailureFilter(), page=n, page_size=2) for n in (1, 2, 3)]
    walked = [(r.kind, r.id) for p in pages for r in p.rows]
    assert walked == [("task", tasks[0]), ("event", events[0]), ("task", tasks[1]), ("task", tasks[2]),
                      ("event", events[1]), ("task", tasks[3])]
    assert [p.total for p in pages] == [6, 6, 6] and [p.has_next for p in pages] == [True, True, False]
    only_events = fl.list_failures(session, fl.FailureFilter(kinds=("event",)), page=2, page_size=1)
    assert [(r.kind, r.id) for r in only_events.rows] == [("event", events[1])] and only_events.total == 2


def test_filters_refuse_what_they_cannot_mean() -> None:
    with pytest.raises(InvalidInput):
        fl.FailureFilter(kinds=("task", "lead"))
    now = datetime.now(timezone.utc)
    with pytest.raises(InvalidInput):
        fl.FailureFilter(since=now, until=now)
    with pytest.raises(InvalidInput):
        fl.window("last decade", now)


def test_a_retried_event_resumes_at_the_node_that_failed(session: Session, settings: Settings) -> None:
    session.execute(text("INSERT INTO settings (key, value) VALUES ('spend_alert_threshold_pct', '\"lots\"')"))
    session.commit()
    eid = store_stripe_event(session, payment_failed("in_s")).event_id
    run_event_processor(session, settings)
    [row] = fl.list_failures(session, fl.FailureFilter(kinds=("event",))).rows
    assert (row.id, row.step, row.graph, row.nodes) == (eid, "analyze_spend", "money",
                                                        ("check_runway", "analyze_spend", "draft_proposal"))
    session.execute(text("DELETE FROM settings WHERE key = 'spend_alert_threshold_pct'"))
    session.commit()
    assert fl.retry_failures(session, [f"event:{eid}"], ANN).retried == [f"event:{eid}"]
    result = run_event_processor(session, settings)
    assert any("ran analyze_spend, draft_proposal; resumed after check_runway" in line for line in result.lines)


def test_replay_refuses_an_unknown_node_an_unrouted_event_and_an_event_that_is_not_failed(
    session: Session, settings: Settings
) -> None:
    eid = failed_event(session, "boom")
    with pytest.raises(InvalidInput, match="not a node of the money graph"):
        fl.replay_event_from(session, eid, "send_flowers", ANN)
    other = store_stripe_event(session, event("customer.created", {"id": "cus_1"}, id_="evt_c")).event_id
    session.execute(text("UPDATE events SET status = 'failed' WHERE id = :i"), {"i": other})
    session.commit()
    with pytest.raises(InvalidInput, match="runs no graph"):
        fl.replay_event_from(session, other, "check_runway", ANN)
    with pytest.raises(NotFound):
        fl.replay_event_from(session, 999_999, "check_runway", ANN)
    fl.replay_event_from(session, eid, "check_runway", ANN)
    with pytest.raises(IllegalTransition):  # received now: nothing to replay
        fl.replay_event_from(session, eid, "check_runway", ANN)
