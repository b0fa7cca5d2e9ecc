"""Running a built-in agent by name, from any process: the console's Run buttons, the CLI, the API, the scheduler."""

from __future__ import annotations

from collections.abc import Callable

from core.agents.billing import run_billing_agent
from core.agents.bizdev import run_bizdev_agent
from core.agents.events import run_event_processor
from core.agents.executor import run_proposal_executor
from core.agents.locks import agent_lock
from core.agents.onboarding import run_onboarding_agent
from core.agents.ops import run_ops_agent, run_ops_batch
from core.agents.registry import AGENT_NAMES, agents_scheduled
from core.agents.runs import AgentResult, record_skipped_run
from core.approvals.acting import check
from core.audit import Actor
from core.config.context import AppContext
from core.errors import InvalidInput

Runner = Callable[..., AgentResult]  # (ctx, trigger, actor=None)


def _session_agent(fn: Callable[..., AgentResult]) -> Runner:
    def run(ctx: AppContext, trigger: str, actor: Actor | None = None) -> AgentResult:
        with ctx.sessions() as session:
            return fn(session, ctx.settings, trigger=trigger, actor=actor)

    return run


def _ops_batch(ctx: AppContext, trigger: str, actor: Actor | None = None) -> AgentResult:
    return run_ops_batch(ctx.sessions, ctx.settings, trigger=trigger, actor=actor)


# How to run each name of core.agents.registry.AGENT_NAMES from a context (a test keeps the two equal).
RUNNERS: dict[str, Runner] = {
    "bizdev": _session_agent(run_bizdev_agent),
    "onboarding": _session_agent(run_onboarding_agent),
    "ops": _session_agent(run_ops_agent),
    "ops_batch": _ops_batch,
    "billing": _session_agent(run_billing_agent),
    "events": _session_agent(run_event_processor),
    "executor": _session_agent(run_proposal_executor),
}

# Periodic singletons run at most once at a time across all processes. Ops runs are protected by row claims,
# and the event processor / executor claim rows with SKIP LOCKED, so they may overlap safely.
EXCLUSIVE_AGENTS = frozenset(agents_scheduled("periodic"))


class UnknownAgent(InvalidInput):
    """No agent of that name."""


def run_named_agent(ctx: AppContext, name: str, *, trigger: str = "manual", actor: Actor | None = None) -> AgentResult:
    """Run the agent called `name` once, recording who started it, and return what it did (Forbidden first for a
    person whose role may not run agents; the scheduler passes no actor)."""
    runner = RUNNERS.get(name)
    if runner is None:
        raise UnknownAgent(f"unknown agent {name!r}; choose one of: {', '.join(AGENT_NAMES)}")
    if actor is not None:
        with ctx.sessions() as session:
            check(session, actor, "run_agent")
    if name not in EXCLUSIVE_AGENTS:
        return runner(ctx, trigger, actor)
    # A manual run and a scheduled run (from any replica) of a singleton agent never overlap: the second one
    # finds the lock taken and is recorded as skipped.
    with agent_lock(ctx.engine, name) as held:
        if not held:
            return record_skipped_run(ctx.sessions, name, trigger, f"{name} is already running", actor)
        return runner(ctx, trigger, actor)
