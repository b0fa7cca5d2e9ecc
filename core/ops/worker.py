"""Running one claimed task: prompt, LLM call outside any transaction, outcome; and the lease heartbeat."""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from core.config.settings import Settings
from core.llm import pricing
from core.llm.ratelimit import RateLimiter, estimate_tokens, shared_limiter
from core.llm.tasks import LLMError, TransientLLMError, complete, task_client
from core.ops.budget import LLMCall, before_llm_call
from core.ops.claims import (
    Claim,
    Outcome,
    backoff_seconds,
    complete_claim,
    renew_leases,
    requeue_claim,
    review_claim,
)
from core.plans.budgets import Stop

log = logging.getLogger("hoss.agents.ops")

MOCK_NOTICE = "OPENAI_API_KEY not set, using mock summary."
MOCK_LABEL = "[MOCK RESULT: no LLM was called]"
# A 429 or timeout with no Retry-After waits this long before the task is claimable again.
TRANSIENT_DELAY_SECONDS = 5.0


def new_worker_id(prefix: str = "ops") -> str:
    """A worker identity unique to this process and call: host:pid:prefix-nonce."""
    return f"{socket.gethostname()}:{os.getpid()}:{prefix}-{uuid.uuid4().hex[:6]}"


def build_prompt(claim: Claim) -> str:
    """The task description plus the customer's company, plan and notes."""
    notes = claim.notes.strip() or "none"
    return (f"Task: {claim.description}\nCustomer: {claim.company} (plan: {claim.plan})\n"
            f"Customer notes: {notes}\nDeliver the result in at most 400 words.")


def mock_summary(claim: Claim) -> str:
    """A deterministic stand-in result, labelled so nobody mistakes it for real work."""
    digest = int(hashlib.sha256(f"{claim.task_id}:{claim.description}".encode()).hexdigest()[:8], 16)
    focus = ("mid-market accounts", "self-serve onboarding", "partner channels", "pricing clarity")[digest % 4]
    return (f"{MOCK_LABEL} {claim.description}. For {claim.company} ({claim.plan} plan): start with {focus}, "
            "list the three closest competitors, and confirm priorities with the customer. "
            "Set OPENAI_API_KEY for a real result.")


@dataclass(frozen=True)
class TaskReport:
    """What happened to one claimed task: `done`, `retry`, `failed`, `stale` (reclaimed elsewhere), `released`."""

    task_id: int
    status: str
    line: str
    cost_cents: int = 0
    profit_cents: int = 0
    level: int = logging.INFO
    stopped_by: str | None = None  # the budget Stop's kind when a budget kept the LLM call from being made


