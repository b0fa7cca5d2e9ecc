"""The console package's SQL, each statement named and written out; values only as bound parameters.

The Failures page: both statements read the same three kinds of failure — failed tasks, failed events, failed
and `unknown` executions — with the same filters: `kinds` (text[]), `error` (an ILIKE pattern or NULL) and the
time of the last attempt in [`since`, `until`) (either NULL for open). `at` is the time of the last attempt: a
task's last claim, an event's last processing, an execution's finish (or start, for an unknown outcome). The
page and its count each filter inside every branch, so each branch reads its own partial index on (`at`, id)
(migration page_read_indexes) and never the rest of its table.

The operations read model (`GET /metrics`): figures by status, read at scrape time.
"""

from __future__ import annotations

from sqlalchemy import text

# One page, newest first. Each branch reads at most `offset + limit` rows of its kind in the page's order, from
# its partial index on (at, id) (`ix_tasks_failed_at`, `ix_events_failed_at`, `ix_executions_failed_at`), so a
# page costs the same with 20 failures or 20 million; the outer query merges the branches and cuts the page.
LIST_FAILURES = text(r"""
    SELECT kind, id, status, what, error, at, attempts, step, source FROM (
        (SELECT 'task' AS kind, t.id, t.status, c.company || ': ' || left(t.description, 200) AS what,
            t.last_error AS error, coalesce(t.started_at, t.created_at) AS at, t.attempts,
            NULL::text AS step, NULL::text AS source
        FROM tasks t JOIN customers c ON c.id = t.customer_id
        WHERE t.status = 'failed' AND 'task' = ANY(CAST(:kinds AS text[]))
          AND (CAST(:error AS text) IS NULL OR t.last_error ILIKE :error ESCAPE '\')
          AND (CAST(:since AS timestamptz) IS NULL OR coalesce(t.started_at, t.created_at) >= :since)
          AND (CAST(:until AS timestamptz) IS NULL OR coalesce(t.started_at, t.created_at) < :until)
        ORDER BY coalesce(t.started_at, t.created_at) DESC, t.id DESC
        LIMIT :limit + :offset)
        UNION ALL
        (SELECT 'event', e.id, e.status, e.type, e.error, coalesce(e.processed_at, e.received_at), e.attempts,
            (SELECT g.node FROM graph_steps g WHERE g.event_id = e.id AND g.status = 'failed'
             ORDER BY g.id DESC LIMIT 1), e.source
        FROM events e
        WHERE e.status = 'failed' AND 'event' = ANY(CAST(:kinds AS text[]))
          AND (CAST(:error AS text) IS NULL OR e.error ILIKE :error ESCAPE '\')
          AND (CAST(:since AS timestamptz) IS NULL OR coalesce(e.processed_at, e.received_at) >= :since)
          AND (CAST(:until AS timestamptz) IS NULL OR coalesce(e.processed_at, e.received_at) < :until)
        ORDER BY coalesce(e.processed_at, e.received_at) DESC, e.id DESC
        LIMIT :limit + :offset)
        UNION ALL
        (SELECT 'execution', x.id, x.status, p.action_type || ': ' || p.title, x.error,
            coalesce(x.finished_at, x.started_at, x.created_at), x.attempt, NULL::text, p.action_type
        FROM executions x JOIN action_proposals p ON p.id = x.proposal_id
        WHERE x.status IN ('failed', 'unknown') AND 'execution' = ANY(CAST(:kinds AS text[]))
          AND (CAST(:error AS text) IS NULL OR x.error ILIKE :error ESCAPE '\')
          AND (CAST(:since AS timestamptz) IS NULL OR coalesce(x.finished_at, x.started_at, x.created_at) >= :since)
          AND (CAST(:until AS timestamptz) IS NULL OR coalesce(x.finished_at, x.started_at, x.created_at) < :until)
        ORDER BY coalesce(x.finished_at, x.started_at, x.created_at) DESC, x.id DESC
        LIMIT :limit + :offset)
    ) f
    ORDER BY at DESC, kind, id DESC
    LIMIT :limit OFFSET :offset
""")

