"""The whitelisted queries: fixed SQL text, values only as bound parameters, money in integer cents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from core.analytics.names import AGENTS, unknown_agent_message
from core.analytics.params import (
    AGENT_ALIASES,
    AgentParams,
    LongPeriodParams,
    NoParams,
    PeriodParams,
    ProfitParams,
    RevenueParams,
    SeriesParams,
    VendorParams,
    Window,
)
from core.errors import InvalidInput
from core.money.figures import gross_margin_cents, net_profit_cents
from core.money.runway import estimate_runway

Rows = list[dict[str, Any]]

# Which invoice statuses each `status` parameter value means.
_INVOICE_STATUS_SETS = {
    "invoiced": ["draft", "sent", "paid"],
    "paid": ["paid"],
    "unpaid": ["draft", "sent"],
    "draft": ["draft"],
    "sent": ["sent"],
    "void": ["void"],
}


def _rows(conn: Connection, sql: str, values: dict[str, Any], cap: int) -> Rows:
    result = conn.execute(text(sql), values)
    return [dict(r) for r in result.mappings().fetchmany(cap)]


def _pct(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def revenue_by_customer(conn: Connection, p: RevenueParams, w: Window, cap: int, now: datetime | None = None) -> Rows:
    """Invoiced, paid and unpaid cents per customer for invoices created (paid, for status=paid) in the window.

    Refunds and disputes booked against a customer's paid invoices are `refunded_cents`; with status=paid the
    amount is collected: paid minus refunded.
    """
    sql = """
        WITH inv AS (
            SELECT i.id, i.customer_id, i.status, i.amount_cents FROM invoices i
            WHERE i.status = ANY(:statuses)
              AND CASE WHEN :by_paid THEN i.paid_at ELSE i.created_at END >= :start
              AND CASE WHEN :by_paid THEN i.paid_at ELSE i.created_at END < :end
        ), back AS (
            SELECT l.invoice_id, sum(l.refund_cents) AS refunded_cents FROM ledger_money l
            WHERE l.invoice_id IN (SELECT id FROM inv WHERE status = 'paid')
            GROUP BY l.invoice_id
        )
        , per AS (
        SELECT c.id AS customer_id, c.company AS customer,
               count(*) AS invoices,
               sum(i.amount_cents) FILTER (WHERE i.status <> 'void') AS invoiced_cents,
               coalesce(sum(i.amount_cents) FILTER (WHERE i.status = 'paid'), 0) AS paid_cents,
               coalesce(sum(b.refunded_cents), 0) AS refunded_cents,
               coalesce(sum(i.amount_cents) FILTER (WHERE i.status IN ('draft', 'sent')), 0) AS unpaid_cents,
               sum(i.amount_cents) - CASE WHEN :by_paid THEN coalesce(sum(b.refunded_cents), 0) ELSE 0 END
                   AS amount_cents
        FROM inv i JOIN customers c ON c.id = i.customer_id LEFT JOIN back b ON b.invoice_id = i.id
        GROUP BY c.id, c.company
        )
        SELECT per.*, count(*) OVER () AS _of, sum(amount_cents) OVER () AS _total_amount_cents,
               sum(invoiced_cents) OVER () AS _total_invoiced_cents, sum(paid_cents) OVER () AS _total_paid_cents,
               sum(refunded_cents) OVER () AS _total_refunded_cents, sum(unpaid_cents) OVER () AS _total_unpaid_cents
        FROM per
        ORDER BY amount_cents DESC, customer
        LIMIT :limit
    """
    rows = _rows(conn, sql, {
        "statuses": _INVOICE_STATUS_SETS[p.status], "by_paid": p.status == "paid",
        "start": w.start, "end": w.end, "limit": min(p.limit, cap),
    }, cap)
    for r in rows:
        for k in ("invoiced_cents", "paid_cents", "refunded_cents", "unpaid_cents", "amount_cents"):
            r[k] = int(r[k] or 0)
            r["_total_" + k] = int(r["_total_" + k] or 0)
        r["_of"] = int(r["_of"])
    return rows


# The task analytics read the daily rollups (canvas_task_*_daily, kept exact by triggers on tasks) rather than
# scanning up to a million task rows. Windows are whole UTC days, so day bounds are exact.


def _days(w: Window) -> dict[str, Any]:
    return {"start_day": w.start.date(), "end_day": w.end.date()}


def profit_over_time(conn: Connection, p: ProfitParams, w: Window, cap: int, now: datetime | None = None) -> Rows:
    """Gross margin per bucket of completion day: done tasks' reward (earned), LLM cost, per-task profit and
    gross margin (earned − LLM cost) in cents (optionally one customer)."""
    sql = """
        SELECT (date_trunc(:grain, day::timestamp) AT TIME ZONE 'UTC') AS bucket, sum(tasks) AS tasks, sum(reward_cents) AS reward_cents,
               sum(cost_cents) AS cost_cents, sum(profit_cents) AS profit_cents
        FROM canvas_task_done_daily
        WHERE day >= :start_day AND day < :end_day
          AND (CAST(:customer_id AS bigint) IS NULL OR customer_id = :customer_id)
          AND (CAST(:customer_name AS text) IS NULL OR customer_id IN (
                SELECT id FROM customers WHERE lower(company) = lower(:customer_name)))
        GROUP BY 1 HAVING sum(tasks) <> 0 ORDER BY 1
    """
    cust = p.customer
    rows = _rows(conn, sql, {
        "grain": p.grain, **_days(w),
        "customer_id": cust if isinstance(cust, int) else None,
        "customer_name": cust if isinstance(cust, str) else None,
    }, cap)
    keys = ("tasks", "reward_cents", "cost_cents", "profit_cents")
    out = [{**r, **{k: int(r[k]) for k in keys}} for r in rows]
    # The rollup holds done tasks only: reward is earned and cost is the LLM cost of done tasks.
    return [{**r, "gross_margin_cents": gross_margin_cents(r["reward_cents"], r["cost_cents"])} for r in out]


def llm_cost_over_time(conn: Connection, p: SeriesParams, w: Window, cap: int, now: datetime | None = None) -> Rows:
    """LLM spend (cents) and tokens per bucket of completion day and model, from finished tasks."""
    sql = """
        SELECT (date_trunc(:grain, day::timestamp) AT TIME ZONE 'UTC') AS bucket, coalesce(nullif(model, ''), 'unknown') AS model,
               sum(tasks) AS tasks, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
               sum(cost_cents) AS cost_cents
        FROM canvas_task_done_daily
        WHERE day >= :start_day AND day < :end_day
        GROUP BY 1, 2 HAVING sum(tasks) <> 0 ORDER BY 1, 2
    """
    rows = _rows(conn, sql, {"grain": p.grain, **_days(w)}, cap)
    keys = ("tasks", "input_tokens", "output_tokens", "cost_cents")
    return [{**r, **{k: int(r[k]) for k in keys}} for r in rows]


def task_throughput(conn: Connection, p: SeriesParams, w: Window, cap: int, now: datetime | None = None) -> Rows:
    """Per bucket: tasks created (and of those now failed), tasks done, and the median time to done in minutes.

    The median is the lower median read from a 2 % logarithmic histogram, so it is within 1 % of the exact value.
    """
    sql = """
        WITH created AS (
            SELECT (date_trunc(:grain, day::timestamp) AT TIME ZONE 'UTC') AS bucket, sum(created) AS created, sum(failed) AS failed
            FROM canvas_task_created_daily WHERE day >= :start_day AND day < :end_day GROUP BY 1
        ), done AS (
            SELECT (date_trunc(:grain, day::timestamp) AT TIME ZONE 'UTC') AS bucket, sum(tasks) AS done
            FROM canvas_task_done_daily WHERE day >= :start_day AND day < :end_day GROUP BY 1
        ), hist AS (
            SELECT (date_trunc(:grain, day::timestamp) AT TIME ZONE 'UTC') AS bucket, bucket AS slot, sum(tasks) AS n
            FROM canvas_task_duration_daily WHERE day >= :start_day AND day < :end_day
            GROUP BY 1, 2 HAVING sum(tasks) > 0
        ), cum AS (
            SELECT bucket, slot, sum(n) OVER (PARTITION BY bucket ORDER BY slot) AS running,
                   sum(n) OVER (PARTITION BY bucket) AS total
            FROM hist
        ), med AS (
            SELECT DISTINCT ON (bucket) bucket, slot FROM cum WHERE running * 2 >= total ORDER BY bucket, slot
        )
        SELECT coalesce(c.bucket, d.bucket) AS bucket, coalesce(c.created, 0) AS created,
               coalesce(d.done, 0) AS done, coalesce(c.failed, 0) AS failed,
               CASE WHEN m.slot IS NULL THEN NULL WHEN m.slot = 0 THEN 0
                    ELSE power(1.02, m.slot - 0.5) / 60.0 END AS median_minutes_to_done
        FROM created c FULL JOIN done d ON d.bucket = c.bucket
        LEFT JOIN med m ON m.bucket = coalesce(c.bucket, d.bucket)
        WHERE coalesce(c.created, 0) <> 0 OR coalesce(d.done, 0) <> 0
        ORDER BY 1
    """
    rows = _rows(conn, sql, {"grain": p.grain, **_days(w)}, cap)
    for r in rows:
        for k in ("created", "done", "failed"):
            r[k] = int(r[k])
        m = r["median_minutes_to_done"]
        r["median_minutes_to_done"] = round(float(m), 1) if m is not None else None
    return rows


_FUNNEL_STAGES = ("leads", "contacted", "responded", "qualified", "customers")


def lead_funnel(conn: Connection, p: PeriodParams, w: Window, cap: int, now: datetime | None = None) -> Rows:
    """Leads created in the window and how far they got: contacted → responded → qualified → customer."""
    sql = """
        SELECT count(*) AS leads,
               count(*) FILTER (WHERE l.status IN ('contacted', 'responded', 'qualified_candidate', 'qualified')
                                   OR l.last_contacted_at IS NOT NULL OR c.id IS NOT NULL) AS contacted,
               count(*) FILTER (WHERE l.status IN ('responded', 'qualified_candidate', 'qualified')
                                   OR c.id IS NOT NULL) AS responded,
               count(*) FILTER (WHERE l.status = 'qualified' OR c.id IS NOT NULL) AS qualified,
               count(c.id) AS customers,
               count(*) FILTER (WHERE l.status = 'lost') AS lost
        FROM leads l LEFT JOIN customers c ON c.lead_id = l.id
        WHERE l.created_at >= :start AND l.created_at < :end
    """
    counts = dict(conn.execute(text(sql), {"start": w.start, "end": w.end}).mappings().one())
    rows: Rows = []
    previous = None
    for stage in _FUNNEL_STAGES:
        n = int(counts[stage])
        rows.append({
            "stage": stage, "count": n,
            "pct_of_previous": _pct(n, previous) if previous is not None else None,
            "pct_of_leads": _pct(n, counts["leads"]),
        })
        previous = n
    rows.append({"stage": "lost", "count": int(counts["lost"]), "pct_of_previous": None,
                 "pct_of_leads": _pct(counts["lost"], counts["leads"])})
    return rows[:cap]


def runway_estimate(conn: Connection, p: NoParams, w: Window, cap: int, now: datetime | None = None) -> Rows:
    """Cash balance ÷ average monthly net burn of the trailing 90 days (core.money.runway, as the alerts use)."""
    now = now or datetime.now(UTC)
    r = estimate_runway(conn, now)
    return [{
        "cash_balance_cents": r.cash_balance_cents,
        "collected_90d_cents": r.collected_cents,
        "spend_90d_cents": r.spend_cents,
        "monthly_net_burn_cents": r.monthly_net_burn_cents,
        "months_of_runway": r.months,
        "runs_out_on": (now + timedelta(days=30 * r.months)).date() if r.months is not None else None,
        "note": r.note,
    }]


def burn_rate(conn: Connection, p: LongPeriodParams, w: Window, cap: int, now: datetime | None = None) -> Rows:
    """Per calendar month: money in, money out (refunds and spend) and net burn (minus the net profit), in cents,
    from the ledger_money view."""
    sql = """
        SELECT date_trunc('month', occurred_at) AS month,
               coalesce(sum(payment_cents), 0) AS in_cents,
               coalesce(sum(refund_cents + spend_cents), 0) AS out_cents,
               coalesce(sum(collected_cents), 0) AS collected_cents, coalesce(sum(spend_cents), 0) AS spend_cents
        FROM ledger_money WHERE occurred_at >= :start AND occurred_at < :end
        GROUP BY 1 ORDER BY 1
    """
    rows = _rows(conn, sql, {"start": w.start, "end": w.end}, cap)
    return [{"month": r["month"], "in_cents": int(r["in_cents"]), "out_cents": int(r["out_cents"]),
             "net_burn_cents": -net_profit_cents(int(r["collected_cents"]), int(r["spend_cents"]))} for r in rows]


def spend_by_vendor(conn: Connection, p: VendorParams, w: Window, cap: int, now: datetime | None = None) -> Rows:
    """Outgoing ledger money grouped by counterparty, biggest first, with its share of all spend.

    Spend is the ledger_money view's: refunds and disputes give revenue back and are not a vendor.
    """
    sql = """
        SELECT coalesce(nullif(counterparty, ''), '(unknown)') AS vendor,
               string_agg(DISTINCT category, ', ') AS categories,
               count(*) AS entries,
               sum(spend_cents) AS spend_cents,
               sum(sum(spend_cents)) OVER () AS total_cents, count(*) OVER () AS _of
        FROM ledger_money
        WHERE spend_cents > 0 AND occurred_at >= :start AND occurred_at < :end
        GROUP BY 1 ORDER BY spend_cents DESC, vendor
        LIMIT :limit
    """
    rows = _rows(conn, sql, {"start": w.start, "end": w.end, "limit": min(p.limit, cap)}, cap)
    out = []
    for r in rows:
        total = int(r.pop("total_cents"))
        out.append({**r, "spend_cents": int(r["spend_cents"]), "pct_of_spend": _pct(int(r["spend_cents"]), total),
                    "_of": int(r["_of"]), "_total_spend_cents": total})
    return out


def failed_payments(conn: Connection, p: LongPeriodParams, w: Window, cap: int, now: datetime | None = None) -> Rows:
    """Stripe invoice.payment_failed / charge.failed events: when, customer, amount (cents) and reason."""
    # The payload is a whole Stripe event (data.object) or just the object; read both shapes.
    sql = r"""
        WITH f AS (
            SELECT e.id, e.type, e.occurred_at, coalesce(e.payload -> 'data' -> 'object', e.payload) AS o
            FROM events e
            WHERE e.type IN ('invoice.payment_failed', 'charge.failed')
              AND e.occurred_at >= :start AND e.occurred_at < :end
            ORDER BY e.occurred_at DESC, e.id DESC
            LIMIT :cap
        )
        SELECT f.occurred_at, f.type,
               coalesce(c.company, f.o ->> 'customer_name', f.o -> 'billing_details' ->> 'name',
                        f.o ->> 'customer_email', f.o ->> 'customer', '(unknown)') AS customer,
               CASE WHEN coalesce(f.o ->> 'amount_due', f.o ->> 'amount') ~ '^[0-9]{1,15}$'
                    THEN coalesce(f.o ->> 'amount_due', f.o ->> 'amount')::bigint END AS amount_cents,
               coalesce(f.o ->> 'failure_message', f.o -> 'last_payment_error' ->> 'message',
                        f.o -> 'last_finalization_error' ->> 'message', f.o ->> 'reason',
                        f.o ->> 'failure_code', '') AS reason,
               f.id AS event_id
        FROM f LEFT JOIN LATERAL (
            SELECT company FROM customers WHERE stripe_customer_id = f.o ->> 'customer' LIMIT 1
        ) c ON true
        ORDER BY f.occurred_at DESC, f.id DESC
    """
    return _rows(conn, sql, {"start": w.start, "end": w.end, "cap": cap}, cap)


_AGING_BUCKETS = ("0–30 days", "31–60 days", "61–90 days", "90+ days")


def invoice_aging(conn: Connection, p: NoParams, w: Window, cap: int, now: datetime | None = None) -> Rows:
    """Unpaid invoices by age bucket (0–30, 31–60, 61–90, 90+ days), sent ones (age since sent) apart from drafts
    (never sent, so nobody owes them yet; age since created)."""
    sql = """
        SELECT status,
               CASE WHEN age_days <= 30 THEN 0 WHEN age_days <= 60 THEN 1 WHEN age_days <= 90 THEN 2 ELSE 3 END
                   AS bucket_no,
               count(*) AS invoices, sum(amount_cents) AS amount_cents, max(age_days) AS oldest_days
        FROM (SELECT status, amount_cents,
                     floor(extract(epoch FROM (:now - coalesce(sent_at, created_at))) / 86400)::int AS age_days
              FROM invoices WHERE status IN ('draft', 'sent')) x
        GROUP BY 1, 2
    """
    found = {(r["status"], r["bucket_no"]): r
             for r in conn.execute(text(sql), {"now": now or datetime.now(UTC)}).mappings()}
    return [{
        "status": status, "bucket": label,
        "invoices": int(found[(status, i)]["invoices"]) if (status, i) in found else 0,
        "amount_cents": int(found[(status, i)]["amount_cents"]) if (status, i) in found else 0,
        "oldest_days": int(found[(status, i)]["oldest_days"]) if (status, i) in found else None,
    } for status in ("sent", "draft") for i, label in enumerate(_AGING_BUCKETS)]


def agent_run_health(conn: Connection, p: AgentParams, w: Window, cap: int, now: datetime | None = None) -> Rows:
    """Per agent (`ops` is the single-task agent and the pool's `ops_batch`): runs started in the window, succeeded/failed/skipped/abandoned, error rate, mean duration, last error; a name no agent has is refused."""
    sql = """
        SELECT agent,
               count(*) AS runs,
               count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
               count(*) FILTER (WHERE status = 'failed') AS failed,
               count(*) FILTER (WHERE status = 'skipped') AS skipped,
               count(*) FILTER (WHERE status = 'abandoned') AS abandoned,
               avg(extract(epoch FROM finished_at - started_at)) AS avg_seconds,
               max(started_at) AS last_run_at,
               (array_agg(error ORDER BY started_at DESC) FILTER (WHERE status = 'failed'))[1] AS last_error
        FROM agent_runs
        WHERE started_at >= :start AND started_at < :end
          AND (CAST(:agents AS text[]) IS NULL OR agent = ANY(:agents))
        GROUP BY agent ORDER BY agent
    """
    agents = list(AGENT_ALIASES.get(p.agent, (p.agent,))) if p.agent else None
    rows = _rows(conn, sql, {"start": w.start, "end": w.end, "agents": agents}, cap)
    if p.agent and not rows and p.agent not in AGENTS:  # a made-up name is refused, never an empty "all is well"
        raise InvalidInput(unknown_agent_message(p.agent))
    for r in rows:
        r["error_rate_pct"] = _pct(r["failed"] + r["abandoned"], r["runs"])  # an abandoned run did not finish
        r["avg_seconds"] = round(float(r["avg_seconds"]), 2) if r["avg_seconds"] is not None else None
    return rows


def proposal_stats(conn: Connection, p: PeriodParams, w: Window, cap: int, now: datetime | None = None) -> Rows:
    """Proposals created in the window by action type and status, with mean minutes from creation to decision."""
    sql = """
        SELECT action_type, status, count(*) AS proposals,
               avg(extract(epoch FROM decided_at - created_at)) FILTER (WHERE decided_at IS NOT NULL) / 60.0
                   AS avg_minutes_to_decision
        FROM action_proposals
        WHERE created_at >= :start AND created_at < :end
        GROUP BY 1, 2 ORDER BY 1, 2
    """
    rows = _rows(conn, sql, {"start": w.start, "end": w.end}, cap)
    for r in rows:
        m = r["avg_minutes_to_decision"]
        r["avg_minutes_to_decision"] = round(float(m), 1) if m is not None else None
    return rows
