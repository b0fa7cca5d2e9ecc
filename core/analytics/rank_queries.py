"""The whitelisted ranking queries of issue 31: customers by profitability, workers by throughput and cost.

Fixed SQL, values only as bound parameters, money in integer cents. Each ranked query also returns, on every row,
how many rows the whole ranking has (`_of`) and the ranking's totals (`_total_*`), which the runner lifts off the
rows, so "top 10 of 16" and a total that counts the 6 not shown are exact.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from core.analytics.params import ProfitabilityParams, Window, WorkerParams
from core.errors import InvalidInput
from core.money.figures import gross_margin_cents

Rows = list[dict[str, Any]]

# Done tasks per customer from the daily rollup (earned = reward of done tasks; their LLM cost).
CUSTOMER_PROFITABILITY = text("""
    WITH per AS (
        SELECT d.customer_id, sum(d.tasks) AS tasks, sum(d.reward_cents) AS earned_cents,
               sum(d.cost_cents) AS llm_cost_cents
        FROM canvas_task_done_daily d
        WHERE d.day >= :start_day AND d.day < :end_day
        GROUP BY d.customer_id HAVING sum(d.tasks) <> 0
    )
    SELECT c.id AS customer_id, c.company AS customer, p.tasks, p.earned_cents, p.llm_cost_cents,
           count(*) OVER () AS _of, sum(p.earned_cents) OVER () AS _total_earned_cents,
           sum(p.llm_cost_cents) OVER () AS _total_llm_cost_cents
    FROM per p JOIN customers c ON c.id = p.customer_id
    ORDER BY CASE WHEN :least THEN p.earned_cents - p.llm_cost_cents END ASC,
             p.earned_cents - p.llm_cost_cents DESC, c.company
    LIMIT :limit
""")

KNOWN_WORKER = text("SELECT name FROM agents WHERE lower(name) = lower(:name) LIMIT 1")
WORKER_NAMES = text("SELECT name FROM agents WHERE kind = 'worker' ORDER BY name LIMIT :n")

# Per worker (tasks.agent; NULL is the Ops pool's single prompt): tasks finished in the window, tasks that failed
# (last attempted in the window), earned and LLM cost of the done ones.
WORKER_PERFORMANCE = text("""
    SELECT coalesce(t.agent, 'ops') AS worker,
           count(*) FILTER (WHERE t.status = 'done' AND t.completed_at >= :start AND t.completed_at < :end) AS done,
           count(*) FILTER (WHERE t.status = 'failed'
                            AND coalesce(t.started_at, t.created_at) >= :start
                            AND coalesce(t.started_at, t.created_at) < :end) AS failed,
           coalesce(sum(t.reward_cents) FILTER (WHERE t.status = 'done' AND t.completed_at >= :start
                                                AND t.completed_at < :end), 0) AS earned_cents,
           coalesce(sum(t.cost_cents) FILTER (WHERE t.status = 'done' AND t.completed_at >= :start
                                              AND t.completed_at < :end), 0) AS llm_cost_cents
    FROM tasks t
    WHERE (CAST(:worker AS text) IS NULL OR lower(t.agent) = lower(:worker))
      AND ((t.status = 'done' AND t.completed_at >= :start AND t.completed_at < :end)
           OR (t.status = 'failed' AND coalesce(t.started_at, t.created_at) >= :start
               AND coalesce(t.started_at, t.created_at) < :end))
    GROUP BY 1 ORDER BY done DESC, worker
    LIMIT :cap
""")


def customer_profitability(conn: Connection, p: ProfitabilityParams, w: Window, cap: int,
                           now: datetime | None = None) -> Rows:
    """Customers ranked by gross margin (earned − LLM cost of their done tasks), most or least profitable first."""
    rows = conn.execute(CUSTOMER_PROFITABILITY, {
        "start_day": w.start.date(), "end_day": w.end.date(), "least": p.order == "least",
        "limit": min(p.limit, cap),
    }).mappings().all()
    out = []
    for r in rows:
        earned, cost = int(r["earned_cents"]), int(r["llm_cost_cents"])
        margin = gross_margin_cents(earned, cost)
        out.append({
            "customer_id": r["customer_id"], "customer": r["customer"], "tasks": int(r["tasks"]),
            "earned_cents": earned, "llm_cost_cents": cost, "gross_margin_cents": margin,
            "margin_pct": round(100.0 * margin / earned, 1) if earned else None,
            "_of": int(r["_of"]), "_total_earned_cents": int(r["_total_earned_cents"]),
            "_total_llm_cost_cents": int(r["_total_llm_cost_cents"]),
            "_total_gross_margin_cents": gross_margin_cents(int(r["_total_earned_cents"]),
                                                            int(r["_total_llm_cost_cents"])),
        })
    return out


def worker_performance(conn: Connection, p: WorkerParams, w: Window, cap: int, now: datetime | None = None) -> Rows:
    """Per worker: tasks done and failed, failure rate, earned, LLM cost and gross margin; an unknown worker is
    refused with the names of those there are."""
    worker = None
    if p.worker is not None:
        worker = conn.execute(KNOWN_WORKER, {"name": p.worker}).scalar()
        if worker is None:
            names = conn.execute(WORKER_NAMES, {"n": 20}).scalars().all()
            known = f"the workers are {', '.join(names)}" if names else "no worker has been hired yet"
            raise InvalidInput(f"There is no worker named {p.worker[:64]}; {known}.")
    rows = conn.execute(WORKER_PERFORMANCE, {"start": w.start, "end": w.end, "worker": worker,
                                             "cap": cap}).mappings().all()
    out = []
    for r in rows:
        done, failed = int(r["done"]), int(r["failed"])
        earned, cost = int(r["earned_cents"]), int(r["llm_cost_cents"])
        out.append({"worker": r["worker"], "done": done, "failed": failed,
                    "failure_rate_pct": round(100.0 * failed / (done + failed), 1) if done + failed else None,
                    "earned_cents": earned, "llm_cost_cents": cost,
                    "gross_margin_cents": gross_margin_cents(earned, cost)})
    if worker is not None and not out:
        out.append({"worker": worker, "done": 0, "failed": 0, "failure_rate_pct": None, "earned_cents": 0,
                    "llm_cost_cents": 0, "gross_margin_cents": 0})
    return out