# How many rows the same filter matches: with no error text, each count reads only its partial index.
COUNT_FAILURES = text(r"""
    SELECT
      (SELECT count(*) FROM tasks t
       WHERE t.status = 'failed' AND 'task' = ANY(CAST(:kinds AS text[]))
         AND (CAST(:error AS text) IS NULL OR t.last_error ILIKE :error ESCAPE '\')
         AND (CAST(:since AS timestamptz) IS NULL OR coalesce(t.started_at, t.created_at) >= :since)
         AND (CAST(:until AS timestamptz) IS NULL OR coalesce(t.started_at, t.created_at) < :until))
    + (SELECT count(*) FROM events e
       WHERE e.status = 'failed' AND 'event' = ANY(CAST(:kinds AS text[]))
         AND (CAST(:error AS text) IS NULL OR e.error ILIKE :error ESCAPE '\')
         AND (CAST(:since AS timestamptz) IS NULL OR coalesce(e.processed_at, e.received_at) >= :since)
         AND (CAST(:until AS timestamptz) IS NULL OR coalesce(e.processed_at, e.received_at) < :until))
    + (SELECT count(*) FROM executions x
       WHERE x.status IN ('failed', 'unknown') AND 'execution' = ANY(CAST(:kinds AS text[]))
         AND (CAST(:error AS text) IS NULL OR x.error ILIKE :error ESCAPE '\')
         AND (CAST(:since AS timestamptz) IS NULL OR coalesce(x.finished_at, x.started_at, x.created_at) >= :since)
         AND (CAST(:until AS timestamptz) IS NULL OR coalesce(x.finished_at, x.started_at, x.created_at) < :until))
""")

# The keys the filter matches after (`after_kind`, `after_id`), in key order: the bulk retry walks them in
# batches, so rows it retried (gone from the filter) and rows it skipped (still there) never shift a page.
MATCHING_FAILURES = text(r"""
    SELECT kind, id FROM (
        SELECT 'task' AS kind, t.id, t.last_error AS error, coalesce(t.started_at, t.created_at) AS at
        FROM tasks t WHERE t.status = 'failed'
        UNION ALL
        SELECT 'event', e.id, e.error, coalesce(e.processed_at, e.received_at)
        FROM events e WHERE e.status = 'failed'
        UNION ALL
        SELECT 'execution', x.id, x.error, coalesce(x.finished_at, x.started_at, x.created_at)
        FROM executions x WHERE x.status IN ('failed', 'unknown')
    ) f
    WHERE kind = ANY(CAST(:kinds AS text[]))
      AND (CAST(:error AS text) IS NULL OR error ILIKE :error ESCAPE '\')
      AND (CAST(:since AS timestamptz) IS NULL OR at >= :since)
      AND (CAST(:until AS timestamptz) IS NULL OR at < :until)
      AND (kind, id) > (CAST(:after_kind AS text), CAST(:after_id AS bigint))
    ORDER BY kind, id
    LIMIT :batch
""")

# Which graph an event runs is decided by its (source, type): core.agents.events.GRAPHS.
EVENT_ROUTE = text("SELECT source, type FROM events WHERE id = :e")

# Events by source and status in one pass: the queue (received, failed) and what the webhook accepted.
EVENTS_BY_SOURCE_STATUS = text("SELECT source, status, count(*) AS n FROM events GROUP BY source, status")

# Executions by the proposal's action type and the execution's status: the queue and the outcomes.
EXECUTIONS_BY_TYPE_STATUS = text(
    "SELECT p.action_type, e.status, count(*) AS n FROM executions e "
    "JOIN action_proposals p ON p.id = e.proposal_id GROUP BY p.action_type, e.status"
)

# Proposals by status, and who decided the decided ones: a policy, the system (expiry) or an operator.
PROPOSALS_BY_STATUS_DECIDER = text(
    "SELECT status, decided_at IS NOT NULL AS decided, "
    "CASE WHEN decided_at IS NULL THEN '' "
    "     WHEN decided_by LIKE 'policy:%' THEN 'policy' "
    "     WHEN decided_by LIKE 'system:%' OR decided_by LIKE 'agent:%' THEN 'system' "
    "     ELSE 'operator' END AS decider, "
    "count(*) AS n FROM action_proposals GROUP BY 1, 2, 3"
)

