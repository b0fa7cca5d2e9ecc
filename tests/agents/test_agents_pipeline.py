"""BizDev → responded → Onboarding ×2 → tasks done → Billing ×2 through the agent registry: one of everything."""

from __future__ import annotations

from sqlalchemy import text

from core.agents import run_named_agent
from core.config.context import AppContext


def test_lead_to_invoice_pipeline_makes_one_customer_and_one_invoice(ctx: AppContext) -> None:
    assert run_named_agent(ctx, "bizdev").ok
    with ctx.sessions() as s:
        # The lead's reply comes from outside and the tasks' work from Ops and the workers (tests/ops,
        # tests/workforce): both are set by SQL here, so this test follows the agents' hand-offs alone.
        s.execute(text("UPDATE leads SET status = 'responded' WHERE id = (SELECT min(id) FROM leads)"))
        s.commit()
    assert [run_named_agent(ctx, "onboarding").items for _ in range(2)] == [1, 0]
    with ctx.sessions() as s:
        s.execute(text("UPDATE tasks SET status = 'running'"))  # claimed, then done: the moves the database allows
        s.execute(text("UPDATE tasks SET status = 'done', completed_at = now()"))
        s.commit()
    assert [run_named_agent(ctx, "billing").items for _ in range(2)] == [1, 0]
    with ctx.sessions() as s:
        assert s.execute(text("SELECT count(*) FROM customers")).scalar_one() == 1
        invoice = s.execute(text("SELECT id, amount_cents FROM invoices")).one()
        tasks_total = s.execute(text("SELECT sum(reward_cents) FROM tasks WHERE invoice_id = :i"),
                                {"i": invoice.id}).scalar_one()
        assert invoice.amount_cents == tasks_total and 2 * 50 <= tasks_total <= 3 * 100
        runs = s.execute(text("SELECT agent, status FROM agent_runs ORDER BY id")).all()
        assert [tuple(r) for r in runs] == [("bizdev", "succeeded")] + [("onboarding", "succeeded")] * 2 + [
            ("billing", "succeeded")] * 2
