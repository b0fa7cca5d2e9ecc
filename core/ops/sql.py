"""Every SQL statement of the Ops machinery, each written out in full and named; values only as bound parameters.

The statements that change a task also write its audit row (and, on completion, the ledger entry) in one
data-modifying CTE: one round trip, atomic on its own, so a slot's pinned connection can run them in
autocommit. Their audit columns are `record_audit`'s, and every (from, to) pair they write is one that
core.transitions.ALLOWED['task'] allows (tests/ops/test_task_moves.py checks the rows they leave).
"""

from __future__ import annotations

from sqlalchemy import text

# Lapsed leases first (their worker died), then the oldest claimable pending task. Each branch walks its
# partial index (ix_tasks_lease / ix_tasks_claimable), locks one row and skips rows other claimers hold.
# The branches sit in sub-selects because FOR UPDATE is not allowed directly under UNION.
CLAIM_NEXT = text("""
    WITH candidate AS (
        SELECT id, kind, prev_worker FROM (
            SELECT id, 'reclaim' AS kind, claimed_by AS prev_worker FROM tasks
            WHERE status = 'running' AND lease_expires_at < now()
            ORDER BY lease_expires_at LIMIT 1 FOR UPDATE SKIP LOCKED) expired
        UNION ALL
        SELECT id, kind, prev_worker FROM (
            SELECT id, 'claim' AS kind, NULL::text AS prev_worker FROM tasks
            WHERE status = 'pending' AND run_after <= now()
            ORDER BY run_after, id LIMIT 1 FOR UPDATE SKIP LOCKED) pending
        LIMIT 1),
    claimed AS (
        UPDATE tasks t SET status = 'running', claimed_by = :worker, attempts = t.attempts + 1,
            lease_expires_at = now() + make_interval(secs => :lease), started_at = now()
        FROM candidate, customers c
        WHERE t.id = candidate.id AND c.id = t.customer_id
        RETURNING t.id, t.customer_id, t.description, t.reward_cents, t.attempts,
            candidate.kind, candidate.prev_worker, c.company, c.plan, c.notes),
    audit AS (
        INSERT INTO audit_log (actor_type, actor_id, entity, entity_id, from_status, to_status, metadata)
        SELECT 'agent', 'ops', 'task', id::text, CASE WHEN kind = 'reclaim' THEN 'running' ELSE 'pending' END,
            'running', jsonb_strip_nulls(jsonb_build_object('worker', CAST(:worker AS text), 'attempt', attempts,
            'reclaimed_from', prev_worker))
        FROM claimed)
    SELECT * FROM claimed
""")

# One named task: only itself, pending-and-due or with a lapsed lease (the same two branches, by id).
CLAIM_ONE = text("""
    WITH candidate AS (
        SELECT id, kind, prev_worker FROM (
            SELECT id, 'reclaim' AS kind, claimed_by AS prev_worker FROM tasks
            WHERE id = :task_id AND status = 'running' AND lease_expires_at < now()
            FOR UPDATE SKIP LOCKED) expired
        UNION ALL
        SELECT id, kind, prev_worker FROM (
            SELECT id, 'claim' AS kind, NULL::text AS prev_worker FROM tasks
            WHERE id = :task_id AND status = 'pending' AND run_after <= now()
            FOR UPDATE SKIP LOCKED) pending
        LIMIT 1),
    claimed AS (
        UPDATE tasks t SET status = 'running', claimed_by = :worker, attempts = t.attempts + 1,
            lease_expires_at = now() + make_interval(secs => :lease), started_at = now()
        FROM candidate, customers c
        WHERE t.id = candidate.id AND c.id = t.customer_id
        RETURNING t.id, t.customer_id, t.description, t.reward_cents, t.attempts,
            candidate.kind, candidate.prev_worker, c.company, c.plan, c.notes),
    audit AS (
        INSERT INTO audit_log (actor_type, actor_id, entity, entity_id, from_status, to_status, metadata)
        SELECT 'agent', 'ops', 'task', id::text, CASE WHEN kind = 'reclaim' THEN 'running' ELSE 'pending' END,
            'running', jsonb_strip_nulls(jsonb_build_object('worker', CAST(:worker AS text), 'attempt', attempts,
            'reclaimed_from', prev_worker))
        FROM claimed)
    SELECT * FROM claimed
""")

RENEW_LEASES = text("""
    UPDATE tasks SET lease_expires_at = now() + make_interval(secs => :lease)
    WHERE id = ANY(:ids) AND claimed_by = ANY(:workers) AND status = 'running'
""")

