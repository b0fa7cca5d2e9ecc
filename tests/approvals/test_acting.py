"""Every core entry point a person acts through checks the permission table (SPEC §19): a viewer is refused with
Forbidden and nothing is written; an approver decides but does not hire; the owner may do everything."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.agents.registry import update_agent
from core.agents.runner import run_named_agent
from core.app.cli import main
from core.approvals import acting
from core.approvals.credentials import issue_token
from core.approvals.executor import retry_execution
from core.approvals.google_delivery import set_customer_delivery
from core.approvals.operators import add_operator, deactivate_operator
from core.approvals.permissions import refusal
from core.approvals.policies import get_policy, update_policy
from core.approvals.proposals import decide
from core.approvals.undo import undo_rejection
from core.audit import Actor
from core.config.context import AppContext
from core.console.control_room import mark_lead_responded
from core.console.failures import FailureFilter, retry_failures, retry_matching
from core.errors import Forbidden
from core.ops.claims import retry_failed_task
from core.plans.budgets import set_customer_budget
from core.plans.catalogue import change_customer_plan, create_plan
from core.plans.portal import propose_billing_portal
from core.workforce.hiring import edit_worker, hire, set_worker_status
from core.workforce.intake import add_task_checked
from core.workforce.review import review_task
from core.workforce.undo import undo_firing
from tests.approvals.api_support import auth, serve, with_settings
from tests.inbox_data import email_proposal, make_lead
from tests.ops_helpers import seed_tasks, walk_tasks

ROOT = Path(__file__).resolve().parents[2]
SETUP = Actor.system("test")
VIC, ANA, OLGA = Actor.user("vi"), Actor.user("ana"), Actor.user("olga")


@pytest.fixture
def people(session: Session) -> Session:
    """An owner, an approver and a viewer (names as api_support's tokens)."""
    for name, role in (("olga", "owner"), ("ana", "approver"), ("vi", "viewer")):
        add_operator(session, name, role, SETUP)
    session.commit()
    return session


def _customer(session: Session) -> int:
    return session.execute(text("INSERT INTO customers (company, stripe_customer_id, contact_email) "
                                "VALUES ('Zahn', 'cus_1', 'a@zahn.test') RETURNING id")).scalar_one()


def _failed_task(session: Session) -> int:
    task_id = seed_tasks(session, 1)[0]
    walk_tasks(session, task_id, "running", "failed")
    return task_id


Attempt = Callable[[Session, AppContext, Actor], object]

# What each action of the table looks like at the core, as a person would take it.
ATTEMPTS: dict[str, Attempt] = {
    "run_agent": lambda s, c, a: run_named_agent(c, "bizdev", actor=a),
    "retry_task": lambda s, c, a: retry_failed_task(s, _failed_task(s), a),
    "retry_failures": lambda s, c, a: retry_failures(s, [f"task:{_failed_task(s)}"], a),
    "retry_matching": lambda s, c, a: retry_matching(s, FailureFilter(("task",), "", None, None), a),
    "retry_execution": lambda s, c, a: retry_execution(s, 1, a),
    "add_task": lambda s, c, a: add_task_checked(s, customer_id=_customer(s), description="x", reward_cents=1,
                                                 actor=a),
    "mark_lead_responded": lambda s, c, a: mark_lead_responded(s, make_lead(s), a),
    "review_task": lambda s, c, a: review_task(s, 1, "approve", a),
    "hire": lambda s, c, a: hire(s, "research-analyst", "Ada", a),
    "edit_worker": lambda s, c, a: edit_worker(s, "Ada", a, tone="dry"),
    "pause_worker": lambda s, c, a: set_worker_status(s, "Ada", "paused", a),
    "change_policy": lambda s, c, a: update_policy(s, "email", a, sla_minutes=5),
    "create_plan": lambda s, c, a: create_plan(s, "gold", monthly_task_cap=1, monthly_price_cents=1,
                                               stripe_price_id=None, actor=a),
    "change_customer_plan": lambda s, c, a: change_customer_plan(s, _customer(s), "pro", a, source="operator"),
    "customer_budget": lambda s, c, a: set_customer_budget(s, _customer(s), 100, a),
    "billing_portal": lambda s, c, a: propose_billing_portal(s, _customer(s), a),
    "customer_delivery": lambda s, c, a: set_customer_delivery(s, _customer(s), "email", None, a),
    "cash_balance": lambda s, c, a: acting.set_cash_balance(s, 100, a),
    "daily_budget": lambda s, c, a: acting.set_daily_budget_cents(s, 100, a),
    "cost_share": lambda s, c, a: acting.set_max_cost_share_pct(s, 10, a),
    "roi_rate": lambda s, c, a: acting.set_roi_hourly_rate_cents(s, 100, a),
    "bank_csv": lambda s, c, a: acting.import_bank_csv(s, "date,description,amount\n2026-01-01,x,1\n", a),
    "mark_invoice_paid": lambda s, c, a: acting.mark_invoice_paid(s, 1, a),
    "agent_settings": lambda s, c, a: update_agent(s, "bizdev", enabled=False, actor=a),
    "add_operator": lambda s, c, a: add_operator(s, "zed", "viewer", a),
    "deactivate_operator": lambda s, c, a: deactivate_operator(s, "ana", a),
    "connect_google": lambda s, c, a: acting.start_connect(s, c.settings, a),
    "disconnect_google": lambda s, c, a: acting.disconnect(s, c.settings, a),
    "undo_rejection": lambda s, c, a: undo_rejection(s, 1, a),
    "undo_firing": lambda s, c, a: undo_firing(s, "Sasha", a),
}

WRITTEN = ("SELECT (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM agent_runs) "
           "+ (SELECT count(*) FROM action_proposals) + (SELECT count(*) FROM agents) + (SELECT count(*) FROM plans) "
           "+ (SELECT count(*) FROM settings) + (SELECT count(*) FROM operators WHERE active)")


@pytest.mark.parametrize("what", list(ATTEMPTS))
def test_a_viewer_is_refused_every_action_and_nothing_is_written(what: str, people: Session, ctx: AppContext) -> None:
    before = people.execute(text(WRITTEN)).scalar_one()
    with pytest.raises(Forbidden, match="^A viewer cannot "):
        ATTEMPTS[what](people, ctx, VIC)
    people.rollback()
    assert people.execute(text(WRITTEN)).scalar_one() == before


def test_an_approver_can_decide_but_not_hire(people: Session) -> None:
    pid = email_proposal(people, make_lead(people))
    people.commit()
    assert decide(people, pid, "approve", ANA).status == "approved"
    with pytest.raises(Forbidden, match="The approver role cannot hire, pause or fire workers"):
        hire(people, "research-analyst", "Ada", ANA)


def test_the_owner_can_hire_change_a_policy_and_manage_operators(people: Session) -> None:
    hire(people, "research-analyst", "Ada", OLGA)
    update_policy(people, "email", OLGA, sla_minutes=5)
    add_operator(people, "zed", "viewer", OLGA)
    people.commit()
    assert get_policy(people, "email").sla_minutes == 5


def test_a_viewers_decision_is_refused_with_the_tables_sentence(people: Session) -> None:
    pid = email_proposal(people, make_lead(people))
    people.commit()
    result = decide(people, pid, "approve", VIC)
    assert (result.ok, result.forbidden, result.status) == (False, True, "pending")
    assert result.message == f"{refusal('viewer', 'decide_proposal')} Nothing changed."


def test_a_policys_approvers_still_narrow_the_table(people: Session) -> None:
    update_policy(people, "email", OLGA, approvers=("owner",))
    pid = email_proposal(people, make_lead(people))
    people.commit()
    assert decide(people, pid, "approve", ANA).forbidden
    assert decide(people, pid, "approve", OLGA).status == "approved"


def test_a_viewers_api_token_gets_403_with_the_sentence_for_a_run(people: Session, ctx: AppContext) -> None:
    with serve(with_settings(ctx)) as api:
        run = api.post("/api/run/bizdev", headers=auth("vi"))
        paid = api.post("/api/invoices/1/mark_paid", headers=auth("vi"))
    assert (run.status_code, run.json()) == (403, {"error": refusal("viewer", "run_agent")})
    assert paid.status_code == 403
    assert people.execute(text("SELECT count(*) FROM agent_runs")).scalar_one() == 0


def test_a_viewer_on_the_cli_gets_one_line_and_exit_2(people: Session, db_url: str, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("HOSS_OPERATOR_TOKEN", issue_token(people, "vi", Actor.system("test")))
    people.commit()
    assert main(["run-agent", "bizdev"]) == 2
    assert main(["hire", "research-analyst", "--name", "Ada"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [f"error: {refusal('viewer', 'run_agent')}",
                                f"error: {refusal('viewer', 'manage_workforce')}"]


def test_no_surface_imports_an_unchecked_entry_point() -> None:
    files = [*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), *(ROOT / "core" / "app").glob("*.py")]
    found = []
    for path in files:
        if path.name == "demo.py":  # the demo seeds as the system, not a person
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module in acting.UNCHECKED:
                found += [f"{path.name}: {node.module}.{a.name}" for a in node.names
                          if a.name in acting.UNCHECKED[node.module]]
    assert not found
