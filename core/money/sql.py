"""SQL of the ledger's money: what a Stripe event books, and the window totals of the ledger_money view; each
statement named, values only as bound parameters."""

from __future__ import annotations

from sqlalchemy import text

OUR_INVOICE = text(
    "SELECT i.id, i.status, c.company, c.contact_email FROM invoices i "
    "JOIN customers c ON c.id = i.customer_id WHERE i.id = :id"
)

REFUNDED_SO_FAR = text(
    "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entries WHERE source = 'stripe' "
    "AND direction = 'out' AND ref LIKE :prefix"
)

# A payment seen again (another event type of the same payment intent) links our invoice if it was not known.
LINK_PAYMENT_TO_INVOICE = text(
    "UPDATE ledger_entries SET invoice_id = :invoice_id, counterparty = :counterparty "
    "WHERE source = 'stripe' AND ref = :ref AND direction = 'in' AND invoice_id IS NULL"
)

# The booked payment of a payment intent (or charge): its invoice and counterparty, for refunds and disputes.
PAYMENT_OF = text(
    "SELECT invoice_id, counterparty FROM ledger_entries WHERE source = 'stripe' AND direction = 'in' "
    "AND ref = ANY(:refs) ORDER BY id LIMIT 1"
)

# Collected and spend over [start, end): the sums of the ledger_money view's two columns, the one SQL definition
# of each (migration ledger_money_view, widened by ledger_money_columns). core.money.figures.ledger_totals runs it.
LEDGER_TOTALS = text(
    "SELECT COALESCE(SUM(collected_cents), 0) AS collected_cents, COALESCE(SUM(spend_cents), 0) AS spend_cents "
    "FROM ledger_money WHERE occurred_at >= :start AND occurred_at < :end"
)
