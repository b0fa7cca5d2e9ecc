"""What the control room shows: headline metrics and SQL-paginated, SQL-filtered tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from core.agents.runs import run_history_query
from core.approvals.acting import check
from core.audit import Actor
from core.money.figures import gross_margin_cents, net_profit_cents
from core.transitions import transition_lead
from db.models import Customer, Invoice, Lead, Task
from db.statuses import INVOICE_STATUSES, LEAD_STATUSES, TASK_STATUSES

PAGE_SIZE = 25


@dataclass(frozen=True)
class Metrics:
    """Headline figures; money in integer cents."""

    leads: int
    customers: int
    tasks_by_status: dict[str, int]
    earned_cents: int  # SPEC §17 earned: rewards of done tasks
    llm_cost_cents: int  # LLM cost of done tasks
    invoiced_cents: int  # invoices that are not void
    collected_cents: int  # ledger payments minus refunds (and disputes)
    spend_cents: int  # all spend in the ledger (LLM, software, payroll, fees, other)
    paid_cents: int
    unpaid_invoices: int
    unpaid_cents: int

    @property
    def gross_margin_cents(self) -> int:
        """Earned minus the LLM cost of done tasks (core.money.figures)."""
        return gross_margin_cents(self.earned_cents, self.llm_cost_cents)

    @property
    def net_profit_cents(self) -> int:
        """Collected minus all spend in the ledger (core.money.figures)."""
        return net_profit_cents(self.collected_cents, self.spend_cents)

    @property
    def empty(self) -> bool:
        """No customers and no tasks yet (the scheduler's first BizDev leads may already be there)."""
        return self.customers == 0 and sum(self.tasks_by_status.values()) == 0


@dataclass(frozen=True)
class TablePage:
    """One page of a table: rows as dicts, and whether more pages follow."""

    rows: list[dict[str, Any]]
    page: int
    has_next: bool
    columns: tuple[str, ...] = field(default=())


# Done-task totals come from the daily rollup kept exact by triggers on tasks (a few rows per day instead of
# every task); the other statuses are small ranges of the (status, id) index.
_METRICS_SQL = text("""
SELECT
  (SELECT count(*) FROM leads) AS leads,
  (SELECT count(*) FROM customers) AS customers,
  d.done, d.revenue, d.cost,
  (SELECT coalesce(sum(amount_cents), 0) FROM invoices WHERE status <> 'void') AS invoiced,
  m.collected, m.spend,
  (SELECT count(*) FROM tasks WHERE status = 'pending') AS pending,
  (SELECT count(*) FROM tasks WHERE status = 'running') AS running,
  (SELECT count(*) FROM tasks WHERE status = 'failed') AS failed,
  (SELECT count(*) FROM tasks WHERE status = 'needs_review') AS needs_review,
  (SELECT count(*) FROM tasks WHERE status = 'held') AS held,
  (SELECT count(*) FROM tasks WHERE status = 'discarded') AS discarded,
  (SELECT coalesce(sum(amount_cents), 0) FROM invoices WHERE status = 'paid') AS paid,
  (SELECT count(*) FROM invoices WHERE status IN ('draft', 'sent')) AS unpaid_n,
  (SELECT coalesce(sum(amount_cents), 0) FROM invoices WHERE status IN ('draft', 'sent')) AS unpaid
FROM (SELECT coalesce(sum(tasks), 0) AS done, coalesce(sum(reward_cents), 0) AS revenue,
             coalesce(sum(cost_cents), 0) AS cost
      FROM canvas_task_done_daily) AS d,
     -- "collected" and "spend" have one definition: the ledger_money view (migration ledger_money_view).
     (SELECT coalesce(sum(collected_cents), 0) AS collected, coalesce(sum(spend_cents), 0) AS spend
      FROM ledger_money) AS m
""")


def headline_metrics(session: Session) -> Metrics:
    """Counts and money totals for the top of the control room."""
    m = session.execute(_METRICS_SQL).one()
    return Metrics(
        leads=m.leads, customers=m.customers,
        tasks_by_status={s: int(getattr(m, s)) for s in TASK_STATUSES},
        earned_cents=int(m.revenue), llm_cost_cents=int(m.cost), invoiced_cents=int(m.invoiced),
        collected_cents=int(m.collected), spend_cents=int(m.spend), paid_cents=int(m.paid), unpaid_invoices=m.unpaid_n, unpaid_cents=int(m.unpaid),
    )


def _page(session: Session, query: Select, page: int, page_size: int) -> TablePage:
    page = max(page, 1)
    rows = session.execute(query.limit(page_size + 1).offset((page - 1) * page_size)).mappings().all()
    columns = tuple(c.name for c in query.selected_columns)
    return TablePage([dict(r) for r in rows[:page_size]], page, len(rows) > page_size, columns)


def _checked(value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value in (None, "", "all"):
        return None
    if value not in allowed:
        raise ValueError(f"unknown status {value!r}; choose one of: {', '.join(allowed)}")
    return value


def list_leads(session: Session, *, status: str | None = None, search: str = "", page: int = 1,
               page_size: int = PAGE_SIZE) -> TablePage:
    """Leads, newest first, filtered by status and a company/email search, one page at a time."""
    q = select(Lead.id, Lead.company, Lead.contact_name, Lead.email, Lead.source, Lead.status,
               Lead.last_contacted_at, Lead.created_at).order_by(Lead.id.desc())
    if status := _checked(status, LEAD_STATUSES):
        q = q.where(Lead.status == status)
    if search.strip():
        pattern = f"%{_escape_like(search.strip())}%"
        q = q.where(Lead.company.ilike(pattern, escape="\\") | Lead.email.ilike(pattern, escape="\\"))
    return _page(session, q, page, page_size)


def list_customers(session: Session, *, page: int = 1, page_size: int = PAGE_SIZE) -> TablePage:
    """Customers, newest first, each with the link to its view on the Customers page."""
    q = select(Customer.id, func.concat("customers?customer=", Customer.id).label("view"), Customer.company,
               Customer.contact_email, Customer.plan, Customer.status, Customer.lead_id,
               Customer.created_at).order_by(Customer.id.desc())
    return _page(session, q, page, page_size)


def list_tasks(session: Session, *, status: str | None = None, page: int = 1, page_size: int = PAGE_SIZE) -> TablePage:
    """Tasks, newest first, with cost, profit and mode; filtered by status in SQL."""
    q = (select(Task.id, func.concat("task?task=", Task.id).label("view"), Customer.company.label("customer"),
                Task.agent.label("worker"), Task.description, Task.status, Task.reward_cents,
                Task.cost_cents, Task.profit_cents, Task.mode, Task.model, Task.input_tokens, Task.output_tokens,
                Task.attempts, Task.last_error, Task.created_at, Task.completed_at)
         .join(Customer, Customer.id == Task.customer_id).order_by(Task.id.desc()))
    if status := _checked(status, TASK_STATUSES):
        q = q.where(Task.status == status)
    return _page(session, q, page, page_size)


def list_invoices(session: Session, *, status: str | None = None, page: int = 1,
                  page_size: int = PAGE_SIZE) -> TablePage:
    """Invoices, newest first: customer, amount, status, and whether a checkout link exists."""
    q = (select(Invoice.id, Customer.company.label("customer"), Invoice.amount_cents, Invoice.status,
                Invoice.created_at, Invoice.paid_at, (Invoice.checkout_url.is_not(None)).label("link_created"))
         .join(Customer, Customer.id == Invoice.customer_id).order_by(Invoice.id.desc()))
    if status := _checked(status, INVOICE_STATUSES):
        q = q.where(Invoice.status == status)
    return _page(session, q, page, page_size)


def list_agent_runs(session: Session, *, agent: str | None = None, page: int = 1,
                    page_size: int = PAGE_SIZE) -> TablePage:
    """Recent agent runs: trigger, status, duration, items, summary, error, host."""
    return _page(session, run_history_query(agent), page, page_size)


def mark_lead_responded(session: Session, lead_id: int, actor: Actor) -> bool:
    """Move a lead to `responded` (audited; no commit); False when it already is. NotFound, IllegalTransition."""
    check(session, actor, "add_task")
    status = session.execute(select(Lead.status).where(Lead.id == lead_id).with_for_update()).scalar_one_or_none()
    if status == "responded":
        return False  # a double click or a retried API call: nothing more to do
    transition_lead(session, lead_id, "responded", actor)
    return True


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

