"""A done task's one `deliver` proposal and its execution through the email executor."""

from __future__ import annotations

from sqlalchemy import text

from core.approvals.executor import execute_next
from core.approvals.proposals import approve_proposal
from core.ops.pool import OpsPool
from core.workforce.delivery import delivery_channel, propose_delivery
from tests.workforce.conftest import OPERATOR, hire_and_task, make_customer


def test_a_done_task_without_review_is_delivered_once_through_the_email_executor(ctx, session, settings):
    task_id = hire_and_task(session, "copywriter", "Cleo", review=False)
    OpsPool(ctx.sessions, settings, max_workers=1).run_until_idle()
    again = propose_delivery(session, task_id)  # a repeat (a retried completion) finds the same proposal
    (pid, payload), = session.execute(text("SELECT id, payload FROM action_proposals "
                                           "WHERE action_type = 'deliver'")).all()
    assert again == (pid, False)
    approve_proposal(session, pid, OPERATOR)
    session.commit()
    outcome = execute_next(session, settings)
    result = session.execute(text("SELECT result FROM executions WHERE proposal_id = :p"), {"p": pid}).scalar()
    summary = session.execute(text("SELECT result_summary FROM tasks WHERE id = :t"), {"t": task_id}).scalar()
    assert outcome.status == "succeeded" and result["dry_run"] is True and result["channel"] == "email"
    assert result["would_send"]["to"] == "owner@zahn.example" and summary in result["would_send"]["body"]
    assert payload["body"] == result["would_send"]["body"].rstrip("\n")  # the MIME body ends in a newline


def test_delivery_follows_the_customer_setting_email_by_default(session):
    cid = make_customer(session)
    assert delivery_channel(session, cid) == "email"
    session.execute(text("UPDATE customers SET delivery = 'gmail_draft' WHERE id = :c"), {"c": cid})
    assert delivery_channel(session, cid) == "gmail_draft"
