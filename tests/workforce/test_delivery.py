"""A done task's one `deliver` proposal and its execution through the email executor."""

from __future__ import annotations

from sqlalchemy import text

from core.approvals.executor import execute_next
from core.approvals.proposals import approve_proposal
from core.ops.pool import OpsPool
from core.workforce.finish import draft_follow_ups, read_done_task
from core.workforce.intake import add_task_checked
from tests.workforce.conftest import OPERATOR, hire_and_task


def test_a_done_task_without_review_is_delivered_once_through_the_email_executor(ctx, session, settings):
    task_id = hire_and_task(session, "copywriter", "Cleo", review=False)
    OpsPool(ctx.sessions, settings, max_workers=1).run_until_idle()
    again = draft_follow_ups(session, read_done_task(session, task_id)[0])  # a retried completion's repeat
    (pid, payload), = session.execute(text("SELECT id, payload FROM action_proposals "
                                           "WHERE action_type = 'deliver'")).all()
    assert again == pid
    approve_proposal(session, pid, OPERATOR)
    session.commit()
    outcome = execute_next(session, settings)
    result = session.execute(text("SELECT result FROM executions WHERE proposal_id = :p"), {"p": pid}).scalar()
    summary = session.execute(text("SELECT result_summary FROM tasks WHERE id = :t"), {"t": task_id}).scalar()
    assert outcome.status == "succeeded" and result["dry_run"] is True and result["channel"] == "email"
    assert result["would_send"]["to"] == "owner@zahn.example" and summary in result["would_send"]["body"]
    assert payload["body"] == result["would_send"]["body"].rstrip("\n")  # the MIME body ends in a newline


def test_delivery_follows_the_customer_setting_email_by_default(ctx, session, settings):
    first = hire_and_task(session, "copywriter", "Cleo", review=False)
    cid = session.execute(text("SELECT customer_id FROM tasks WHERE id = :t"), {"t": first}).scalar_one()
    OpsPool(ctx.sessions, settings, max_workers=1).run_until_idle()
    session.execute(text("UPDATE customers SET delivery = 'gmail_draft' WHERE id = :c"), {"c": cid})
    session.commit()
    second, _ = add_task_checked(session, customer_id=cid, description="Launch email", reward_cents=500, agent="Cleo",
                                 actor=OPERATOR)
    session.commit()
    OpsPool(ctx.sessions, settings, max_workers=1).run_until_idle()
    channels = dict(session.execute(text("SELECT (payload->>'task_id')::int, payload->>'channel' FROM action_proposals "
                                         "WHERE action_type = 'deliver'")).all())
    assert channels == {first: "email", second: "gmail_draft"}
