"""The operations read model behind `GET /metrics`: every figure read from Postgres at the moment it is asked for.

Reading the database (not counting in the process) means every replica's /metrics says the same thing and
nothing resets when a process restarts. One read-only transaction with a statement timeout; the task counts
and the LLM totals come from the same sources as the control room's headline, so the two always agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from core.agents.registry import AGENT_NAMES
from core.analytics.runner import enter_read_only
from core.approvals.executors import ADAPTERS
from core.console import sql
from core.console.control_room import headline_metrics
from core.errors import QueryTimeout
from db.statuses import EVENT_STATUSES, EXECUTION_STATUSES, PROPOSAL_STATUSES, RUN_STATUSES

# Upper bounds (seconds) of the agent-run duration histogram: a poll, an LLM call, a pool drain, a long batch.
RUN_DURATION_BUCKETS: tuple[float, ...] = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
DECISION_OUTCOMES = ("approved", "rejected", "expired")
_QUERY_CANCELED = "57014"


@dataclass(frozen=True)
class Histogram:
    """Cumulative counts per upper bound (`buckets[i]` runs took at most RUN_DURATION_BUCKETS[i]), total and sum."""

    buckets: tuple[int, ...]
    count: int
    sum_seconds: float


@dataclass(frozen=True)
class OpsFigures:
    """What /metrics shows. Keys are label values; every known status is present, zero when there are none."""

    tasks: dict[str, int]                                   # status → tasks
    events: dict[str, int]                                  # status → events
    webhooks_accepted: dict[str, int]                       # source → events stored (each distinct event once)
    executions: dict[tuple[str, str], int]                  # (action type, status) → executions
    proposals: dict[str, int]                               # status → proposals
    decisions: dict[tuple[str, str], int]                   # (outcome, decider) → decided proposals
    llm_tokens: dict[tuple[str, str], int]                  # (model, input|output) → tokens of finished tasks
    llm_cost_cents: dict[str, int]                          # model → cost of finished tasks, cents
    agent_runs: dict[tuple[str, str], int]                  # (agent, status) → runs
    run_durations: dict[tuple[str, str], Histogram] = field(default_factory=dict)  # (agent, status) → finished


def read_ops_figures(engine: Engine, timeout_ms: int) -> OpsFigures:
    """Every figure of /metrics in one READ ONLY transaction; QueryTimeout when the database cancels it."""
    try:
        with engine.connect() as conn, conn.begin() as tx:
            enter_read_only(conn, timeout_ms)
            with Session(bind=conn) as session:
                figures = _read(session)
            tx.rollback()  # a read-only transaction has nothing to keep
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == _QUERY_CANCELED:
            raise QueryTimeout(f"the metrics queries took longer than {timeout_ms} ms and were stopped") from None
        raise
    return figures


def _read(session: Session) -> OpsFigures:
    tasks = dict(headline_metrics(session).tasks_by_status)

    events = dict.fromkeys(EVENT_STATUSES, 0)
    accepted: dict[str, int] = defaultdict(int, {"stripe": 0})  # the one webhook, shown at 0 before its first event
    for r in session.execute(sql.EVENTS_BY_SOURCE_STATUS):
        events[r.status] = events.get(r.status, 0) + r.n
        accepted[r.source] += r.n

    executions = {(t, s): 0 for t in ADAPTERS for s in EXECUTION_STATUSES}
    for r in session.execute(sql.EXECUTIONS_BY_TYPE_STATUS):
        executions[(r.action_type, r.status)] = r.n

    proposals = dict.fromkeys(PROPOSAL_STATUSES, 0)
    decisions = {(o, d): 0 for o in DECISION_OUTCOMES for d in ("operator", "policy", "system")}
    for r in session.execute(sql.PROPOSALS_BY_STATUS_DECIDER):
        proposals[r.status] = proposals.get(r.status, 0) + r.n
        if r.decided:  # rejected and expired say so; every other decided status was approved first
            outcome = r.status if r.status in ("rejected", "expired") else "approved"
            decisions[(outcome, r.decider)] = decisions.get((outcome, r.decider), 0) + r.n

    tokens: dict[tuple[str, str], int] = {}
    cost: dict[str, int] = {}
    for r in session.execute(sql.LLM_USAGE_BY_MODEL):
        model = r.model or "unknown"
        tokens[(model, "input")] = tokens.get((model, "input"), 0) + int(r.input_tokens)
        tokens[(model, "output")] = tokens.get((model, "output"), 0) + int(r.output_tokens)
        cost[model] = cost.get(model, 0) + int(r.cost_cents)

    runs, durations = _agent_runs(session)
    return OpsFigures(tasks=tasks, events=events, webhooks_accepted=dict(accepted), executions=executions,
                      proposals=proposals, decisions=decisions, llm_tokens=tokens, llm_cost_cents=cost,
                      agent_runs=runs, run_durations=durations)


def _agent_runs(session: Session) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], Histogram]]:
    bounds = RUN_DURATION_BUCKETS
    runs = {(a, s): 0 for a in AGENT_NAMES for s in RUN_STATUSES}
    # (agent, status) → per k (the number of bounds at or above the duration): runs and seconds
    finished: dict[tuple[str, str], dict[int, tuple[int, float]]] = defaultdict(dict)
    rows = session.execute(sql.AGENT_RUNS_BY_STATUS_BUCKET, {"negated_bounds": sorted(-float(b) for b in bounds)})
    for r in rows:
        key = (r.agent, r.status)
        runs[key] = runs.get(key, 0) + r.n
        if r.k is not None:
            finished[key][int(r.k)] = (r.n, float(r.seconds))
    n = len(bounds)
    durations = {}
    for key, by_k in finished.items():
        # A run is within bound i (0-based) exactly when at least n - i bounds are at or above its duration.
        cumulative = tuple(sum(c for k, (c, _) in by_k.items() if k >= n - i) for i in range(n))
        durations[key] = Histogram(cumulative, sum(c for c, _ in by_k.values()), sum(s for _, s in by_k.values()))
    return runs, durations
