"""The daily LLM budget: today's spend, whether it is exhausted, and the one stop-and-propose flow.

The budget's value is an operator setting (core.config.store owns its key, reader and writer); this module
owns what it means: when spend reaches it, Ops stops making LLM calls and the inbox gets one proposal a day
to raise it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from core.approvals.proposals import draft_proposal
from core.audit import Actor
from core.config.settings import Settings
from core.config.store import daily_budget_cents_from, get_daily_budget_cents
from core.money.cents import dollars
from core.ops import sql
from core.plans.budgets import BudgetFacts, Stop, budget_facts, llm_call_allowed

OPS_ACTOR = Actor.agent("ops")


@dataclass(frozen=True)
class BudgetStop:
    """Ops stopped for the day: what was spent, the budget, and the proposal that asks to raise it."""

    spent_cents: int
    budget_cents: int
    proposal_id: int
    created: bool

    @property
    def line(self) -> str:
        """The one line the run history and the log show."""
        return (f"daily LLM budget reached ({self.spent_cents} of {self.budget_cents} cents today); no new LLM "
                f"calls; proposal {self.proposal_id}{' drafted' if self.created else ' already in the inbox'}")


@dataclass(frozen=True)
class PoolState:
    """What the control room shows about the Ops queue today (UTC)."""

    pending: int
    running: int
    failed: int
    done_today: int
    spend_today_cents: int
    budget_cents: int | None
    budget_exhausted: bool


def spend_today_cents(session: Session) -> int:
    """LLM spend today (UTC), in cents: tasks completed today, today's steps of workflows not done yet, and today's
    golden-set eval cases."""
    return (int(session.execute(sql.SPEND_TODAY).scalar_one()) + int(session.execute(sql.STEP_SPEND_TODAY).scalar_one())
            + int(session.execute(sql.EVAL_SPEND_TODAY).scalar_one()))


@dataclass(frozen=True)
class LLMCall:
    """The LLM call about to be made: whose task, which worker and step (None on the Ops prompt path)."""

    task_id: int
    customer_id: int
    agent: str | None = None
    step: str | None = None
    worst_case_cents: int = 0  # the prompt and the whole output allowance at the model's price


def before_llm_call(session: Session, settings: Settings, call: LLMCall,
                    facts: BudgetFacts | None = None) -> Stop | None:
    """The one check before every Ops LLM call (each workflow step, the single prompt): None to go ahead, or why not.

    The daily LLM budget first, then the margin-aware budgets of core.plans.budgets (the cost share of the
    task's reward at the call's worst case, the customer's and the worker's monthly caps). `facts`: the task's
    budget facts when the statement just before read them (the claim, a workflow's previous recorded call), else
    read here.
    Read-only; leaves no transaction open.
    """
    try:
        if facts is None:
            facts = budget_facts(session, call.task_id)  # the settings come with the task's facts: one round trip
        if _budget_reached(session, settings, daily_budget_cents_from(facts.stored_daily_budget, settings)):
            return Stop("daily_budget", "wait", "daily LLM budget reached")
        return llm_call_allowed(session, settings, call.task_id, call.worst_case_cents, facts=facts)
    finally:
        session.rollback()


def _exhausted(settings: Settings, budget: int | None, spent: int) -> bool:
    # Mock mode spends nothing real, so no budget ever stops it.
    return settings.llm_mode == "openai" and budget is not None and spent >= budget


def budget_exhausted(session: Session, settings: Settings) -> bool:
    """Whether today's LLM spend reached the daily budget (never in mock mode or with no budget)."""
    if settings.llm_mode != "openai":
        return False
    return _budget_reached(session, settings, get_daily_budget_cents(session, settings))


def _budget_reached(session: Session, settings: Settings, budget: int | None) -> bool:
    if budget is None or settings.llm_mode != "openai":  # no budget: nothing to add up (runs before every call)
        return False
    return _exhausted(settings, budget, spend_today_cents(session))


def stop_for_budget(session: Session, settings: Settings) -> BudgetStop | None:
    """None while under budget; else draft the day's one `budget_increase` proposal, commit, and say so."""
    if settings.llm_mode != "openai":
        return None
    spent, budget = spend_today_cents(session), get_daily_budget_cents(session, settings)
    if budget is None or not _exhausted(settings, budget, spent):
        return None
    day = datetime.now(timezone.utc).date().isoformat()
    proposal_id, created = draft_proposal(
        session, OPS_ACTOR, vertical="ops", action_type="budget_increase", urgency="high",
        title=f"Ops paused: daily LLM budget of {dollars(budget)} spent ({day})",
        reasoning=(f"Today's LLM spend is {spent} cents against a daily budget of {budget} cents. The Ops pool "
                   "stopped claiming tasks; approve a higher budget to resume today, or tasks wait until tomorrow."),
        payload={"date": day, "current_budget_cents": budget, "spent_today_cents": spent,
                 "proposed_budget_cents": max(budget * 2, budget + 100)},
        dedupe_key=f"ops:budget:{day}",
    )
    session.commit()
    return BudgetStop(spent, budget, proposal_id, created)


def pool_state(session: Session, settings: Settings) -> PoolState:
    """Queue counts, today's spend and whether the daily budget stops new LLM calls."""
    pending, running, failed, done_today = session.execute(sql.QUEUE_COUNTS).one()
    spent = spend_today_cents(session)
    budget = get_daily_budget_cents(session, settings)
    session.rollback()  # read-only; do not leave a transaction open behind a page
    return PoolState(pending, running, failed, done_today, spent, budget, _exhausted(settings, budget, spent))