class TaskRunner:
    """Runs claimed tasks for one process: shared LLM client and limiter; every DB step its own transaction."""

    # A 429 or timeout with no Retry-After waits this long (the workflow path reads it here too).
    transient_delay = TRANSIENT_DELAY_SECONDS

    def __init__(self, settings: Settings, limiter: RateLimiter | None = None) -> None:
        self.settings = settings
        self.limiter = limiter or shared_limiter(settings.openai_rpm, settings.openai_tpm)
        self.client = task_client(settings) if settings.llm_mode == "openai" else None

    def run(self, session: Session, claim: Claim, should_stop: Callable[[], bool] = lambda: False) -> TaskReport:
        """Produce the task's result (no transaction open meanwhile) and record it under the claim's guard."""
        session.rollback()  # belt and braces: nothing may stay open across the LLM call
        if claim.agent is not None:  # a hired worker's task: its role's workflow, step by step (SPEC §12)
            from core.ops.workflow import run_workflow

            return run_workflow(self, session, claim, should_stop)
        if self.client is None:
            log.info(MOCK_NOTICE)
            outcome = Outcome(mock_summary(claim), "mock", "mock", 0, 0, pricing.MOCK_COST_CENTS)
        else:
            stop = self._budget_stop(session, claim)
            if stop is not None:
                return self.stopped(session, claim, stop)
            try:
                outcome = self._call_llm(claim, should_stop)
            except TransientLLMError as exc:
                delay = exc.retry_after if exc.retry_after is not None else TRANSIENT_DELAY_SECONDS
                self.limiter.pause(delay)
                return self.requeue(session, claim, str(exc), transient=True, delay=delay)
            except LLMError as exc:
                return self.requeue(session, claim, str(exc), transient=False)
            if outcome is None:
                return self.requeue(session, claim, "stopped before the LLM call", transient=True, delay=0.0)
        profit = complete_claim(session, claim, outcome)
        if profit is None:
            line = f"task {claim.task_id} was reclaimed by another worker; this result was discarded"
            return TaskReport(claim.task_id, "stale", line, level=logging.WARNING)
        line = (f"task {claim.task_id} done for {claim.company}: cost {outcome.cost_cents}¢, profit {profit}¢, "
                f"mode {outcome.mode}" + (f", {outcome.input_tokens}+{outcome.output_tokens} tokens"
                                          if outcome.mode == "openai" else ""))
        return TaskReport(claim.task_id, "done", line, outcome.cost_cents, profit)

    def _budget_stop(self, session: Session, claim: Claim) -> Stop | None:
        """The margin-aware budgets (core.plans.budgets) for this call's worst case: the whole output allowance
        and the prompt at the model's price."""
        prompt, max_tokens = build_prompt(claim), self.settings.ops_max_output_tokens
        worst = pricing.cost_cents(self.settings.openai_model, estimate_tokens(prompt, 0), max_tokens)
        return before_llm_call(session, self.settings, LLMCall(claim.task_id, claim.customer_id, worst_case_cents=worst),
                               claim.budget)

    def stopped(self, session: Session, claim: Claim, stop: Stop) -> TaskReport:
        """No LLM call: the task goes to review (cost share) or waits, pending, for its budget (a cap: next month;
        the daily budget: its proposal)."""
        if stop.action == "review":
            if not review_claim(session, claim, stop.reason):
                return TaskReport(claim.task_id, "stale", f"task {claim.task_id} was reclaimed by another worker",
                                  level=logging.WARNING)
            return TaskReport(claim.task_id, "needs_review", f"task {claim.task_id} to review before its LLM call: "
                              f"{stop.reason}", level=logging.WARNING, stopped_by=stop.kind)
        delay = 0.0 if stop.resume_at is None else max(
            (stop.resume_at - datetime.now(timezone.utc)).total_seconds(), 0.0)
        status = requeue_claim(session, claim, stop.reason, final=False, give_back=True, delay=delay, reason="budget")
        if status is None:
            return TaskReport(claim.task_id, "stale", f"task {claim.task_id} was reclaimed by another worker",
                              level=logging.WARNING)
        return TaskReport(claim.task_id, "waiting", f"task {claim.task_id} waits: {stop.reason}",
                          level=logging.WARNING, stopped_by=stop.kind)

    def _call_llm(self, claim: Claim, should_stop: Callable[[], bool]) -> Outcome | None:
        prompt = build_prompt(claim)
        max_tokens = self.settings.ops_max_output_tokens
        reservation = None
        if self.limiter.enabled:
            reservation = self.limiter.acquire(estimate_tokens(prompt, max_tokens), should_stop=should_stop)
            if reservation is None:
                return None
        assert self.client is not None
        reply = complete(self.client, model=self.settings.openai_model, prompt=prompt, max_tokens=max_tokens)
        if reservation is not None:
            used = None if reply.input_tokens is None else reply.input_tokens + (reply.output_tokens or 0)
            self.limiter.settle(reservation, used)
        cost = pricing.cost_cents(reply.model, reply.input_tokens, reply.output_tokens)
        return Outcome(reply.text, reply.model, "openai", reply.input_tokens or 0, reply.output_tokens or 0, cost)

    def requeue(self, session: Session, claim: Claim, error: str, *, transient: bool,
                delay: float | None = None, reason: str | None = None) -> TaskReport:
        """Back to pending (transient: attempt given back; else counted, failed after the last) or failed."""
        s = self.settings
        final = not transient and claim.attempt >= s.ops_max_attempts
        if delay is None:
            delay = backoff_seconds(claim.attempt, s.ops_backoff_base_seconds, s.ops_backoff_max_seconds)
        status = requeue_claim(session, claim, error, final=final, give_back=transient, delay=delay,
                               reason=reason or ("transient" if transient else "error"))
        if status is None:
            line = f"task {claim.task_id} was reclaimed by another worker; its error was discarded: {error}"
            return TaskReport(claim.task_id, "stale", line, level=logging.WARNING)
        if final:
            line = f"task {claim.task_id} failed after {claim.attempt} attempt(s) for {claim.company}: {error}"
            return TaskReport(claim.task_id, "failed", line, level=logging.ERROR)
        kind = "backing off (attempt not counted)" if transient else f"attempt {claim.attempt}/{s.ops_max_attempts}"
        line = f"task {claim.task_id} for {claim.company}: {error}; {kind}, retry in {delay:.1f}s"
        return TaskReport(claim.task_id, "retry", line, level=logging.WARNING)


class LeaseKeeper:
    """Renews the leases of every in-flight claim of this process every lease/3 seconds, from its own thread."""

    def __init__(self, sessions: Callable[[], Session], lease_seconds: float) -> None:
        self._sessions, self.lease_seconds = sessions, lease_seconds
        self._claims: dict[int, Claim] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> LeaseKeeper:
        self._thread = threading.Thread(target=self._loop, name="ops-lease-keeper", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def hold(self, claim: Claim) -> None:
        with self._lock:
            self._claims[claim.task_id] = claim

    def drop(self, claim: Claim) -> None:
        with self._lock:
            self._claims.pop(claim.task_id, None)

    def held(self) -> list[Claim]:
        """The claims in flight right now."""
        with self._lock:
            return list(self._claims.values())

    def _loop(self) -> None:
        interval = max(self.lease_seconds / 3, 0.05)
        while not self._stop.wait(interval):
            claims = self.held()
            if not claims:
                continue
            try:
                with self._sessions() as session:
                    renew_leases(session, claims, self.lease_seconds)
            except Exception as exc:  # a missed renewal is retried next tick; the lease has slack for it
                log.warning("lease renewal failed (%s); retrying in %.1fs", type(exc).__name__, interval)
