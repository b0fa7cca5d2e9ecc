"""Every SQL statement of the Ops machinery, each named and made of constant text; values only as bound parameters.

The statements that change a task also write its audit row in one data-modifying CTE: one round trip, atomic
on its own, so a slot's pinned connection can run them in autocommit. Their audit columns are `record_audit`'s,
and every (from, to) pair they write is one that core.transitions.ALLOWED['task'] allows
(tests/ops/test_task_moves.py checks the rows they leave). A run's completion is core.workforce.sql's.
"""

from __future__ import annotations

from sqlalchemy import text

# A pending task is claimable when it has no worker (the Ops prompt) or its worker is on duty now: the SQL
# function worker_on_duty (migration `overnight_hours` holds the one statement of the rule) checks active, not
# fired, and the local time in its IANA zone inside [start, end) on one of its days (a night shift's end is on
# the next day). worker_on_duty is inlined, so a task without a worker costs no call (migration `on_duty_inline`).

# Lapsed leases first (their worker died), then the oldest claimable pending task; with :task_id, only that task
# (the same two branches). Each branch walks its partial index (ix_tasks_lease / ix_tasks_claimable), locks one
# row and skips rows other claimers hold; a named task's branch stops at its id.
# The branches sit in sub-selects because FOR UPDATE is not allowed directly under UNION. The claim also
# carries the task's done (live) steps, [[idx, artifact], ...]: what a resumed workflow skips and passes on;
# what all its step rows spent so far, [cost, input tokens, output tokens], to which the run adds its calls (a
# task's cost is the sum of all its steps, every revision and try); and its budget facts (task_budget_facts, as JSON), which the check before its first LLM call reads. They are
# read in the main query, before the audit row (a CTE the main query does not read, so it runs last) takes the
# audit chain's lock. It carries the customer's newest active lessons too (core.memory, at most :lesson_limit,
# [[id, text], ...] newest first; a lesson for one worker only on that worker's tasks): what every step's prompt
# carries.
CLAIM = text("""
    WITH candidate AS (
        SELECT id, kind, prev_worker FROM (
            SELECT id, 'reclaim' AS kind, claimed_by AS prev_worker FROM tasks
            WHERE status = 'running' AND lease_expires_at < now()
                AND (CAST(:task_id AS bigint) IS NULL OR id = :task_id)
            ORDER BY lease_expires_at LIMIT 1 FOR UPDATE SKIP LOCKED) expired
        UNION ALL
        SELECT id, kind, prev_worker FROM (
            SELECT t.id, 'claim' AS kind, NULL::text AS prev_worker FROM tasks t
            WHERE t.status = 'pending' AND t.run_after <= now() AND worker_on_duty(t.agent)
                AND (CAST(:task_id AS bigint) IS NULL OR t.id = :task_id)
            ORDER BY t.run_after, t.id LIMIT 1 FOR UPDATE OF t SKIP LOCKED) pending
        LIMIT 1),
    claimed AS (
        UPDATE tasks t SET status = 'running', claimed_by = :worker, attempts = t.attempts + 1,
            lease_expires_at = now() + make_interval(secs => :lease), started_at = now()
        FROM candidate, customers c
        WHERE t.id = candidate.id AND c.id = t.customer_id
        RETURNING t.id, t.customer_id, t.description, t.reward_cents, t.attempts, t.agent, t.revision,
            t.review_note, candidate.kind, candidate.prev_worker, c.company, c.plan, c.notes, c.sheet_id),
    audit AS (
        INSERT INTO audit_log (actor_type, actor_id, entity, entity_id, from_status, to_status, metadata)
        SELECT 'agent', 'ops', 'task', id::text, CASE WHEN kind = 'reclaim' THEN 'running' ELSE 'pending' END,
            'running', jsonb_strip_nulls(jsonb_build_object('worker', CAST(:worker AS text), 'attempt', attempts,
            'reclaimed_from', prev_worker))
        FROM claimed)
    SELECT claimed.*, a.role, a.settings AS agent_settings, a.review_required,
        (SELECT coalesce(jsonb_agg(jsonb_build_array(s.idx, coalesce(s.artifact, '')) ORDER BY s.idx), '[]')
         FROM task_steps s WHERE s.task_id = claimed.id AND s.status = 'done') AS done_steps,
        (SELECT jsonb_build_array(coalesce(sum(s.cost_cents), 0), coalesce(sum(s.input_tokens), 0),
                                  coalesce(sum(s.output_tokens), 0))
         FROM task_steps s WHERE s.task_id = claimed.id) AS spent,
        (SELECT to_jsonb(f) FROM task_budget_facts(claimed.id, :share_key, :budget_key, 0) f) AS budget_facts,
        (SELECT coalesce(jsonb_agg(jsonb_build_array(l.id, l.text) ORDER BY l.id DESC), '[]')
         FROM (SELECT id, text FROM customer_lessons l
               WHERE l.customer_id = claimed.customer_id AND l.active AND (l.agent IS NULL OR l.agent = claimed.agent)
               ORDER BY l.id DESC LIMIT :lesson_limit) l) AS lessons
    FROM claimed LEFT JOIN agents a ON a.name = claimed.agent
""")

