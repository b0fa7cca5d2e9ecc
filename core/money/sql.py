"""The Money graph's SQL, each statement named; values only as bound parameters."""

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

PAYMENT_FAILURES = text(
    "SELECT id, payload FROM events WHERE source = 'stripe' AND type = 'invoice.payment_failed' "
    "AND payload #>> '{data,object,id}' = :sid ORDER BY occurred_at, dedupe_key"
)

INVOICE_PAID_SEEN = text(
    "SELECT EXISTS (SELECT 1 FROM events WHERE source = 'stripe' AND type = 'invoice.paid' "
    "AND payload #>> '{data,object,id}' = :sid)"
)

LOCK_PROPOSAL = text(
    "SELECT status, title, reasoning, payload, urgency, event_id FROM action_proposals "
    "WHERE id = :id FOR UPDATE"
)

REWORD_PROPOSAL = text(
    "UPDATE action_proposals SET title = :title, reasoning = :reasoning, "
    "payload = CAST(:payload AS jsonb), urgency = :urgency, event_id = :event_id WHERE id = :id"
)

PENDING_DUNNING_FOR_PAYMENT = text(
    "SELECT p.id FROM action_proposals p LEFT JOIN events e ON e.id = p.event_id "
    "WHERE p.status = 'pending' AND p.dedupe_key LIKE :prefix "
    "AND (p.dedupe_key = :key OR e.payload #>> '{data,object,metadata,invoice_id}' = :ours) "
    "ORDER BY p.id FOR UPDATE OF p"
)

LOCK_EVENT_GRAPH = text("SELECT pg_advisory_xact_lock(7105, hashtext(:k))")
