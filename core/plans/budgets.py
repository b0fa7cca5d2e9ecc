"""Budgets that know the margin (SPEC §13): monthly LLM caps per customer and per worker, the per-task cost
ceiling `ops.max_cost_share_pct`, their 80 % / 100 % warnings and the projected month-end spend.

`llm_call_allowed` is the one check, called before every LLM call of a task (each workflow step in
core.ops.runner, the Ops prompt's one step included): a Stop means the call is not made, so no cap is ever
crossed after the money is spent.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from core.approvals.acting import check
from core.approvals.proposals import draft_proposal
from core.audit import Actor, record_audit
from core.config.settings import Settings
from core.config.store import DAILY_BUDGET_KEY, MAX_COST_SHARE_KEY, max_cost_share_pct_from, validate_cents
from core.errors import NotFound
from core.money.cents import dollars
from core.plans import sql
from core.plans.entitlements import month_key

PLANS_ACTOR = Actor.agent("plans")
WARNING_LEVELS = (80, 100)
# Every budget stop's reason starts so (tasks.last_error), which is how a raised cap finds the tasks it parked.
BUDGET_PREFIX = "budget: "
# The settings task_budget_facts reads besides the task: its share_key and budget_key arguments.
BUDGET_FACT_KEYS = {"share_key": MAX_COST_SHARE_KEY, "budget_key": DAILY_BUDGET_KEY}


@dataclass(frozen=True)
class Stop:
    """Why a task's next LLM call is not made: `review` sends the task to needs_review; `wait` parks it
    (pending) until `resume_at`, the start of next month, or until the cap is raised."""

    kind: str  # cost_share | customer_budget | worker_budget
    action: str  # review | wait
    reason: str
    resume_at: datetime | None = None


@dataclass(frozen=True)
class BudgetFacts:
    """What every ceiling needs about a task: the columns of the SQL function task_budget_facts (migration
    `budget_facts_fn`), read by budget_facts or carried back by a statement that calls it (a claim, a recorded
    step), so the check before a call makes no read of its own."""

    id: int
    reward_cents: int
    cost_cents: int
    customer_id: int
    agent: str | None
    company: str
    stored_cost_share: Any
    stored_daily_budget: Any
    customer_cap: int | None
    worker_cap: int | None
    customer_spent: int
    worker_spent: int

    @classmethod
    def from_mapping(cls, m: Mapping[str, Any]) -> BudgetFacts:
        """From a result row's mapping or the function's row as JSON (extra keys are ignored)."""
        return cls(**{f.name: m[f.name] for f in fields(cls)})


@dataclass(frozen=True)
class BudgetLine:
    """One monthly cap that is set: whose, the cap, spend this month, projected month-end spend, % used."""

    scope: str  # customer | worker
    key: str
    name: str
    cap_cents: int
    spent_cents: int
    projected_cents: int

    @property
    def used_pct(self) -> int:
        return 100 if self.cap_cents == 0 else self.spent_cents * 100 // self.cap_cents


def next_month_start(now: datetime | None = None) -> datetime:
    """00:00 UTC on the first day of next month."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return (now.replace(day=1, hour=0, minute=0, second=0, microsecond=0) + timedelta(days=32)).replace(day=1)


