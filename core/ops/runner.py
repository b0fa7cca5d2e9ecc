"""The one task runner (SPEC §12, §18): a claimed task's workflow, one LLM call per step, each step checkpointed.

This is the only module that prices a task's LLM call, acquires and settles the rate limiter, makes the call and
records it. The Ops prompt is a one-step workflow (core.ops.workflows), so every task takes the same path.
Resuming is reading: the claim carries the task's done steps (task_steps), so a task reclaimed after a crash,
retried after a failure or sent back by review starts at its first unfinished step and a done step is never
called again. Every write carries the claim's guard (worker, attempt); no transaction stays open across an LLM
call. The task is finished by core.workforce.finish, the one finisher.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from core.config.settings import Settings
from core.errors import InvalidInput
from core.llm import pricing
from core.llm.ratelimit import RateLimiter, estimate_tokens, shared_limiter
from core.llm.tasks import LLMError, TransientLLMError, complete, task_client
from core.money.figures import profit_cents
from core.ops import sql
from core.ops.budget import LLMCall, before_llm_call, budget_exhausted
from core.ops.claims import Claim, backoff_seconds, requeue_claim, review_claim
from core.ops.workflows import MOCK_NOTICE, Workflow, workflow_for
from core.plans.budgets import BUDGET_FACT_KEYS, BudgetFacts, Stop
from core.present.words import money, status_text
from core.tracing import spans
from core.workforce.finish import FinalCall, RunResult, StepCall, finish_task, has_follow_ups, submit_for_review
from core.workforce.prompts import ArtifactInvalid, check_artifact, response_format, retry_prompt
from core.workforce.template import Step
from db.engine import transaction_for

log = logging.getLogger("hoss.agents.ops")

# A 429 or timeout with no Retry-After waits this long before the task is claimable again.
TRANSIENT_DELAY_SECONDS = 5.0


@dataclass(frozen=True)
class TaskReport:
    """What happened to one claimed task: `done`, `needs_review`, `retry`, `waiting`, `failed` or `stale`."""

    task_id: int
    status: str
    line: str
    cost_cents: int = 0
    profit_cents: int = 0
    level: int = logging.INFO
    stopped_by: str | None = None  # the budget Stop's kind when a budget kept the LLM call from being made


@dataclass
class _Progress:
    """What this run has done: its recorded calls by step index (for the task's totals), and the last step's final
    call, which the run's completion records."""

    calls: list[tuple[int, StepCall]] = field(default_factory=list)
    final: FinalCall | None = None


@dataclass(frozen=True)
class UnpersistedRun:
    """A workflow run that is no task (a golden-set eval case): its artifacts by step, what its calls cost, and why
    it ended early (`error`: a step failed; `stopped`: the daily budget kept the next call from being made)."""

    artifacts: tuple[tuple[str, str], ...]
    mode: str
    model: str
    cost_cents: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    error: str | None = None
    stopped: str | None = None


class _Stale(Exception):
    """The claim is no longer ours (reclaimed elsewhere): stop without writing anything more."""


def _stale(claim: Claim, what: str = "this run stopped") -> TaskReport:
    return TaskReport(claim.task_id, "stale", f"task {claim.task_id} was reclaimed by another worker; {what}",
                      level=logging.WARNING)


class TaskRunner:
    """Runs claimed tasks for one process: shared LLM client and limiter; every DB step its own transaction."""

    def __init__(self, settings: Settings, limiter: RateLimiter | None = None) -> None:
        self.settings = settings
        self.limiter = limiter or shared_limiter(settings.openai_rpm, settings.openai_tpm)
        self.client = task_client(settings) if settings.llm_mode == "openai" else None

    def run(self, session: Session, claim: Claim, should_stop: Callable[[], bool] = lambda: False) -> TaskReport:
        """Run the claim's remaining steps, then finish the task (done or needs_review); a TaskReport either way."""
        with spans.workflow(claim.task_id, claim.agent, claim.attempt) as span:
            report = self._run(session, claim, should_stop)
            span.set_attribute("hoss.task.outcome", report.status)
            return report

    def _run(self, session: Session, claim: Claim, should_stop: Callable[[], bool]) -> TaskReport:
        session.rollback()  # belt and braces: nothing may stay open across an LLM call
        try:
            workflow = workflow_for(claim, self.settings.openai_model)
        except InvalidInput:
            return self.requeue(session, claim, f"worker {claim.agent} has unknown role {claim.role!r}",
                                transient=False)
        if self.client is None:
            log.info(MOCK_NOTICE)
        done = dict(claim.done_steps)
        previous: list[tuple[str, str]] = []
        progress = _Progress()
        facts = claim.budget  # the budget facts as of the claim, then as the last recorded call came back with them
        try:
            for idx, step in enumerate(workflow.steps):
                if idx in done:
                    previous.append((step.name, done[idx]))
                    continue
                if should_stop():
                    return self.requeue(session, claim, "stopped between steps", transient=True, delay=0.0)
                with spans.agent_step(claim.task_id, claim.agent, step.name, idx):
                    result = self._run_step(session, claim, workflow, idx, step, previous, facts, should_stop,
                                            progress)
                if isinstance(result, TaskReport):
                    return result
                artifact, facts = result
                previous.append((step.name, artifact))
        except _Stale:
            return _stale(claim)
        return self._finish(session, claim, workflow, previous, progress)

    def _run_step(self, session: Session, claim: Claim, workflow: Workflow, idx: int, step: Step,
                  previous: list[tuple[str, str]], facts: BudgetFacts | None, should_stop: Callable[[], bool],
                  progress: _Progress) -> tuple[str, BudgetFacts | None] | TaskReport:
        """One step: the budget check (on `facts` when given), the checkpoint row, the call and its one JSON retry,
        each recorded in `progress` (the last step's final call only there: the completion writes it). (artifact,
        the budget facts its record came back with: None after the last step), or the task's report."""
        s = self.settings
        prompt = workflow.prompt(step, previous)
        if self.client is not None:  # mock mode spends nothing real, so no budget stops it
            worst = pricing.cost_cents(workflow.model, estimate_tokens(workflow.system + prompt, 0),
                                       s.ops_max_output_tokens)
            stop = before_llm_call(session, s, LLMCall(claim.task_id, claim.customer_id, claim.agent, step.name,
                                                       worst), facts)
            if stop is not None:
                where = f" (before step {step.name})" if len(workflow.steps) > 1 else ""
                return self.stopped(session, claim, replace(stop, reason=stop.reason + where))
        step_id = session.execute(sql.BEGIN_STEP, {
            "task_id": claim.task_id, "worker": claim.worker, "attempt": claim.attempt,
            "idx": idx, "name": step.name, "revision": claim.revision, "version": claim.version,
            "lesson_ids": list(workflow.lesson_ids) or None}).scalar_one_or_none()
        session.commit()
        if step_id is None:
            raise _Stale
        last = idx == len(workflow.steps) - 1
        guard = {"step_id": step_id, "task_id": claim.task_id, "worker": claim.worker, "attempt": claim.attempt,
                 "with_facts": not last}

        def record(call: StepCall, status: str, artifact: str | None, error: str | None) -> BudgetFacts | None:
            progress.calls.append((idx, call))
            if last and status == "done" and artifact is not None:
                progress.final = FinalCall(step_id, call, artifact)
                return None
            return _record(session, guard, call, status, artifact, error)

        if self.client is None:
            text = workflow.mock(step)
            return text, record(StepCall(prompt, text, "mock", 0, 0, pricing.MOCK_COST_CENTS, 0), "done", text, None)
        label = f"step {step.name}: " if len(workflow.steps) > 1 else ""
        for retry in (False, True):
            try:
                call = self._call(workflow, step, prompt, should_stop)
            except TransientLLMError as exc:
                _fail(session, guard, str(exc))
                delay = exc.retry_after if exc.retry_after is not None else TRANSIENT_DELAY_SECONDS
                self.limiter.pause(delay)
                return self.requeue(session, claim, f"{label}{exc}", transient=True, delay=delay)
            except LLMError as exc:
                _fail(session, guard, str(exc))
                return self.requeue(session, claim, f"{label}{exc}", transient=False)
            if call is None:
                _fail(session, guard, "stopped before the LLM call")
                return self.requeue(session, claim, "stopped before the LLM call", transient=True, delay=0.0)
            try:
                artifact = check_artifact(step, call.response)
            except ArtifactInvalid as exc:
                record(call, "failed" if retry else "running", None, str(exc))
                if retry:
                    return self.requeue(session, claim, f"{label}{exc}", transient=False)
                prompt = retry_prompt(prompt, str(exc))
                continue
            return artifact, record(call, "done", artifact, None)
        raise AssertionError("unreachable: the second try returns")

    def run_unpersisted(self, session: Session, workflow: Workflow) -> UnpersistedRun:
        """Run `workflow` with no task row (an eval case, its judge): the same prompts, pricing, limiter, call and
        JSON check (one retry) as a task's steps; the daily budget checked before each call; nothing written."""
        mode = "mock" if self.client is None else "openai"
        previous: list[tuple[str, str]] = []
        spent = [0, 0, 0]

        def outcome(**why: str) -> UnpersistedRun:
            return UnpersistedRun(tuple(previous), mode, workflow.model, *spent, **why)

        for step in workflow.steps:
            prompt = workflow.prompt(step, previous)
            if self.client is None:
                previous.append((step.name, workflow.mock(step)))
                continue
            for retry in (False, True):
                if budget_exhausted(session, self.settings):
                    session.rollback()
                    return outcome(stopped="the daily LLM budget is reached")
                session.rollback()  # nothing stays open across the call
                try:
                    call = self._call(workflow, step, prompt, lambda: False)
                except LLMError as exc:
                    return outcome(error=f"step {step.name}: {exc}")
                if call is None:
                    return outcome(error=f"step {step.name}: stopped before the LLM call")
                spent = [spent[0] + call.cost_cents, spent[1] + call.input_tokens, spent[2] + call.output_tokens]
                try:
                    previous.append((step.name, check_artifact(step, call.response)))
                    break
                except ArtifactInvalid as exc:
                    if retry:
                        return outcome(error=f"step {step.name}: {exc}")
                    prompt = retry_prompt(prompt, str(exc))
        return outcome()

    def _call(self, workflow: Workflow, step: Step, prompt: str, should_stop: Callable[[], bool]) -> StepCall | None:
        """The LLM call of one step under the rate limiter (a json step's schema as its response_format when the
        model takes one); None when stopped while waiting for it."""
        max_tokens = self.settings.ops_max_output_tokens
        reservation = None
        if self.limiter.enabled:
            reservation = self.limiter.acquire(estimate_tokens(workflow.system + prompt, max_tokens),
                                               should_stop=should_stop)
            if reservation is None:
                return None
        assert self.client is not None
        started = time.monotonic()
        with spans.chat(workflow.model, max_tokens, workflow.system, prompt) as span:
            reply = complete(self.client, model=workflow.model, prompt=prompt, max_tokens=max_tokens,
                             system=workflow.system, response_format=response_format(step, workflow.model))
            cost = pricing.cost_cents(reply.model, reply.input_tokens, reply.output_tokens)
            spans.chat_reply(span, reply.model, reply.input_tokens, reply.output_tokens, cost, reply.text)
        latency = int((time.monotonic() - started) * 1000)
        if reservation is not None:
            used = None if reply.input_tokens is None else reply.input_tokens + (reply.output_tokens or 0)
            self.limiter.settle(reservation, used)
        return StepCall(prompt, reply.text, reply.model, reply.input_tokens or 0, reply.output_tokens or 0, cost,
                        latency)

    def _finish(self, session: Session, claim: Claim, workflow: Workflow, artifacts: list[tuple[str, str]],
                progress: _Progress) -> TaskReport:
        """Done (through the one finisher, with what follows) or needs_review; cost and tokens are the sum of all
        the task's steps: what they had spent at the claim plus this run's calls."""
        mode = "mock" if self.client is None else "openai"
        calls = progress.calls
        cost = claim.spent[0] + sum(call.cost_cents for _, call in calls)
        tokens_in = claim.spent[1] + sum(call.input_tokens for _, call in calls)
        tokens_out = claim.spent[2] + sum(call.output_tokens for _, call in calls)
        made_by = [call.model for idx, call in calls if idx == workflow.deliverable_index]
        run = RunResult(claim.task_id, claim.worker, claim.attempt, claim.revision,
                        artifacts[workflow.deliverable_index][1], made_by[-1] if made_by else workflow.model, mode,
                        tokens_in, tokens_out, cost, profit_cents(claim.reward_cents, cost),
                        len(workflow.steps), claim.agent, claim.sheet_id, progress.final)
        if claim.review_required:
            status, kept = "needs_review", submit_for_review(session, run)
        elif not has_follow_ups(run):  # the completion alone: one atomic statement
            status, kept = "done", finish_task(session, claim.task_id, run) is not None
        else:
            with transaction_for(session) as tx:  # a real transaction: the move and what it drafts
                status, kept = "done", finish_task(tx, claim.task_id, run) is not None
                if kept:
                    tx.commit()
                else:  # reclaimed: the drafted proposals go with the rollback
                    tx.rollback()
        if not kept:
            session.rollback()
            return _stale(claim, "this result was discarded")
        session.commit()
        tokens = f", {run.input_tokens}+{run.output_tokens} tokens" if mode == "openai" else ""
        line = (f"task {claim.task_id} {status_text(status).lower()}{workflow.by} for {claim.company}: "
                f"cost {money(run.cost_cents)}, profit {money(run.profit_cents)}, "
                f"{'mock result' if mode == 'mock' else 'by the LLM'}{tokens}")
        return TaskReport(claim.task_id, status, line, run.cost_cents, run.profit_cents)

    def stopped(self, session: Session, claim: Claim, stop: Stop) -> TaskReport:
        """No LLM call: the task goes to review (cost share) or waits, pending, for its budget (a cap: next month;
        the daily budget: its proposal)."""
        if stop.action == "review":
            if not review_claim(session, claim, stop.reason):
                return _stale(claim)
            return TaskReport(claim.task_id, "needs_review", f"task {claim.task_id} to review before its LLM call: "
                              f"{stop.reason}", level=logging.WARNING, stopped_by=stop.kind)
        delay = 0.0 if stop.resume_at is None else max(
            (stop.resume_at - datetime.now(timezone.utc)).total_seconds(), 0.0)
        if requeue_claim(session, claim, stop.reason, final=False, give_back=True, delay=delay,
                         reason="budget") is None:
            return _stale(claim)
        return TaskReport(claim.task_id, "waiting", f"task {claim.task_id} waits: {stop.reason}",
                          level=logging.WARNING, stopped_by=stop.kind)

    def requeue(self, session: Session, claim: Claim, error: str, *, transient: bool,
                delay: float | None = None) -> TaskReport:
        """Back to pending (transient: attempt given back; else counted, failed after the last) or failed."""
        s = self.settings
        final = not transient and claim.attempt >= s.ops_max_attempts
        if delay is None:
            delay = backoff_seconds(claim.attempt, s.ops_backoff_base_seconds, s.ops_backoff_max_seconds)
        status = requeue_claim(session, claim, error, final=final, give_back=transient, delay=delay,
                               reason="transient" if transient else "error")
        if status is None:
            return _stale(claim, f"its error was discarded: {error}")
        if final:
            line = f"task {claim.task_id} failed after {claim.attempt} attempt(s) for {claim.company}: {error}"
            return TaskReport(claim.task_id, "failed", line, level=logging.ERROR)
        kind = "backing off (attempt not counted)" if transient else f"attempt {claim.attempt}/{s.ops_max_attempts}"
        line = f"task {claim.task_id} for {claim.company}: {error}; {kind}, retry in {delay:.1f}s"
        return TaskReport(claim.task_id, "retry", line, level=logging.WARNING)


def _record(session: Session, guard: dict, call: StepCall, status: str, artifact: str | None,
            error: str | None) -> BudgetFacts | None:
    """Record one call under the claim's guard; the task's budget facts (core.plans.budgets) it came back with
    (None when the guard did not ask for them)."""
    row = session.execute(sql.RECORD_CALL, {
        **guard, **BUDGET_FACT_KEYS, "prompt": call.prompt, "response": call.response, "model": call.model,
        "input_tokens": call.input_tokens, "output_tokens": call.output_tokens, "cost": call.cost_cents,
        "latency_ms": call.latency_ms, "status": status, "artifact": artifact, "error": error}).mappings().first()
    session.commit()
    if row is None:
        raise _Stale
    return BudgetFacts.from_mapping(row) if guard["with_facts"] else None


def _fail(session: Session, guard: dict, error: str) -> None:
    session.execute(sql.FAIL_STEP, {**guard, "error": error[:2000]})
    session.commit()
