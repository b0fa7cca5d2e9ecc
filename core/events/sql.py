"""The events package's SQL, each statement named; values only as bound parameters."""

from __future__ import annotations

from sqlalchemy import text

CLAIM_RECEIVED = text(
    "SELECT id, source, type, occurred_at, payload, status, attempts FROM events "
    "WHERE status = 'received' ORDER BY received_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
)
# processed_at is the time of the last attempt; the wait doubles with each attempt.
CLAIM_RETRY = text(
    "SELECT id, source, type, occurred_at, payload, status, attempts FROM events "
    "WHERE status = 'failed' AND attempts < :max_attempts "
    "AND processed_at <= now() - make_interval(secs => :base * power(2, GREATEST(attempts - 1, 0))) "
    "AND (CAST(:retry_before AS timestamptz) IS NULL OR processed_at < :retry_before) "
    "ORDER BY processed_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
)

# Counts at most :cap matching events: a page needs to know whether more follow, not to count a million rows
# (51 ms on 1M events) on every load.
COUNT_EVENTS = text(
    "SELECT count(*) FROM (SELECT 1 FROM events e "
    "WHERE (CAST(:status AS text) IS NULL OR e.status = :status) AND (CAST(:type AS text) IS NULL OR e.type = :type) "
    "LIMIT :cap) matched"
)
LIST_EVENTS = text(
    "SELECT e.id, e.source, e.type, e.status, e.occurred_at, e.received_at, e.attempts, e.error, "
    "CAST(EXTRACT(EPOCH FROM now() - e.received_at) AS bigint) AS age_seconds, "
    "COALESCE((SELECT array_agg(DISTINCT x ORDER BY x) FROM ("
    "  SELECT p.id AS x FROM action_proposals p WHERE p.event_id = e.id"
    "  UNION SELECT CAST(jsonb_array_elements_text(g.state -> 'proposals') AS bigint) FROM graph_steps g"
    "  WHERE g.event_id = e.id AND g.node = 'draft_proposal' AND g.status = 'succeeded'"
    ") s), '{}') AS proposal_ids FROM events e "
    "WHERE (CAST(:status AS text) IS NULL OR e.status = :status) AND (CAST(:type AS text) IS NULL OR e.type = :type) "
    "ORDER BY e.id DESC LIMIT :limit OFFSET :offset"
)

# The same conditions as the two claims: a failed event waiting out its backoff is not due yet.
EVENTS_DUE = text(
    "SELECT EXISTS (SELECT 1 FROM events WHERE status = 'received') "
    "OR EXISTS (SELECT 1 FROM events WHERE status = 'failed' AND attempts < :max_attempts "
    "AND processed_at <= now() - make_interval(secs => :base * power(2, GREATEST(attempts - 1, 0))))"
)

SAVE_STEP = text(
    "INSERT INTO graph_steps (event_id, graph, node, state, status, error) "
    "VALUES (:event_id, :graph, :node, CAST(:state AS jsonb), :status, :error) "
    "ON CONFLICT (event_id, graph, node) DO UPDATE "
    "SET state = EXCLUDED.state, status = EXCLUDED.status, error = EXCLUDED.error"
)

SUCCEEDED_STEPS = text("SELECT node, state FROM graph_steps WHERE event_id = :e AND graph = :g AND status = 'succeeded'")

# A new row NOTIFYs hoss_events by trigger (migration wakeup_notify), at commit.
STORE_EVENT = text(
    "INSERT INTO events (source, type, occurred_at, payload, dedupe_key) "
    "VALUES ('stripe', :type, :occurred_at, CAST(:payload AS jsonb), :key) "
    "ON CONFLICT (source, dedupe_key) DO NOTHING RETURNING id"
)

# The operator's replay: forget the checkpoints of the chosen nodes, so the next run starts there again.
CLEAR_STEPS = text(
    "DELETE FROM graph_steps WHERE event_id = :e AND graph = :g AND node = ANY(CAST(:nodes AS text[]))"
)

EVENT_ERROR = text("SELECT error FROM events WHERE id = :e")

# The Money graph (core.events.money_graph, money_rules): Stripe's failures and payments, and its proposals.

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

# The group-commit form of STORE_EVENT: one statement for a whole batch (core.events.ingest_writer), its events as
# one JSON array (one parameter to send, not four arrays to encode), stored in the array's order; a repeat (in the
# table or earlier in the batch) inserts nothing and returns no row. It runs on a psycopg connection of its own, so
# its placeholder is psycopg's (still a bound parameter, never formatted in).
STORE_EVENTS = (
    "INSERT INTO events (source, type, occurred_at, payload, dedupe_key) "
    "SELECT 'stripe', b.e ->> 'type', to_timestamp(CAST(b.e ->> 'created' AS bigint)), b.e, b.e ->> 'id' "
    "FROM jsonb_array_elements(CAST(%(events)s AS jsonb)) WITH ORDINALITY AS b(e, n) ORDER BY b.n "
    "ON CONFLICT (source, dedupe_key) DO NOTHING RETURNING id, dedupe_key"
)
