"""Billing agent (SPEC §3): done, uninvoiced tasks become one draft invoice per customer, plus a checkout proposal."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, insert, select, update
from sqlalchemy.orm import Session

from core.agents.runs import AgentResult, agent_run
from core.approvals.proposals import draft_proposal
from core.audit import Actor, record_audit
from core.config.settings import Settings
from core.money.cents import dollars
from core.present.words import count_words, money
from db.models import Customer, Invoice, Task

AGENT = "billing"
ACTOR = Actor.agent(AGENT)
CURRENCY = "usd"
# Urgency of a checkout proposal by invoice amount (cents): below the first bound is low, and so on.
_URGENCY_BOUNDS = ((10_000, "low"), (100_000, "medium"), (1_000_000, "high"))


@dataclass(frozen=True)
class Drafted:
    """One invoice the billing run drafted."""

    invoice_id: int
    customer_id: int
    company: str
    amount_cents: int
    task_ids: tuple[int, ...]
    proposal_id: int


def urgency_for(amount_cents: int) -> str:
    """low under $100, medium under $1,000, high under $10,000, else critical."""
    for bound, level in _URGENCY_BOUNDS:
        if amount_cents < bound:
            return level
    return "critical"


def _uninvoiced_done():  # noqa: ANN202 - a SQL condition
    return (Task.status == "done") & Task.invoice_id.is_(None)


def _billable_customers(session: Session) -> list[tuple[int, str]]:
    """Active customers that have at least one done, uninvoiced task: (id, company), oldest first."""
    rows = session.execute(
        select(Customer.id, Customer.company)
        .where(Customer.status == "active", exists().where(Task.customer_id == Customer.id, _uninvoiced_done()))
        .order_by(Customer.id)
    ).all()
    return [(r.id, r.company) for r in rows]


def invoice_customer(session: Session, customer_id: int, company: str) -> Drafted | None:
    """Draft one invoice from the customer's done, uninvoiced tasks, link them, audit, propose checkout. No commit.

    None when there is nothing (left) to invoice, or the tasks sum to zero.
    """
    # Lock the tasks: a concurrent billing run skips them here and, once we commit, sees them invoiced.
    tasks = session.execute(
        select(Task.id, Task.reward_cents)
        .where(Task.customer_id == customer_id, _uninvoiced_done())
        .order_by(Task.id)
        .with_for_update(skip_locked=True)
    ).all()
    amount = sum(t.reward_cents for t in tasks)
    if not tasks or amount <= 0:
        return None
    task_ids = tuple(t.id for t in tasks)
    description = f"HossAgent research work for {company}: {len(task_ids)} task(s)"
    invoice_id = session.execute(
        insert(Invoice)
        .values(customer_id=customer_id, amount_cents=amount, status="draft",
                notes=f"Tasks {', '.join(f'#{i}' for i in task_ids)}")
        .returning(Invoice.id)
    ).scalar_one()
    linked = session.execute(
        update(Task).where(Task.id.in_(task_ids), Task.invoice_id.is_(None)).values(invoice_id=invoice_id)
    ).rowcount
    if linked != len(task_ids):  # cannot happen while we hold the locks; refuse rather than mis-bill
        raise RuntimeError(f"invoice {invoice_id}: linked {linked} of {len(task_ids)} tasks")
    record_audit(session, ACTOR, "invoice", invoice_id, None, "draft",
                 {"customer_id": customer_id, "amount_cents": amount, "task_ids": list(task_ids)})
    proposal_id, _ = draft_proposal(
        session, ACTOR, vertical="billing", action_type="stripe_checkout",
        title=f"Checkout link for invoice {invoice_id}: {dollars(amount)} from {company}",
        reasoning=(
            f"{len(task_ids)} done task(s) for {company} totalling {dollars(amount)} are now on draft invoice "
            f"{invoice_id}; a Stripe Checkout link lets the customer pay it."
        ),
        payload={"invoice_id": invoice_id, "customer_id": customer_id, "customer": company,
                 "amount_cents": amount, "currency": CURRENCY, "description": description},
        dedupe_key=f"billing:checkout:invoice:{invoice_id}",
        urgency=urgency_for(amount),
    )
    return Drafted(invoice_id, customer_id, company, amount, task_ids, proposal_id)


def run_billing_agent(session: Session, settings: Settings, *, trigger: str = "manual",
                      actor: Actor | None = None) -> AgentResult:
    """One draft invoice per active customer with done, uninvoiced tasks; one transaction per customer."""
    with agent_run(session, AGENT, trigger, actor, heartbeat_seconds=settings.hoss_heartbeat_seconds) as run:
        customers = _billable_customers(session)
        session.rollback()
        for customer_id, company in customers:
            drafted = invoice_customer(session, customer_id, company)
            session.commit()
            if drafted is None:
                run.note(f"Customer {customer_id} {company}: nothing left to invoice; skipped.")
                continue
            run.did(
                f"Invoice {drafted.invoice_id} (draft) for customer {customer_id} {company}: "
                f"{money(drafted.amount_cents)} for {count_words(len(drafted.task_ids), 'task')} "
                f"({', '.join(f'#{t}' for t in drafted.task_ids)}); checkout proposal {drafted.proposal_id}"
            )
        if not customers:
            run.note("No done, uninvoiced tasks for active customers.")
        run.summary = f"{run.items} invoice(s) drafted"
    return run.result()
