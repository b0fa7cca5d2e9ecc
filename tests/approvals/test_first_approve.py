"""A newcomer's first Approve succeeds: with nothing configured, an approved BizDev email is a labelled dry run."""

from __future__ import annotations

from sqlalchemy import text

from core.agents.runner import run_named_agent
from core.approvals.executors.email import DRY_RUN_FROM
from core.approvals.proposals import decide
from core.audit import Actor


def test_bizdev_email_approved_on_a_fresh_install_executes_as_a_dry_run(ctx, session):
    run_named_agent(ctx, "bizdev", actor=Actor.user("newcomer"))
    proposal_id, lead_id = session.execute(text(
        "SELECT id, (payload->>'lead_id')::bigint FROM action_proposals WHERE action_type = 'email' ORDER BY id LIMIT 1"
    )).one()
    assert decide(session, proposal_id, "approve", Actor.user("newcomer")).ok
    session.commit()

    result = run_named_agent(ctx, "executor", actor=Actor.user("newcomer"))

    assert result.ok, result.summary
    session.rollback()
    execution = session.execute(text("SELECT status, result, error FROM executions WHERE proposal_id = :p"),
                                {"p": proposal_id}).one()
    assert (execution.status, execution.error) == ("succeeded", None)
    assert execution.result["dry_run"] is True
    assert execution.result["would_send"]["from"] == DRY_RUN_FROM and "placeholder" in execution.result["note"]
    assert session.execute(text("SELECT status FROM action_proposals WHERE id = :p"), {"p": proposal_id}).scalar() \
        == "executed"
    assert session.execute(text("SELECT status FROM leads WHERE id = :l"), {"l": lead_id}).scalar() == "new"
