"""The canvas in words: each function's title, each column's and parameter's label, each period's name."""

from __future__ import annotations

TITLES: dict[str, str] = {
    "revenue_by_customer": "Revenue by customer", "profit_over_time": "Gross margin over time",
    "profit_and_loss": "Profit and loss", "llm_cost_over_time": "LLM cost over time",
    "task_throughput": "Tasks over time", "lead_funnel": "Lead funnel", "runway_estimate": "Runway",
    "burn_rate": "Monthly net burn", "spend_by_vendor": "Spend by vendor", "failed_payments": "Failed payments",
    "invoice_aging": "Unpaid invoices by age", "receivables": "Who owes us", "roi_by_customer": "ROI by customer",
    "plan_usage": "Plan usage this month", "mrr": "Monthly recurring revenue", "agent_run_health": "Agent run health",
    "proposal_stats": "Proposals", "customer_profitability": "Most profitable customers",
    "worker_performance": "Work and cost per worker",
}

_COLUMNS: dict[str, str] = {
    "amount_cents": "Amount", "invoiced_cents": "Invoiced", "paid_cents": "Paid", "refunded_cents": "Refunded",
    "unpaid_cents": "Unpaid", "reward_cents": "Earned", "earned_cents": "Earned", "cost_cents": "LLM cost",
    "llm_cost_cents": "LLM cost", "profit_cents": "Profit per task", "gross_margin_cents": "Gross margin",
    "collected_cents": "Collected", "payments_cents": "Payments", "refunds_cents": "Refunds",
    "software_cents": "Software", "payroll_cents": "Payroll", "fees_cents": "Fees", "other_cents": "Other spend",
    "spend_cents": "All spend", "net_profit_cents": "Net profit", "in_cents": "Money in", "out_cents": "Money out",
    "net_burn_cents": "Net burn", "owed_cents": "Owed", "draft_cents": "In drafts", "mrr_cents": "MRR",
    "cash_balance_cents": "Cash balance", "collected_90d_cents": "Collected (90 days)",
    "spend_90d_cents": "Spend (90 days)", "monthly_net_burn_cents": "Monthly net burn",
    "net_value_cents": "Net value", "value_cents": "Value of time saved", "bucket": "Period", "month": "Month",
    "customer_id": "Customer number", "pct_of_spend": "Share of spend (%)", "pct_of_previous": "Of previous stage (%)",
    "pct_of_leads": "Of leads (%)", "error_rate_pct": "Error rate (%)", "failure_rate_pct": "Failure rate (%)",
    "margin_pct": "Margin (%)", "median_minutes_to_done": "Median minutes to done",
    "avg_minutes_to_decision": "Average minutes to decision", "avg_seconds": "Average seconds",
    "months_of_runway": "Months of runway", "runs_out_on": "Runs out on", "last_run_at": "Last run",
    "occurred_at": "When", "event_id": "Event number", "oldest_days": "Oldest (days)",
    "oldest_sent_days": "Oldest sent (days)", "sent_invoices": "Sent invoices", "draft_invoices": "Draft invoices",
    "input_tokens": "Input tokens", "output_tokens": "Output tokens", "action_type": "Action",
}

PARAMS: dict[str, str] = {
    "period": "Period", "grain": "Grain", "status": "Invoices", "limit": "How many", "customer": "Customer",
    "agent": "Agent", "worker": "Worker", "order": "Order", "compare_to": "Compare with",
}

PERIOD_NAMES: dict[str, str] = {
    "today": "Today", "yesterday": "Yesterday", "last_7_days": "Last 7 days", "last_30_days": "Last 30 days",
    "last_90_days": "Last 90 days", "this_month": "This month", "last_month": "Last month",
    "this_quarter": "This quarter", "last_quarter": "Last quarter", "this_year": "This year", "ytd": "Year to date",
    "this_fiscal_year": "This fiscal year", "last_fiscal_year": "Last fiscal year", "all_time": "All time",
    "custom": "Dates I choose", "previous": "The period before",
}

CHOICE_NAMES: dict[str, str] = {
    "day": "By day", "week": "By week", "month": "By month", "invoiced": "All but void", "paid": "Paid",
    "unpaid": "Unpaid", "draft": "Drafts", "sent": "Sent", "void": "Void", "most": "Most profitable first",
    "least": "Least profitable first",
}


def title(function: str) -> str:
    """The function's title in words ('Gross margin over time')."""
    return TITLES.get(function, function.replace("_", " ").capitalize())


def column(name: str) -> str:
    """A column's label in words; money columns end in ' ($)' ('gross_margin_cents' -> 'Gross margin ($)')."""
    if name in _COLUMNS:
        words = _COLUMNS[name]
    else:
        words = name.removesuffix("_cents").replace("_", " ").capitalize()
    return f"{words} ($)" if name.endswith("_cents") else words


def choice(value: object) -> str:
    """A parameter value in words (a period, a grain, an invoice filter)."""
    text = str(value)
    return PERIOD_NAMES.get(text) or CHOICE_NAMES.get(text) or text.replace("_", " ").capitalize()