RENEW_LEASES = text("""
    UPDATE tasks SET lease_expires_at = now() + make_interval(secs => :lease)
    WHERE id = ANY(:ids) AND claimed_by = ANY(:workers) AND status = 'running'
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
    SELECT EXISTS (SELECT 1 FROM tasks t WHERE t.status = 'pending' AND t.run_after <= now() AND worker_on_duty(t.agent))
        OR EXISTS (SELECT 1 FROM tasks WHERE status = 'running' AND lease_expires_at < now())
""")

# Seconds until the next pending task falls due or the next lease lapses (<= 0: now); NULL when neither exists.
SECONDS_UNTIL_WORK = text("""
    SELECT extract(epoch FROM LEAST(
        (SELECT min(t.run_after) FROM tasks t WHERE t.status = 'pending' AND worker_on_duty(t.agent)),
        (SELECT min(lease_expires_at) FROM tasks WHERE status = 'running')) - now())
""")

# ---- Workflows (SPEC §12): a worker's task runs step by step, each step checkpointed in task_steps. ----

# Start (or restart) one step under the claim. A done step is never restarted (the WHERE of the upsert). NULL
# when the claim is no longer ours. It reads the claim rather than touching the task row: every claim holder
# runs a LeaseKeeper, and an UPDATE of tasks per step would fire the task triggers (rollups, wake-up) for nothing.
BEGIN_STEP = text("""
    WITH mine AS (
        SELECT id FROM tasks
        WHERE id = :task_id AND claimed_by = :worker AND attempts = :attempt AND status = 'running')
    INSERT INTO task_steps (task_id, idx, name, revision, status, started_at, version, lesson_ids)
    SELECT id, :idx, :name, :revision, 'running', now(), CAST(:version AS int), CAST(:lesson_ids AS bigint[])
    FROM mine
    ON CONFLICT (task_id, idx) WHERE status <> 'superseded'
    DO UPDATE SET status = 'running', started_at = now(), error = NULL, finished_at = NULL,
        version = excluded.version, lesson_ids = excluded.lesson_ids
        WHERE task_steps.status <> 'done'
    RETURNING id
""")

# Every step write carries the claim's guard (the task still running under this worker and attempt): a
# reclaimed task's stale worker writes nothing.
# One LLM call of a step (record_step_call, migration `record_step_call`, says how): its exact prompt and
# response, usage and cost added to the step's (all tries count), and the step's status after it (running while
# a JSON retry follows; done or failed at the end). The last step's final call is recorded by the run's completion
# instead (core.workforce.sql COMPLETE_RUN), in the same statement as the task's move. It
# comes back with the task's budget facts (core.plans.budgets), which the next step's check before its call
# reads instead of a round trip of its own; the last step, after which no check follows, asks for none.
RECORD_CALL = text("""
    WITH mine AS (
        SELECT 1 FROM tasks WHERE id = :task_id AND claimed_by = :worker AND attempts = :attempt AND status = 'running'),
    recorded AS (
        SELECT record_step_call(:step_id, :prompt, :response, :model, :input_tokens, :output_tokens, :cost,
                                :latency_ms, :status, :artifact, :error) AS id
        FROM mine)
    SELECT recorded.id AS step_id, f.*
    FROM recorded LEFT JOIN LATERAL (SELECT * FROM task_budget_facts(:task_id, :share_key, :budget_key, :cost)
                                     WHERE :with_facts) f ON true
    WHERE recorded.id IS NOT NULL
""")


# A step whose call never answered (timeout, 429, connection): failed with its error, nothing spent.
FAIL_STEP = text("""
    UPDATE task_steps SET status = 'failed', error = :error, finished_at = now()
    WHERE id = :step_id AND status = 'running' AND EXISTS (SELECT 1 FROM tasks WHERE id = :task_id AND claimed_by = :worker
        AND attempts = :attempt AND status = 'running')
""")

# Today's spend of golden-set eval cases (SPEC §20): no task carries it, and the daily budget counts it too.
EVAL_SPEND_TODAY = text("""
    SELECT coalesce(sum(cost_cents), 0) FROM eval_results
    WHERE created_at >= (now() AT TIME ZONE 'UTC')::date AT TIME ZONE 'UTC'
""")

# The spend of today's finished steps of tasks not done yet (needs_review, mid-workflow, failed): the daily
# rollup counts a task only once it is done, and a workflow spends long before that.
STEP_SPEND_TODAY = text("""
    SELECT coalesce(sum(s.cost_cents), 0) FROM task_steps s JOIN tasks t ON t.id = s.task_id
    WHERE s.finished_at >= (now() AT TIME ZONE 'UTC')::date AT TIME ZONE 'UTC' AND t.status <> 'done'
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
