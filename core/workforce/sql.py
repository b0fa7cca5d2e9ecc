"""The workforce package's SQL, each statement named; values only as bound parameters."""

from __future__ import annotations

from sqlalchemy import text

# The active worker of a role with the fewest open (pending or running) tasks, ties by name: who takes over a
# fired worker's pending tasks.
LEAST_LOADED_PEER = text("""
    SELECT a.name FROM agents a
    WHERE a.kind = 'worker' AND a.role = :role AND a.name <> :name AND a.enabled AND a.fired_at IS NULL
    ORDER BY (SELECT count(*) FROM tasks t WHERE t.agent = a.name AND t.status IN ('pending', 'running')), a.name
    LIMIT 1
""")

# A worker's pending tasks move to another worker; the ids come back for their audit rows.
HAND_OVER_PENDING = text("""
    UPDATE tasks SET agent = :to_agent WHERE agent = :from_agent AND status = 'pending' RETURNING id
""")

PENDING_COUNT = text("SELECT count(*) FROM tasks WHERE agent = :agent AND status = 'pending'")

# A task and its customer: what its delivery and its sheet row are drafted from; `today` is the transaction's
# UTC day, on which a completion in the same transaction falls.
DONE_TASK_FACTS = text("""
    SELECT t.id, t.agent, t.description, t.result_summary, t.customer_id, t.cost_cents, t.reward_cents,
        t.completed_at, t.status, c.company, c.contact_email, c.delivery, c.sheet_id,
        (now() AT TIME ZONE 'UTC')::date AS today
    FROM tasks t JOIN customers c ON c.id = t.customer_id
    WHERE t.id = :task_id
""")

# A claimed run's completion (core.workforce.finish): to `done` or `needs_review` under the claim's guard (id,
# worker, attempt, running), so a reclaimed task's stale worker is a no-op: completed once. With :step_id, the
# last step's final LLM call is recorded on its row in the same statement (record_step_call), so the Ops prompt's
# one step costs no round trip of its own. Profit comes in as a parameter (its one formula is Python's). The
# ledger books only what was spent since the task's last booking (a revision's steps), keyed by revision and
# attempt so a repeat books nothing twice.
COMPLETE_RUN = text("""
    WITH prior AS (SELECT cost_cents AS booked FROM tasks WHERE id = :id),
    done AS (
        UPDATE tasks SET status = :to_status, result_summary = :summary, model = :model, mode = :mode,
            input_tokens = :input_tokens, output_tokens = :output_tokens, cost_cents = :cost,
            profit_cents = :profit, completed_at = CASE WHEN CAST(:to_status AS text) = 'done' THEN now() END,
            lease_expires_at = NULL, last_error = NULL
        WHERE id = :id AND claimed_by = :worker AND attempts = :attempt AND status = 'running'
        RETURNING id, profit_cents),
    recorded AS (
        SELECT record_step_call(:step_id, :prompt, :response, :step_model, :step_input_tokens, :step_output_tokens,
                                :step_cost, :latency_ms, 'done', :artifact, NULL) AS id
        FROM done WHERE CAST(:step_id AS bigint) IS NOT NULL),
    ledger AS (
        INSERT INTO ledger_entries (direction, amount_cents, counterparty, category, source, ref, description)
        SELECT 'out', :cost - prior.booked, 'OpenAI', 'llm', 'llm_usage', :ref, :description FROM done, prior
        WHERE :cost - prior.booked > 0
        ON CONFLICT (source, ref) DO NOTHING),
    audit AS (
        INSERT INTO audit_log (actor_type, actor_id, entity, entity_id, from_status, to_status, metadata)
        SELECT 'agent', 'ops', 'task', id::text, 'running', CAST(:to_status AS text),
            jsonb_strip_nulls(jsonb_build_object('worker', CAST(:worker AS text), 'attempt', CAST(:attempt AS int),
            'mode', CAST(:mode AS text), 'cost_cents', CAST(:cost AS bigint), 'profit_cents', profit_cents,
            'steps', CAST(:steps AS int), 'revision', CAST(:revision AS int)))
        FROM done)
    SELECT profit_cents, (SELECT count(*) FROM recorded) AS recorded FROM done
""")

# The status a worker had when it was last fired: the from_status of its newest `fire` audit row.
STATUS_BEFORE_FIRING = text("""
    SELECT from_status FROM audit_log
    WHERE entity = 'agent' AND entity_id = :name AND to_status = 'fired'
    ORDER BY id DESC LIMIT 1
""")

# An undone firing (core.workforce.undo): the tasks its firing handed over (audited since :since) that are still
# pending with the worker they went to come back; the ids and who had them return for their audit rows.
HAND_BACK_PENDING = text("""
    UPDATE tasks t SET agent = :name
    FROM audit_log l
    WHERE l.entity = 'task' AND l.entity_id = t.id::text AND l.ts >= :since
      AND l.metadata ->> 'action' = 'reassign' AND l.metadata ->> 'from_agent' = :name
      AND t.agent = l.metadata ->> 'to_agent' AND t.status = 'pending'
    RETURNING t.id, l.metadata ->> 'to_agent' AS heir
""")

# The workers fired inside the undo window, newest first: the console offers Undo for each.
RECENTLY_FIRED = text("""
    SELECT name FROM agents WHERE kind = 'worker' AND fired_at > now() - make_interval(secs => :window_s)
    ORDER BY fired_at DESC, name
""")
