"""The executor against real stand-ins: SMTP (aiosmtpd), a Stripe-speaking server, a Slack webhook."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.agents.executor import run_proposal_executor
from core.approvals.executor import resolve_unknown_execution
from core.approvals.proposals import approve_proposal, reject_proposal
from core.approvals.queries import get_proposal
from core.audit import Actor
from core.config.context import AppContext
from core.config.settings import Settings
from core.transitions import transition_proposal
from tests.inbox_data import (
    audit_rows,
    checkout_proposal,
    email_proposal,
    make_invoice,
    make_lead,
    slack_proposal,
)
from tests.standins.http import serve_asgi
from tests.standins.smtp import MailSink, smtp_server
from tests.standins.stripe_server import FakeStripe
from tests.standins.webhook_sink import JsonSink

OPERATOR = Actor.user("ana")


@pytest.fixture
def smtp() -> Iterator[tuple[MailSink, int]]:
    with smtp_server() as pair:
        yield pair


@pytest.fixture
def smtp_settings(settings: Settings, smtp: tuple[MailSink, int]) -> Settings:
    return settings.model_copy(update={"bizdev_smtp_host": "127.0.0.1", "bizdev_smtp_port": smtp[1],
                                       "bizdev_email_from": "hoss@hossagent.test", "executor_retry_wait_seconds": 0})


def _approved_email(session: Session, to: str = "dana@northwind.test") -> tuple[int, int]:
    lead = make_lead(session, email=to)
    pid = email_proposal(session, lead, to=to)
    approve_proposal(session, pid, OPERATOR)
    session.commit()
    return lead, pid


def _lead(session: Session, lead_id: int):
    return session.execute(text("SELECT status, last_contacted_at FROM leads WHERE id = :i"), {"i": lead_id}).one()


def test_pending_proposal_sends_nothing(session: Session, smtp_settings: Settings, smtp) -> None:
    email_proposal(session, make_lead(session))
    session.commit()
    run_proposal_executor(session, smtp_settings)
    assert smtp[0].messages == []


def test_approved_twice_and_run_three_times_sends_exactly_one_email(
    session: Session, smtp_settings: Settings, smtp
) -> None:
    lead, pid = _approved_email(session)
    assert not approve_proposal(session, pid, OPERATOR).ok
    session.commit()
    for _ in range(3):
        run_proposal_executor(session, smtp_settings)
    assert [rcpts for rcpts, _ in smtp[0].messages] == [["dana@northwind.test"]]
    assert smtp[0].messages[0][1]["Subject"] == "Quick idea for your team at Northwind"
    view = get_proposal(session, pid)
    assert view.status == "executed" and view.execution is not None and view.execution.status == "succeeded"
    assert session.execute(text("SELECT count(*) FROM executions")).scalar_one() == 1
    status, contacted_at = _lead(session, lead)
    assert status == "contacted" and contacted_at is not None
    moves = [r.to_status for r in audit_rows(session, "proposal", pid)]
    assert moves == ["pending", "approved", "executing", "executed"]
    assert [r.to_status for r in audit_rows(session, "execution", view.execution.id)] == ["started", "succeeded"]


def test_rejected_proposal_sends_nothing_and_has_no_execution(
    session: Session, smtp_settings: Settings, smtp
) -> None:
    pid = email_proposal(session, make_lead(session))
    reject_proposal(session, pid, OPERATOR)
    session.commit()
    run_proposal_executor(session, smtp_settings)
    assert smtp[0].messages == []
    assert session.execute(text("SELECT count(*) FROM executions")).scalar_one() == 0


def test_without_email_configuration_a_dry_run_records_what_would_go_out(session: Session, settings: Settings) -> None:
    lead, pid = _approved_email(session)
    result = run_proposal_executor(session, settings)
    view = get_proposal(session, pid)
    assert view.status == "executed" and view.execution is not None
    assert view.execution.result["dry_run"] is True
    assert view.execution.result["would_send"]["to"] == "dana@northwind.test"
    assert any("dry run" in line for line in result.lines)
    assert _lead(session, lead).status == "new"  # nobody was contacted


def test_permanent_smtp_refusal_fails_with_the_error_kept(
    session: Session, smtp_settings: Settings, smtp
) -> None:
    smtp[0].refuse_with = "550 No such user here"
    lead, pid = _approved_email(session)
    run_proposal_executor(session, smtp_settings)
    view = get_proposal(session, pid)
    assert view.status == "failed" and view.execution is not None and view.execution.status == "failed"
    assert "No such user" in (view.execution.error or "")
    assert _lead(session, lead).status == "new"


def _crash_mid_call(session: Session, pid: int) -> int:
    """What a process that died after committing 'started' leaves behind."""
    eid = session.execute(text("UPDATE executions SET status = 'started', started_at = now(), attempt = 1 "
                               "WHERE proposal_id = :p RETURNING id"), {"p": pid}).scalar_one()
    transition_proposal(session, pid, "executing", Actor.system("executor"))
    session.commit()
    return eid


def test_execution_left_started_by_a_dead_process_becomes_unknown_and_is_not_resent(
    session: Session, smtp_settings: Settings, smtp
) -> None:
    _, pid = _approved_email(session)
    _crash_mid_call(session, pid)
    run_proposal_executor(session, smtp_settings)
    run_proposal_executor(session, smtp_settings)
    assert smtp[0].messages == []
    view = get_proposal(session, pid)
    assert view.status == "executing" and view.execution is not None and view.execution.status == "unknown"


def test_execution_of_a_live_worker_is_not_marked_unknown(ctx: AppContext, smtp_settings: Settings) -> None:
    from core.approvals.executor import LOCK_NAMESPACE

    with ctx.sessions() as session:
        _, pid = _approved_email(session)
        eid = _crash_mid_call(session, pid)
        with ctx.engine.connect() as worker:  # a live worker holds the lock of its execution
            worker.execute(text("SELECT pg_advisory_lock(:n, :k)"), {"n": LOCK_NAMESPACE, "k": eid})
            run_proposal_executor(session, smtp_settings)
            assert get_proposal(session, pid).execution.status == "started"  # type: ignore[union-attr]
            worker.execute(text("SELECT pg_advisory_unlock(:n, :k)"), {"n": LOCK_NAMESPACE, "k": eid})


def test_unknown_resolved_as_retry_sends_once(session: Session, smtp_settings: Settings, smtp) -> None:
    _, pid = _approved_email(session)
    eid = _crash_mid_call(session, pid)
    run_proposal_executor(session, smtp_settings)
    resolve_unknown_execution(session, eid, "retry", OPERATOR)
    session.commit()
    run_proposal_executor(session, smtp_settings)
    run_proposal_executor(session, smtp_settings)
    assert len(smtp[0].messages) == 1
    assert get_proposal(session, pid).status == "executed"


def test_unknown_resolved_as_sent_marks_executed_and_contacts_the_lead(session: Session, settings: Settings) -> None:
    lead, pid = _approved_email(session)
    eid = _crash_mid_call(session, pid)
    run_proposal_executor(session, settings)
    resolve_unknown_execution(session, eid, "sent", OPERATOR)
    session.commit()
    assert get_proposal(session, pid).status == "executed"
    assert _lead(session, lead).status == "contacted"


def test_unknown_given_up_fails_the_proposal(session: Session, settings: Settings) -> None:
    _, pid = _approved_email(session)
    eid = _crash_mid_call(session, pid)
    run_proposal_executor(session, settings)
    resolve_unknown_execution(session, eid, "give_up", OPERATOR)
    session.commit()
    view = get_proposal(session, pid)
    assert view.status == "failed" and view.execution is not None and view.execution.status == "failed"


def _stripe_settings(settings: Settings, base: str) -> Settings:
    return settings.model_copy(update={"stripe_api_key": SecretStr("sk_test_123"), "stripe_api_base": base,
                                       "executor_retry_wait_seconds": 0})


def test_checkout_session_carries_idempotency_key_and_metadata_and_invoice_becomes_sent(
    session: Session, settings: Settings
) -> None:
    fake = FakeStripe()
    cid, iid = make_invoice(session, 15_000)
    pid = checkout_proposal(session, iid, cid, 15_000)
    approve_proposal(session, pid, OPERATOR)
    session.commit()
    with serve_asgi(fake.app()) as base:
        run_proposal_executor(session, _stripe_settings(settings, base))
    headers, form = fake.requests[0]
    assert headers["idempotency-key"] == f"hoss-proposal-{pid}-v1"
    assert form["metadata[invoice_id]"] == str(iid)
    assert form["client_reference_id"] == f"invoice-{iid}"
    assert (form["mode"], form["line_items[0][price_data][unit_amount]"]) == ("payment", "15000")
    invoice = session.execute(text("SELECT status, checkout_url, stripe_session_id, sent_at FROM invoices")).one()
    assert invoice.status == "sent" and invoice.sent_at is not None
    assert (invoice.checkout_url, invoice.stripe_session_id) == ("https://checkout.stripe.test/c/pay/cs_test_1",
                                                                 "cs_test_1")


def test_stripe_5xx_is_retried_with_the_same_idempotency_key(session: Session, settings: Settings) -> None:
    fake = FakeStripe(fail_with=500, fail_times=1)
    cid, iid = make_invoice(session)
    pid = checkout_proposal(session, iid, cid)
    approve_proposal(session, pid, OPERATOR)
    session.commit()
    with serve_asgi(fake.app()) as base:
        run_proposal_executor(session, _stripe_settings(settings, base))
    keys = [h["idempotency-key"] for h, _ in fake.requests]
    assert keys == [f"hoss-proposal-{pid}-v1"] * 2
    assert fake.sessions_created == 1 and get_proposal(session, pid).status == "executed"


def test_stripe_4xx_fails_at_once_with_the_error_kept(session: Session, settings: Settings) -> None:
    fake = FakeStripe(fail_with=400, fail_times=5)
    cid, iid = make_invoice(session)
    pid = checkout_proposal(session, iid, cid)
    approve_proposal(session, pid, OPERATOR)
    session.commit()
    with serve_asgi(fake.app()) as base:
        run_proposal_executor(session, _stripe_settings(settings, base))
    view = get_proposal(session, pid)
    assert len(fake.requests) == 1 and view.status == "failed"
    assert "stand-in 400" in (view.execution.error or "")  # type: ignore[union-attr]
    assert session.execute(text("SELECT status FROM invoices")).scalar_one() == "draft"


def test_without_stripe_key_checkout_is_skipped_and_invoice_stays_draft(
    session: Session, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    cid, iid = make_invoice(session)
    pid = checkout_proposal(session, iid, cid)
    approve_proposal(session, pid, OPERATOR)
    session.commit()
    with caplog.at_level("INFO", logger="hoss"):
        run_proposal_executor(session, settings)
    assert "Stripe not configured; skipping checkout session." in caplog.messages
    view = get_proposal(session, pid)
    assert view.execution is not None and view.execution.result["skipped"] is True
    assert session.execute(text("SELECT status FROM invoices")).scalar_one() == "draft"


def test_slack_message_reaches_the_webhook(session: Session, settings: Settings) -> None:
    sink = JsonSink(fail_with=503, fail_times=1)
    pid = slack_proposal(session, "Runway is 5 months")
    approve_proposal(session, pid, OPERATOR)
    session.commit()
    with serve_asgi(sink.app()) as base:
        conf = settings.model_copy(update={"slack_webhook_url": SecretStr(base + "/hook"),
                                           "executor_retry_wait_seconds": 0})
        run_proposal_executor(session, conf)
    assert [body for _, body in sink.received] == [{"text": "Runway is 5 months"}] * 2  # one 503, one retry
    assert get_proposal(session, pid).status == "executed"


def test_slack_404_fails_permanently_without_leaking_the_url(session: Session, settings: Settings) -> None:
    sink = JsonSink(status=404)
    pid = slack_proposal(session)
    approve_proposal(session, pid, OPERATOR)
    session.commit()
    with serve_asgi(sink.app()) as base:
        conf = settings.model_copy(update={"slack_webhook_url": SecretStr(base + "/hook")})
        run_proposal_executor(session, conf)
    view = get_proposal(session, pid)
    assert view.status == "failed" and "HTTP 404" in (view.execution.error or "")  # type: ignore[union-attr]
    assert base not in (view.execution.error or "")  # type: ignore[union-attr]


def test_sendgrid_gets_the_mail_with_the_bearer_key(session: Session, settings: Settings) -> None:
    sink = JsonSink(path="/v3/mail/send", status=202)
    lead, pid = _approved_email(session)
    with serve_asgi(sink.app()) as base:
        conf = settings.model_copy(update={"sendgrid_api_key": SecretStr("SG.key"), "sendgrid_api_base": base})
        run_proposal_executor(session, conf)
    headers, body = sink.received[0]
    assert headers["authorization"] == "Bearer SG.key"
    assert body["personalizations"] == [{"to": [{"email": "dana@northwind.test"}]}]
    assert get_proposal(session, pid).status == "executed" and _lead(session, lead).status == "contacted"


def test_idle_scheduled_pass_writes_no_run_row(session, settings) -> None:
    from sqlalchemy import text as sql

    from core.agents.executor import run_proposal_executor

    result = run_proposal_executor(session, settings, trigger="schedule")
    assert (result.status, result.run_id) == ("skipped", 0)
    assert session.execute(sql("SELECT count(*) FROM agent_runs")).scalar_one() == 0
    assert run_proposal_executor(session, settings, trigger="manual").run_id > 0
