"""A done task meets Google: its delivery becomes one Gmail draft when the customer says so, and a customer who
keeps a sheet gets one `sheets_append` proposal per done task, from a workflow and from the single prompt."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.agents.executor import run_proposal_executor
from core.approvals.proposals import approve_proposal
from core.config.context import AppContext
from core.config.settings import Settings
from core.ops.pool import OpsPool
from core.workforce.intake import add_task_checked
from tests.standins.google_server import FakeGoogle, message_of
from tests.workforce.conftest import OPERATOR, hire_and_task, make_customer

DRAFTS = "/gmail/v1/users/me/drafts"


def _proposals(session: Session, action_type: str) -> list:
    return session.execute(text("SELECT id, payload FROM action_proposals WHERE action_type = :t ORDER BY id"),
                           {"t": action_type}).all()


def test_a_gmail_draft_customer_gets_its_deliverable_as_exactly_one_draft(
        session: Session, gctx: AppContext, gsettings: Settings, connected: str,
        fake_google: tuple[FakeGoogle, str]):
    fake, _ = fake_google
    cid = make_customer(session)
    session.execute(text("UPDATE customers SET delivery = 'gmail_draft' WHERE id = :c"), {"c": cid})
    session.commit()
    task_id = hire_and_task(session, "copywriter", "Cleo", review=False, customer_id=cid)
    OpsPool(gctx.sessions, gsettings, max_workers=1).run_until_idle()
    (pid, payload), = _proposals(session, "deliver")
    assert payload["channel"] == "gmail_draft" and payload["task_id"] == task_id
    assert approve_proposal(session, pid, OPERATOR).ok
    session.commit()
    for _ in range(3):
        run_proposal_executor(session, gsettings)
    assert fake.count("POST", DRAFTS) == 1
    raw = next(body for m, p, body in fake.requests if m == "POST" and p == DRAFTS)["message"]["raw"]
    assert message_of(raw)["Subject"] == payload["subject"]
    assert session.execute(text("SELECT status FROM action_proposals WHERE id = :p"), {"p": pid}).scalar() == "executed"


def test_a_customer_with_a_sheet_gets_one_row_proposal_per_done_task_from_workflow_and_single_prompt(
        ctx: AppContext, session: Session, settings: Settings):
    cid = make_customer(session)
    session.execute(text("UPDATE customers SET sheet_id = 'sheet-zahn-0001' WHERE id = :c"), {"c": cid})
    session.commit()
    worker_task = hire_and_task(session, "copywriter", "Cleo", review=False, customer_id=cid)
    prompt_task, _ = add_task_checked(session, customer_id=cid, description="Summarise the week", reward_cents=300,
                                      agent=None, actor=OPERATOR)
    session.commit()
    OpsPool(ctx.sessions, settings, max_workers=1).run_until_idle()
    rows = _proposals(session, "sheets_append")
    assert sorted(p["task_id"] for _, p in rows) == sorted([worker_task, prompt_task])
    assert all(p["spreadsheet_id"] == "sheet-zahn-0001" for _, p in rows)


def test_a_customer_without_a_sheet_gets_no_row_proposal(ctx: AppContext, session: Session, settings: Settings):
    hire_and_task(session, "copywriter", "Cleo", review=False)
    OpsPool(ctx.sessions, settings, max_workers=1).run_until_idle()
    assert _proposals(session, "sheets_append") == []
    assert len(_proposals(session, "deliver")) == 1
