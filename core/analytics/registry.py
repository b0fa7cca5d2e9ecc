"""The whitelist: the only analytics the canvas can run, each with its parameter model and chart spec."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection

from core.analytics import money_queries as mq
from core.analytics import plan_queries as pq
from core.analytics import queries as q
from core.analytics import rank_queries as rq
from core.analytics.params import (
    AgentParams,
    LongPeriodParams,
    NoParams,
    Params,
    PeriodParams,
    PnLParams,
    ProfitabilityParams,
    ProfitParams,
    ReceivablesParams,
    RevenueParams,
    SeriesParams,
    VendorParams,
    Window,
    WorkerParams,
)


@dataclass(frozen=True)
class ChartSpec:
    """How the page draws a result: mark kind, x/y fields, optional colour; time series get an x brush."""

    kind: Literal["bar", "line", "area"]
    x: str
    y: str
    color: str | None = None
    temporal: bool = False  # x is a date/time: interval brush; else a clickable bar (point selection)


@dataclass(frozen=True)
class AnalyticsFunction:
    """One whitelisted, parameterised, read-only query."""

    name: str
    description: str
    examples: tuple[str, ...]
    params_model: type[Params]
    query: Callable[..., list[dict[str, Any]]]
    chart: ChartSpec | None
    # (table, timestamp column) pairs whose max() tells when the data was last updated; constants only.
    sources: tuple[tuple[str, str], ...]

    def run(self, conn: Connection, params: Params, window: Window, cap: int, now: datetime | None = None
            ) -> list[dict[str, Any]]:
        """Rows of this query for validated params (the caller owns the read-only transaction)."""
        return self.query(conn, params, window, cap, now=now)


_TASK_TIMES = (("tasks", "created_at"), ("tasks", "completed_at"))
_LEDGER = (("ledger_entries", "occurred_at"),)

_FUNCTIONS = (
    AnalyticsFunction(
        "revenue_by_customer", "Invoiced / paid revenue per customer, biggest first (paid is net of refunds).",
        ("Which customers brought in the most money last month?", "Top 5 clients by paid revenue this year"),
        RevenueParams, q.revenue_by_customer, ChartSpec("bar", "customer", "amount_cents"),
        (("invoices", "created_at"), ("invoices", "paid_at")),
    ),
    AnalyticsFunction(
        "profit_over_time", "Gross margin per day/week/month: earned (rewards of done tasks) minus their LLM cost "
        "(optionally one customer); not net profit, which is profit_and_loss.",
        ("What was our gross margin week by week?", "Monthly margin this year"),
        ProfitParams, q.profit_over_time, ChartSpec("line", "bucket", "gross_margin_cents", temporal=True), _TASK_TIMES,
    ),
    AnalyticsFunction(
        "profit_and_loss", "Net profit per day/week/month from the ledger: collected (payments minus refunds), "
        "LLM cost, other spend by category, net profit (collected minus all spend).",
        ("Net profit by month this year", "Show me the P&L for Q3"),
        PnLParams, mq.profit_and_loss, ChartSpec("bar", "bucket", "net_profit_cents", temporal=True), _LEDGER,
    ),
    AnalyticsFunction(
        "llm_cost_over_time", "LLM spend and tokens per day/week/month, by model.",
        ("What did we spend on OpenAI per day over the last 30 days?", "Token usage by model this month"),
        SeriesParams, q.llm_cost_over_time, ChartSpec("area", "bucket", "cost_cents", "model", temporal=True),
        _TASK_TIMES,
    ),
    AnalyticsFunction(
        "task_throughput", "Tasks created / done / failed per day/week/month, median time to done.",
        ("How many tasks did we finish per day last week?", "Task throughput by week"),
        SeriesParams, q.task_throughput, ChartSpec("bar", "bucket", "done", temporal=True), _TASK_TIMES,
    ),
    AnalyticsFunction(
        "lead_funnel", "Leads → contacted → responded → qualified → customers, with conversion rates.",
        ("Show me the lead funnel for the last 90 days", "What is our lead conversion rate?"),
        PeriodParams, q.lead_funnel, ChartSpec("bar", "stage", "count"),
        (("leads", "created_at"), ("leads", "last_contacted_at"), ("customers", "created_at")),
    ),
    AnalyticsFunction(
        "runway_estimate", "Months of runway from the cash balance and the net burn of the last 90 days.",
        ("How many months of runway do we have?", "How long will the money last?"),
        NoParams, q.runway_estimate, None, _LEDGER + (("settings", "updated_at"),),
    ),
    AnalyticsFunction(
        "burn_rate", "Net monthly burn (spend minus revenue) per month.",
        ("What is our monthly burn rate?", "Cash burn per month this year"),
        LongPeriodParams, q.burn_rate, ChartSpec("bar", "month", "net_burn_cents", temporal=True), _LEDGER,
    ),
    AnalyticsFunction(
        "spend_by_vendor", "Outgoing spend grouped by vendor, biggest first.",
        ("Which vendors do we spend the most on?", "Top 3 expenses last month"),
        VendorParams, q.spend_by_vendor, ChartSpec("bar", "vendor", "spend_cents"), _LEDGER,
    ),
    AnalyticsFunction(
        "failed_payments", "Failed Stripe payments with customer, amount and reason.",
        ("Which payments failed last month?", "Show declined cards this month"),
        LongPeriodParams, q.failed_payments, ChartSpec("bar", "customer", "amount_cents"),
        (("events", "occurred_at"),),
    ),
    AnalyticsFunction(
        "invoice_aging", "Unpaid invoices by age bucket (0–30, 31–60, 61–90, 90+ days), sent apart from drafts.",
        ("Which invoices are overdue?", "Show me invoice aging"),
        NoParams, q.invoice_aging, ChartSpec("bar", "bucket", "amount_cents", "status"),
        (("invoices", "created_at"), ("invoices", "sent_at"), ("invoices", "paid_at")),
    ),
    AnalyticsFunction(
        "receivables", "Who owes us: per customer, sent unpaid invoices, amount owed and the oldest one's age; "
        "drafts (not yet sent) apart.",
        ("Who owes us money?", "Which customers have unpaid invoices?"),
        ReceivablesParams, mq.receivables, ChartSpec("bar", "customer", "owed_cents"),
        (("invoices", "created_at"), ("invoices", "sent_at"), ("invoices", "paid_at")),
    ),
    AnalyticsFunction(
        "roi_by_customer", "ROI per customer: time saved (the worker's human minutes × done tasks), its value at "
        "the hourly rate (roi.hourly_rate_cents), LLM cost and net value (value − LLM cost), with earned and margin.",
        ("ROI by customer this quarter", "Which customers get the most value from us?"),
        PeriodParams, pq.roi_by_customer, ChartSpec("bar", "customer", "net_value_cents"), _TASK_TIMES,
    ),
    AnalyticsFunction(
        "plan_usage", "This month's plan usage per customer: plan, tasks used, the plan's cap, tasks left, held.",
        ("Plan usage this month", "Which customers are over their plan's cap?"),
        NoParams, pq.plan_usage, ChartSpec("bar", "customer", "used", "plan"),
        (("tasks", "created_at"), ("tasks", "admitted_at")),
    ),
    AnalyticsFunction(
        "mrr", "Monthly recurring revenue per plan from paying Stripe subscriptions (active or past due).",
        ("What is our MRR?", "Monthly recurring revenue by plan"),
        NoParams, pq.mrr, ChartSpec("bar", "plan", "mrr_cents"), (("customers", "plan_changed_at"),),
    ),
    AnalyticsFunction(
        "customer_profitability", "Customers ranked by gross margin, net of LLM cost: earned (rewards of their done "
        "tasks) minus the LLM cost of those tasks, most (or least) profitable first.",
        ("Which customer is most profitable?", "Least profitable customers this year"),
        ProfitabilityParams, rq.customer_profitability, ChartSpec("bar", "customer", "gross_margin_cents"),
        _TASK_TIMES,
    ),
    AnalyticsFunction(
        "worker_performance", "Per hired worker (or one worker by name): tasks done and failed, failure rate, "
        "earned, LLM cost and gross margin.",
        ("How many tasks did each worker finish last week?", "What does Rhea cost us this month?"),
        WorkerParams, rq.worker_performance, ChartSpec("bar", "worker", "done"), _TASK_TIMES,
    ),
    AnalyticsFunction(
        "agent_run_health", "Runs, failures and error rate per agent.",
        ("Are any agents failing?", "Error rate of the ops agent this week"),
        AgentParams, q.agent_run_health, ChartSpec("bar", "agent", "failed"), (("agent_runs", "started_at"),),
    ),
    AnalyticsFunction(
        "proposal_stats", "Proposals by status and action type, with time to approval.",
        ("How many proposals were approved this month?", "How fast do we approve the inbox?"),
        PeriodParams, q.proposal_stats, ChartSpec("bar", "action_type", "proposals", "status"),
        (("action_proposals", "created_at"), ("action_proposals", "decided_at")),
    ),
)

WHITELIST: dict[str, AnalyticsFunction] = {f.name: f for f in _FUNCTIONS}


def help_lines() -> list[str]:
    """One line per whitelisted function: name, what it answers, an example question."""
    return [f"{f.name}: {f.description} e.g. \"{f.examples[0]}\"" for f in _FUNCTIONS]
