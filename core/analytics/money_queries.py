"""The whitelisted money queries of SPEC §17 (profit and loss, receivables): fixed SQL, bound values, cents.

They sit beside queries.py, which holds the rest of the whitelist's SQL, only to keep each module short.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from core.analytics.params import PnLParams, ReceivablesParams, Window
from core.money.figures import net_profit_cents

Rows = list[dict[str, Any]]

# Each spend category is its own P&L column; revenue going out (refunds, disputes) is not spend but less
# collected. Every column sums the ledger_money view's, the one definition of "collected" and "spend".

PROFIT_AND_LOSS = text("""
    SELECT date_trunc(:grain, occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket,
           coalesce(sum(payment_cents), 0) AS payments_cents, coalesce(sum(refund_cents), 0) AS refunds_cents,
           coalesce(sum(spend_cents) FILTER (WHERE category = 'llm'), 0) AS llm_cost_cents,
           coalesce(sum(spend_cents) FILTER (WHERE category = 'software'), 0) AS software_cents,
           coalesce(sum(spend_cents) FILTER (WHERE category = 'payroll'), 0) AS payroll_cents,
           coalesce(sum(spend_cents) FILTER (WHERE category = 'fees'), 0) AS fees_cents,
           coalesce(sum(spend_cents) FILTER (WHERE category = 'other'), 0) AS other_cents,
           coalesce(sum(collected_cents), 0) AS collected_cents, coalesce(sum(spend_cents), 0) AS spend_cents
    FROM ledger_money WHERE occurred_at >= :start AND occurred_at < :end
    GROUP BY 1 ORDER BY 1
""")

RECEIVABLES = text("""
    SELECT c.id AS customer_id, c.company AS customer,
           count(*) FILTER (WHERE i.status = 'sent') AS sent_invoices,
           coalesce(sum(i.amount_cents) FILTER (WHERE i.status = 'sent'), 0) AS owed_cents,
           max(floor(extract(epoch FROM (:now - i.sent_at)) / 86400)::int) FILTER (WHERE i.status = 'sent')
               AS oldest_sent_days,
           count(*) FILTER (WHERE i.status = 'draft') AS draft_invoices,
           coalesce(sum(i.amount_cents) FILTER (WHERE i.status = 'draft'), 0) AS draft_cents,
           count(*) OVER () AS _of,
           sum(coalesce(sum(i.amount_cents) FILTER (WHERE i.status = 'sent'), 0)) OVER () AS _total_owed_cents,
           sum(coalesce(sum(i.amount_cents) FILTER (WHERE i.status = 'draft'), 0)) OVER () AS _total_draft_cents
    FROM invoices i JOIN customers c ON c.id = i.customer_id
    WHERE i.status IN ('draft', 'sent')
    GROUP BY c.id, c.company
    ORDER BY owed_cents DESC, draft_cents DESC, c.company
    LIMIT :limit
""")


def profit_and_loss(conn: Connection, p: PnLParams, w: Window, cap: int, now: datetime | None = None) -> Rows:
    """Per bucket, from the ledger: payments, refunds, collected (payments − refunds), LLM cost, other spend by
    category, all spend, and net profit (collected − all spend)."""
    rows = [dict(r) for r in conn.execute(PROFIT_AND_LOSS, {"grain": p.grain, "start": w.start, "end": w.end})
            .mappings().fetchmany(cap)]
    out = []
    for r in rows:
        r = {k: (v if k == "bucket" else int(v)) for k, v in r.items()}
        collected, spend = r.pop("collected_cents"), r.pop("spend_cents")  # the ledger_money view's definitions
        out.append({"bucket": r.pop("bucket"), "collected_cents": collected, **r,
                    "spend_cents": spend, "net_profit_cents": net_profit_cents(collected, spend)})
    return out


def receivables(conn: Connection, p: ReceivablesParams, w: Window, cap: int, now: datetime | None = None) -> Rows:
    """Who owes us: per customer, sent unpaid invoices, the amount and the oldest one's age in days; drafts (not
    sent, so not yet owed) apart."""
    rows = conn.execute(RECEIVABLES, {"now": now or datetime.now(UTC), "limit": min(p.limit, cap)}).mappings()
    keys = ("sent_invoices", "owed_cents", "draft_invoices", "draft_cents", "_of", "_total_owed_cents",
            "_total_draft_cents")
    return [{**r, **{k: int(r[k]) for k in keys}} for r in rows]
