"""Onboarding: a ready lead becomes exactly one customer with starter tasks, also under concurrent runs."""

from __future__ import annotations

import threading

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.agents.onboarding import STARTER_TASKS, run_onboarding_agent, starter_tasks
from core.agents.runs import AgentResult
from core.config.context import AppContext
from core.config.settings import Settings


def _lead(session: Session, status: str = "responded", n: int = 1) -> int:
    lead_id = session.execute(
        text("INSERT INTO leads (company, contact_name, email, status) VALUES (:c, 'Ada Lane', :e, :s) RETURNING id"),
        {"c": f"Acme {n}", "e": f"ada{n}@acme{n}.com", "s": status},
    ).scalar_one()
    session.commit()
    return lead_id


def _counts(session: Session) -> tuple[int, int]:
    return (session.execute(text("SELECT count(*) FROM customers")).scalar_one(),
            session.execute(text("SELECT count(*) FROM tasks")).scalar_one())


def test_responded_lead_becomes_an_active_starter_customer_with_pending_tasks(session: Session, settings: Settings) -> None:
    lead_id = _lead(session)
    result = run_onboarding_agent(session, settings)
    customer = session.execute(text("SELECT * FROM customers")).one()
    tasks = session.execute(text("SELECT * FROM tasks ORDER BY id")).all()
    assert result.status == "succeeded" and result.items == 1
    assert (customer.company, customer.plan, customer.status, customer.lead_id) == ("Acme 1", "starter", "active", lead_id)
    assert customer.notes == f"Created from lead {lead_id}" and customer.contact_email == "ada1@acme1.com"
    assert 2 <= len(tasks) <= 3
    assert [t.description for t in tasks] == [d.format(company="Acme 1") for d in STARTER_TASKS[: len(tasks)]]
    assert all(t.status == "pending" and 50 <= t.reward_cents <= 100 and t.customer_id == customer.id for t in tasks)
    assert session.execute(text("SELECT status FROM leads")).scalar_one() == "qualified"
    assert f"customer {customer.id}" in result.lines[0]


def test_qualified_candidates_are_onboarded_and_other_leads_left_alone(session: Session, settings: Settings) -> None:
    _lead(session, "qualified_candidate", 1)
    for n, status in enumerate(("new", "contacted", "lost", "qualified"), start=2):
        _lead(session, status, n)
    result = run_onboarding_agent(session, settings)
    assert result.items == 1
    assert session.execute(text("SELECT company FROM customers")).scalars().all() == ["Acme 1"]


def test_every_change_has_its_audit_row(session: Session, settings: Settings) -> None:
    lead_id = _lead(session)
    run_onboarding_agent(session, settings)
    customer_id = session.execute(text("SELECT id FROM customers")).scalar_one()
    task_ids = session.execute(text("SELECT id FROM tasks ORDER BY id")).scalars().all()
    audit = [tuple(r) for r in session.execute(
        text("SELECT entity, entity_id, from_status, to_status, actor_type, actor_id FROM audit_log ORDER BY id")
    )]
    assert audit == (
        [("customer", str(customer_id), None, "active", "agent", "onboarding")]
        + [("task", str(t), None, "pending", "agent", "onboarding") for t in task_ids]
        + [("lead", str(lead_id), "responded", "qualified", "agent", "onboarding")]
    )


def test_a_second_run_makes_nothing_new(session: Session, settings: Settings) -> None:
    _lead(session)
    run_onboarding_agent(session, settings)
    before = _counts(session)
    again = run_onboarding_agent(session, settings)
    assert _counts(session) == before
    assert again.status == "succeeded" and again.items == 0
    runs = session.execute(text("SELECT count(*) FROM agent_runs WHERE agent = 'onboarding' AND status = 'succeeded'"))
    assert runs.scalar_one() == 2


def test_two_concurrent_runs_make_one_customer_and_one_task_set_per_lead(ctx: AppContext, session: Session) -> None:
    leads = [_lead(session, "responded", n) for n in range(1, 31)]
    start = threading.Barrier(2)
    results: list[AgentResult] = []

    def worker() -> None:
        with ctx.sessions() as own:
            start.wait()
            results.append(run_onboarding_agent(own, ctx.settings))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    per_lead = dict(session.execute(text("SELECT lead_id, count(*) FROM customers GROUP BY lead_id")).all())
    tasks = session.execute(text(
        "SELECT c.lead_id, count(*) FROM tasks t JOIN customers c ON c.id = t.customer_id GROUP BY c.lead_id"
    )).all()
    assert [r.status for r in results] == ["succeeded", "succeeded"]
    assert sum(r.items for r in results) == len(leads)
    assert per_lead == {lead_id: 1 for lead_id in leads}
    assert dict(tasks) == {lead_id: len(starter_tasks(lead_id, "x")) for lead_id in leads}
    assert session.execute(text("SELECT count(*) FROM leads WHERE status = 'qualified'")).scalar_one() == len(leads)


def test_a_lead_that_already_has_a_customer_is_not_onboarded_again(session: Session, settings: Settings) -> None:
    lead_id = _lead(session)
    session.execute(text("INSERT INTO customers (company, lead_id) VALUES ('Acme 1', :l)"), {"l": lead_id})
    session.commit()
    result = run_onboarding_agent(session, settings)
    assert result.items == 0 and _counts(session) == (1, 0)
