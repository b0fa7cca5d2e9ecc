"""A hired worker's task as its role's workflow: one LLM call per step, each step checkpointed (SPEC §12).

Resuming is reading: the claim carries the task's done steps (task_steps), so a task reclaimed after a crash,
retried after a failure or sent back by review starts at its first unfinished step and a done step is never
called again. Every step write carries the claim's guard (worker, attempt); no transaction stays open across
an LLM call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from core.approvals.google_delivery import read_done_task
from core.llm import pricing
from core.llm.ratelimit import estimate_tokens
from core.llm.tasks import LLMError, TransientLLMError, complete
from core.money.figures import profit_cents
from core.ops import sql
from core.ops.budget import LLMCall, before_llm_call
from core.ops.claims import Claim
from core.plans.budgets import BUDGET_FACT_KEYS, BudgetFacts
from core.workforce.delivery import draft_done_proposals
from core.workforce.prompts import (
    ArtifactInvalid,
    StepContext,
    check_artifact,
    mock_artifact,
    retry_prompt,
    step_prompt,
    system_prompt,
)
from core.workforce.roles import RoleTemplate, Step, role_template
from db.engine import transaction_for

if TYPE_CHECKING:
    from core.ops.worker import TaskReport, TaskRunner

log = logging.getLogger("hoss.agents.ops")


@dataclass(frozen=True)
class _Call:
    """One answered LLM call of a step."""

    prompt: str
    response: str
    model: str
    input_tokens: int
    output_tokens: int
    cost_cents: int
    latency_ms: int


class _Stale(Exception):
    """The claim is no longer ours (reclaimed elsewhere): stop without writing anything more."""


def run_workflow(runner: TaskRunner, session: Session, claim: Claim, should_stop: Callable[[], bool]) -> TaskReport:
    """Run the claim's remaining steps, then finish the task (done or needs_review); a TaskReport either way."""
    from core.ops.worker import TaskReport

    try:
        template = role_template(claim.role or "")
    except Exception:
        return runner.requeue(session, claim, f"worker {claim.agent} has unknown role {claim.role!r}",
                              transient=False)
    ctx = StepContext(claim.task_id, claim.description, claim.company, claim.plan, claim.notes,
                      claim.agent or "", claim.tone or template.default_tone, claim.review_note)
    done = dict(claim.done_steps)
    previous: list[tuple[str, str]] = []
    facts = claim.budget  # the budget facts as of the claim, then as the last recorded call came back with them
    try:
        for idx, step in enumerate(template.steps):
            if idx in done:
                previous.append((step.name, done[idx]))
                continue
            if should_stop():
                return runner.requeue(session, claim, "stopped between steps", transient=True, delay=0.0)
            result = _run_step(runner, session, claim, template, idx, step, ctx, previous, facts)
            if isinstance(result, TaskReport):
                return result
            artifact, facts = result
            previous.append((step.name, artifact))
    except _Stale:
        line = f"task {claim.task_id} was reclaimed by another worker; this run stopped"
        return TaskReport(claim.task_id, "stale", line, level=logging.WARNING)
    return _finish(runner, session, claim, template, previous)


def _run_step(runner: TaskRunner, session: Session, claim: Claim, template: RoleTemplate, idx: int, step: Step,
              ctx: StepContext, previous: list[tuple[str, str]],
              facts: BudgetFacts | None) -> tuple[str, BudgetFacts] | TaskReport:
    """One step: the budget check (on `facts` when given), the checkpoint row, the call and its one JSON retry.
    (artifact, the budget facts its record came back with), or the task's report."""
    s = runner.settings
    prompt = step_prompt(template, step, ctx, previous)
    model = claim.model or s.openai_model
    if runner.client is not None:  # mock mode spends nothing real, so no budget stops it
        worst = pricing.cost_cents(model, estimate_tokens(prompt, 0), s.ops_max_output_tokens)
        stop = before_llm_call(session, s, LLMCall(claim.task_id, claim.customer_id, claim.agent, step.name, worst),
                               facts)
        if stop is not None:
            return runner.stopped(session, claim, replace(stop, reason=f"{stop.reason} (before step {step.name})"))
    step_id = session.execute(sql.BEGIN_STEP, {
        "task_id": claim.task_id, "worker": claim.worker, "attempt": claim.attempt,
        "idx": idx, "name": step.name, "revision": claim.revision}).scalar_one_or_none()
    session.commit()
    if step_id is None:
        raise _Stale
    guard = {"step_id": step_id, "task_id": claim.task_id, "worker": claim.worker, "attempt": claim.attempt}
    if runner.client is None:
        text = mock_artifact(step, ctx)
        return text, _record(session, guard, _Call(prompt, text, "mock", 0, 0, pricing.MOCK_COST_CENTS, 0), "done",
                             text, None)
    system = system_prompt(template, ctx)
    for retry in (False, True):
        try:
            call = _call(runner, system, prompt, model)
        except TransientLLMError as exc:
            _fail(session, guard, str(exc))
            delay = exc.retry_after if exc.retry_after is not None else runner.transient_delay
            runner.limiter.pause(delay)
            return runner.requeue(session, claim, f"step {step.name}: {exc}", transient=True, delay=delay)
        except LLMError as exc:
            _fail(session, guard, str(exc))
            return runner.requeue(session, claim, f"step {step.name}: {exc}", transient=False)
        if call is None:
            _fail(session, guard, "stopped before the LLM call")
            return runner.requeue(session, claim, "stopped before the LLM call", transient=True, delay=0.0)
        try:
            artifact = check_artifact(step, call.response)
        except ArtifactInvalid as exc:
            final = retry
            _record(session, guard, call, "failed" if final else "running", None, str(exc))
            if final:
                return runner.requeue(session, claim, f"step {step.name}: {exc}", transient=False)
            prompt = retry_prompt(prompt, str(exc))
            continue
        return artifact, _record(session, guard, call, "done", artifact, None)
    raise AssertionError("unreachable: the second try returns")


