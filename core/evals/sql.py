"""The evals' SQL, each statement named; values only as bound parameters."""

from __future__ import annotations

from sqlalchemy import text

START_RUN = text("""
    INSERT INTO eval_runs (role, agent, version, mode, model, judge, gate, started_by)
    VALUES (:role, :agent, :version, :mode, :model, :judge, :gate, :started_by)
    RETURNING id
""")

ADD_RESULT = text("""
    INSERT INTO eval_results (run_id, case_id, passed, failures, judge_score, judge_note, cost_cents, input_tokens,
        output_tokens, deliverable)
    VALUES (:run_id, :case_id, :passed, CAST(:failures AS jsonb), :judge_score, :judge_note, :cost_cents,
        :input_tokens, :output_tokens, :deliverable)
""")

FINISH_RUN = text("""
    UPDATE eval_runs SET cases = :cases, passed = :passed, cost_cents = :cost_cents, stopped = :stopped,
        finished_at = now()
    WHERE id = :id
""")

# Each worker's newest finished eval runs (up to :per_worker): its last eval and its recent performance, what the
# Workforce page shows beside its revision rate.
RECENT_BY_WORKER = text("""
    SELECT agent, id, version, cases, passed, cost_cents, mode, judge, finished_at FROM (
        SELECT r.*, row_number() OVER (PARTITION BY agent ORDER BY id DESC) AS n
        FROM eval_runs r WHERE agent IS NOT NULL AND finished_at IS NOT NULL AND cases > 0) recent
    WHERE n <= :per_worker
    ORDER BY agent, id DESC
""")

# A worker's newest finished eval run of one version.
LAST_RUN_OF_VERSION = text("""
    SELECT id, version, cases, passed, cost_cents, mode, judge, finished_at
    FROM eval_runs WHERE agent = :agent AND version = :version AND finished_at IS NOT NULL AND cases > 0
    ORDER BY id DESC LIMIT 1
""")

# A worker's recent eval runs, newest first: its recent performance.
RECENT_RUNS = text("""
    SELECT id, version, cases, passed, cost_cents, mode, judge, finished_at
    FROM eval_runs WHERE agent = :agent AND finished_at IS NOT NULL AND cases > 0
    ORDER BY id DESC LIMIT :limit
""")

# The work a version did once used: each done task counts for the version its first step ran, and the review
# words are core.workforce.views' (a revision: went back at least once; as is: approved from review at revision 0).
VERSION_WORK = text("""
    WITH work AS (
        SELECT t.id, t.revision, t.status,
            (SELECT s.version FROM task_steps s WHERE s.task_id = t.id ORDER BY s.id LIMIT 1) AS version,
            EXISTS (SELECT 1 FROM audit_log l WHERE l.entity = 'task' AND l.entity_id = t.id::text
                    AND l.from_status = 'needs_review' AND l.to_status = 'done') AS reviewed
        FROM tasks t WHERE t.agent = :agent AND t.status = 'done')
    SELECT version, count(*) AS done, count(*) FILTER (WHERE revision > 0) AS revised,
        count(*) FILTER (WHERE reviewed) AS reviewed, count(*) FILTER (WHERE reviewed AND revision = 0) AS as_is
    FROM work WHERE version IS NOT NULL GROUP BY version
""")