def projected_month_end(spent_cents: int, now: datetime | None = None) -> int:
    """Month-end spend if the month goes on as it went so far (a straight line; at least one day elapsed)."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    days = calendar.monthrange(now.year, now.month)[1]
    elapsed = max((now - now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)).total_seconds() / 86400, 1.0)
    return int(spent_cents * days / elapsed)


def budget_facts(session: Session, task_id: int) -> BudgetFacts:
    """One read of what every ceiling needs about a task: its reward and cost, its customer's and worker's caps
    and month spend, and the stored cost-share and daily-budget settings. NotFound for an unknown task."""
    t = session.execute(sql.TASK_BUDGET_FACTS, {"task_id": task_id, **BUDGET_FACT_KEYS}).mappings().one_or_none()
    if t is None:
        raise NotFound(f"task {task_id} not found")
    return BudgetFacts.from_mapping(t)


def llm_call_allowed(session: Session, settings: Settings, task_id: int, worst_case_cents: int, *,
                     facts: BudgetFacts | None = None) -> Stop | None:
    """None when the task's next LLM call, costing at most `worst_case_cents`, fits every ceiling; else the Stop.

    Checked in order: the task's cost share of its reward (ops.max_cost_share_pct), its customer's monthly
    cap, its worker's monthly cap. Reads only (one round trip, none with `facts`: this runs before every LLM
    call); the caller acts on the Stop. NotFound for an unknown task.
    """
    t = facts if facts is not None else budget_facts(session, task_id)
    worst = max(int(worst_case_cents), 0)
    pct = max_cost_share_pct_from(t.stored_cost_share, settings)
    if pct is not None:
        ceiling = int(t.reward_cents) * pct // 100
        if int(t.cost_cents) + worst > ceiling:
            return Stop("cost_share", "review", (
                f"{BUDGET_PREFIX}the next LLM call may cost up to {dollars(worst)}, taking task {task_id} to "
                f"{dollars(int(t.cost_cents) + worst)}, over {pct}% of its {dollars(int(t.reward_cents))} reward "
                f"({dollars(ceiling)})"))
    resume = next_month_start()
    if t.customer_cap is not None and int(t.customer_spent) + worst > int(t.customer_cap):
        return Stop("customer_budget", "wait", (
            f"{BUDGET_PREFIX}{t.company}'s monthly LLM cap of {dollars(t.customer_cap)} would be crossed "
            f"({dollars(t.customer_spent)} spent, next call up to {dollars(worst)}); waits for next month or a higher cap"),
            resume)
    if t.worker_cap is not None and int(t.worker_spent) + worst > int(t.worker_cap):
        return Stop("worker_budget", "wait", (
            f"{BUDGET_PREFIX}worker {t.agent}'s monthly LLM cap of {dollars(t.worker_cap)} would be crossed "
            f"({dollars(t.worker_spent)} spent, next call up to {dollars(worst)}); waits for next month or a higher cap"),
            resume)
    return None


def budget_lines(session: Session, now: datetime | None = None) -> tuple[BudgetLine, ...]:
    """Every monthly cap that is set, with spend this month and the projected month-end spend."""
    return tuple(BudgetLine(r.scope, r.key, r.name, int(r.cap), int(r.spent), projected_month_end(int(r.spent), now))
                 for r in session.execute(sql.CAPPED_SPEND))


def warn_budgets(session: Session, now: datetime | None = None) -> tuple[int, ...]:
    """Draft one `review` proposal per cap, level (80 %, 100 %) and month that spend has reached; the new ids.

    Commits (the plans tick calls it); a level already warned this month is found by its dedupe key.
    """
    month = month_key(now)
    drafted: list[int] = []
    for line in budget_lines(session, now):
        for level in WARNING_LEVELS:
            if line.spent_cents * 100 < line.cap_cents * level:
                continue
            whose = line.name if line.scope == "worker" else f"customer {line.name}"
            pid, created = draft_proposal(
                session, PLANS_ACTOR, vertical="ops", action_type="review",
                urgency="high" if level >= 100 else "medium",
                title=f"LLM budget {level}% used: {whose} ({month})",
                reasoning=(f"{whose} has spent {dollars(line.spent_cents)} of its {dollars(line.cap_cents)} monthly "
                           f"LLM cap ({line.used_pct}%); projected month-end spend {dollars(line.projected_cents)}. "
                           + ("New LLM calls that would cross the cap wait for next month or a higher cap."
                              if level >= 100 else "Raise the cap on the Customers page if this is expected.")),
                payload={"scope": line.scope, "key": line.key, "level_pct": level, "month": month,
                         "cap_cents": line.cap_cents, "spent_cents": line.spent_cents,
                         "projected_cents": line.projected_cents},
                dedupe_key=f"budget:{line.scope}:{line.key}:{level}:{month}",
            )
            if created:
                drafted.append(pid)
    session.commit()
    return tuple(drafted)


def set_customer_budget(session: Session, customer_id: int, cents: int | None, actor: Actor) -> None:
    """Set (None: clear) the customer's monthly LLM cap, audited; tasks it parked are due again. No commit."""
    check(session, actor, "change_plan")
    cents = validate_cents(cents, field="Monthly LLM budget")
    old = session.execute(sql.LOCK_CUSTOMER_BUDGET, {"customer_id": customer_id}).one_or_none()
    if old is None:
        raise NotFound(f"customer {customer_id} not found")
    if old.monthly_budget_cents == cents:
        return
    session.execute(sql.SET_CUSTOMER_BUDGET, {"customer_id": customer_id, "cents": cents})
    record_audit(session, actor, "customer", customer_id, None, None,
                 {"monthly_budget_cents": {"from": old.monthly_budget_cents, "to": cents}})
    session.execute(sql.WAKE_PARKED_TASKS, {"customer_id": customer_id})