# The guard (id, worker, attempt, running) makes a reclaimed task's stale worker a no-op: completed once.
# Profit comes in as a parameter: core.llm.pricing.profit_cents is its one formula.
COMPLETE = text("""
    WITH done AS (
        UPDATE tasks SET status = 'done', result_summary = :summary, model = :model, mode = :mode,
            input_tokens = :input_tokens, output_tokens = :output_tokens, cost_cents = :cost,
            profit_cents = :profit, completed_at = now(), lease_expires_at = NULL, last_error = NULL
        WHERE id = :id AND claimed_by = :worker AND attempts = :attempt AND status = 'running'
        RETURNING id, profit_cents),
    ledger AS (
        INSERT INTO ledger_entries (direction, amount_cents, counterparty, category, source, ref, description)
        SELECT 'out', :cost, 'OpenAI', 'llm', 'llm_usage', :ref, :description FROM done WHERE :cost > 0
        ON CONFLICT (source, ref) DO NOTHING),
    audit AS (
        INSERT INTO audit_log (actor_type, actor_id, entity, entity_id, from_status, to_status, metadata)
        SELECT 'agent', 'ops', 'task', id::text, 'running', 'done',
            jsonb_strip_nulls(jsonb_build_object('worker', CAST(:worker AS text), 'attempt', CAST(:attempt AS int),
            'mode', CAST(:mode AS text), 'cost_cents', CAST(:cost AS bigint), 'profit_cents', profit_cents))
        FROM done)
    SELECT profit_cents FROM done
""")

# Back to pending after a delay (a retry, a transient error, a shutdown release) or to failed (the last try).
REQUEUE = text("""
    WITH moved AS (
        UPDATE tasks SET status = :to_status, attempts = attempts - :give_back, last_error = :error,
            run_after = now() + make_interval(secs => :delay), claimed_by = NULL, lease_expires_at = NULL
        WHERE id = :id AND claimed_by = :worker AND attempts = :attempt AND status = 'running'
        RETURNING id, status),
    audit AS (
        INSERT INTO audit_log (actor_type, actor_id, entity, entity_id, from_status, to_status, metadata)
        SELECT 'agent', 'ops', 'task', id::text, 'running', status,
            jsonb_strip_nulls(jsonb_build_object('worker', CAST(:worker AS text), 'attempt', CAST(:attempt AS int),
            'reason', CAST(:reason AS text), 'error', left(CAST(:error AS text), 500),
            'retry_in_seconds', CAST(:retry_in AS float8), 'attempt_given_back', CAST(:give_back AS int) = 1))
        FROM moved)
    SELECT status FROM moved
""")

# From the daily rollup the canvas keeps exact by triggers on tasks: one small row per customer and model
# instead of today's task rows. Mock tasks cost nothing, so the sum is the real LLM spend.
SPEND_TODAY = text("""
    SELECT coalesce(sum(cost_cents), 0) FROM canvas_task_done_daily
    WHERE day = (now() AT TIME ZONE 'UTC')::date
""")

QUEUE_COUNTS = text("""
    SELECT (SELECT count(*) FROM tasks WHERE status = 'pending'),
           (SELECT count(*) FROM tasks WHERE status = 'running'),
           (SELECT count(*) FROM tasks WHERE status = 'failed'),
           (SELECT coalesce(sum(tasks), 0) FROM canvas_task_done_daily
              WHERE day = (now() AT TIME ZONE 'UTC')::date)
""")

# Whether a task is claimable now: pending and due, or running with a lapsed lease (its worker died).
WORK_DUE = text("""
    SELECT EXISTS (SELECT 1 FROM tasks WHERE status = 'pending' AND run_after <= now())
        OR EXISTS (SELECT 1 FROM tasks WHERE status = 'running' AND lease_expires_at < now())
""")

# Seconds until the next pending task falls due or the next lease lapses (<= 0: now); NULL when neither exists.
SECONDS_UNTIL_WORK = text("""
    SELECT extract(epoch FROM LEAST(
        (SELECT min(run_after) FROM tasks WHERE status = 'pending'),
        (SELECT min(lease_expires_at) FROM tasks WHERE status = 'running')) - now())
""")

# A budget stop before the LLM call (core.plans.budgets): the task goes to review with the reason; the attempt
# that made no call is given back.
TO_REVIEW = text("""
    WITH moved AS (
        UPDATE tasks SET status = 'needs_review', attempts = attempts - 1, last_error = :reason,
            claimed_by = NULL, lease_expires_at = NULL
        WHERE id = :id AND claimed_by = :worker AND attempts = :attempt AND status = 'running'
        RETURNING id, status),
    audit AS (
        INSERT INTO audit_log (actor_type, actor_id, entity, entity_id, from_status, to_status, metadata)
        SELECT 'agent', 'ops', 'task', id::text, 'running', 'needs_review',
            jsonb_build_object('worker', CAST(:worker AS text), 'reason', left(CAST(:reason AS text), 500))
        FROM moved)
    SELECT status FROM moved
""")