# LLM usage of finished tasks from the rollup the control room reads (kept exact by triggers on tasks).
LLM_USAGE_BY_MODEL = text(
    "SELECT model, coalesce(sum(input_tokens), 0) AS input_tokens, coalesce(sum(output_tokens), 0) AS output_tokens, "
    "coalesce(sum(cost_cents), 0) AS cost_cents FROM canvas_task_done_daily GROUP BY model"
)

# Agent runs by agent and status, with finished runs put in duration buckets, in one pass over agent_runs.
# `k` counts the bucket bounds at or above a run's duration (width_bucket over the negated, ascending bounds
# counts the bounds b with -b <= -d, i.e. b >= d), so a run falls in bucket `le = b_i` exactly when d <= b_i,
# as Prometheus' inclusive `le` wants. Unfinished runs have k NULL.
AGENT_RUNS_BY_STATUS_BUCKET = text(
    "SELECT agent, status, k, count(*) AS n, coalesce(sum(d), 0) AS seconds FROM ("
    "  SELECT agent, status, CAST(extract(epoch FROM finished_at - started_at) AS double precision) AS d, "
    "         CASE WHEN finished_at IS NULL THEN NULL ELSE width_bucket("
    "           -CAST(extract(epoch FROM finished_at - started_at) AS double precision), "
    "           CAST(:negated_bounds AS double precision[])) END AS k "
    "  FROM agent_runs) r "
    "GROUP BY agent, status, k"
)

# The control room's money at a glance (SPEC §17): per UTC day of [start, end), earned and LLM cost from the
# done-task rollup, collected and spend from the ledger_money view (core.console.glance adds net profit through
# core.money.figures).
MONEY_BY_DAY = text("""
    WITH days AS (
        SELECT generate_series(CAST(:start AS date), CAST(:end AS date) - 1, interval '1 day')::date AS day
    ), work AS (
        SELECT day, sum(reward_cents) AS earned, sum(cost_cents) AS llm_cost FROM canvas_task_done_daily
        WHERE day >= CAST(:start AS date) AND day < CAST(:end AS date) GROUP BY day
    ), money AS (
        SELECT (occurred_at AT TIME ZONE 'UTC')::date AS day,
               sum(collected_cents) AS collected, sum(spend_cents) AS spend
        FROM ledger_money WHERE occurred_at >= :start AND occurred_at < :end GROUP BY 1
    )
    SELECT d.day, coalesce(w.earned, 0) AS earned, coalesce(m.collected, 0) AS collected,
           coalesce(w.llm_cost, 0) AS llm_cost, coalesce(m.spend, 0) AS spend
    FROM days d LEFT JOIN work w ON w.day = d.day LEFT JOIN money m ON m.day = d.day
    ORDER BY d.day
""")

# Leads by how far they got (the funnel), and tasks by status (the queue).
LEADS_BY_STATUS = text("SELECT status, count(*) AS n FROM leads GROUP BY status")

# The Customers page's detail view (SPEC §13): one customer's latest tasks and invoices.
CUSTOMER_TASKS = text("""
    SELECT id, description, status, agent, reward_cents, cost_cents, held_reason, last_error, created_at, completed_at
    FROM tasks WHERE customer_id = :customer_id ORDER BY id DESC LIMIT :limit
""")
CUSTOMER_INVOICES = text("""
    SELECT id, amount_cents, status, checkout_url IS NOT NULL AS link_created, created_at, sent_at, paid_at
    FROM invoices WHERE customer_id = :customer_id ORDER BY id DESC LIMIT :limit
""")
CUSTOMER_HEAD = text("""
    SELECT id, company, contact_email, plan, status, stripe_customer_id, subscription_status, plan_changed_at,
           monthly_budget_cents
    FROM customers WHERE id = :customer_id
""")