def _call(runner: TaskRunner, system: str, prompt: str, model: str) -> _Call | None:
    s = runner.settings
    reservation = None
    if runner.limiter.enabled:
        reservation = runner.limiter.acquire(estimate_tokens(system + prompt, s.ops_max_output_tokens))
        if reservation is None:
            return None
    assert runner.client is not None
    started = time.monotonic()
    reply = complete(runner.client, model=model, prompt=prompt, max_tokens=s.ops_max_output_tokens, system=system)
    latency = int((time.monotonic() - started) * 1000)
    if reservation is not None:
        used = None if reply.input_tokens is None else reply.input_tokens + (reply.output_tokens or 0)
        runner.limiter.settle(reservation, used)
    cost = pricing.cost_cents(reply.model, reply.input_tokens, reply.output_tokens)
    return _Call(prompt, reply.text, reply.model, reply.input_tokens or 0, reply.output_tokens or 0, cost, latency)


def _record(session: Session, guard: dict, call: _Call, status: str, artifact: str | None,
            error: str | None) -> BudgetFacts:
    """Record one call under the claim's guard; the task's budget facts (core.plans.budgets) it came back with."""
    row = session.execute(sql.RECORD_CALL, {
        **guard, **BUDGET_FACT_KEYS, "prompt": call.prompt, "response": call.response, "model": call.model,
        "input_tokens": call.input_tokens, "output_tokens": call.output_tokens, "cost": call.cost_cents,
        "latency_ms": call.latency_ms, "status": status, "artifact": artifact, "error": error}).mappings().first()
    session.commit()
    if row is None:
        raise _Stale
    return BudgetFacts.from_mapping(row)


def _fail(session: Session, guard: dict, error: str) -> None:
    session.execute(sql.FAIL_STEP, {**guard, "error": error[:2000]})
    session.commit()


def _finish(runner: TaskRunner, session: Session, claim: Claim, template: RoleTemplate,
            artifacts: list[tuple[str, str]]) -> TaskReport:
    """Done (with its one delivery proposal) or needs_review, in one transaction; cost and tokens = sum of steps."""
    from core.ops.worker import TaskReport

    to_status = "needs_review" if claim.review_required else "done"
    mode = "mock" if runner.client is None else "openai"
    model = "mock" if runner.client is None else (claim.model or runner.settings.openai_model)
    summary = artifacts[template.deliverable_index][1]
    with transaction_for(session) as tx:  # a real transaction: the move and its delivery
        totals = tx.execute(sql.BEGIN_FINISH, {"async_commit": runner.settings.ops_async_commit,
                                               "task_id": claim.task_id}).one()
        profit = profit_cents(claim.reward_cents, totals.cost)
        # Reads and proposals first, the completion last: the first audit row takes the chain's lock and the
        # completion's rollup rows are locks every slot's claim and completion wait for, so they are held for
        # the last statements and the commit only.
        if to_status == "done":
            facts = read_done_task(tx, claim.task_id)[0]
            draft_done_proposals(tx, replace(facts, summary=summary, cost_cents=totals.cost, done_on=totals.today))
        row = tx.execute(sql.COMPLETE_WORKFLOW, {
            "id": claim.task_id, "worker": claim.worker, "attempt": claim.attempt, "to_status": to_status,
            "summary": summary, "model": model, "mode": mode, "input_tokens": totals.input_tokens,
            "output_tokens": totals.output_tokens, "cost": totals.cost, "profit": profit,
            "ref": f"task:{claim.task_id}:revision:{claim.revision}:attempt:{claim.attempt}",
            "description": f"{model}: {len(template.steps)}-step workflow, {totals.input_tokens} in / "
                           f"{totals.output_tokens} out tokens",
            "steps": len(template.steps), "revision": claim.revision}).first()
        if row is None:  # reclaimed: the drafted proposals go with the rollback
            tx.rollback()
            line = f"task {claim.task_id} was reclaimed by another worker; this result was discarded"
            return TaskReport(claim.task_id, "stale", line, level=logging.WARNING)
        tx.commit()
    line = (f"task {claim.task_id} {to_status.replace('_', ' ')} by {claim.agent} ({template.role}, "
            f"{len(template.steps)} steps) for {claim.company}: cost {totals.cost}¢, profit {row.profit_cents}¢, "
            f"mode {mode}")
    return TaskReport(claim.task_id, to_status, line, totals.cost, row.profit_cents)

