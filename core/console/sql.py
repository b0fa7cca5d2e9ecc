"""The console package's SQL for the operations read model (`GET /metrics`), each statement named; values bound."""

from __future__ import annotations

from sqlalchemy import text

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
