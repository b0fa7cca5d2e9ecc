"""The agents (SPEC §3): plain functions taking a session and settings and returning an AgentResult."""

from __future__ import annotations

from collections.abc import Callable

from core.agents.billing import run_billing_agent
from core.agents.bizdev import run_bizdev_agent
from core.agents.onboarding import run_onboarding_agent
from core.agents.ops import run_ops_agent, run_ops_batch, run_ops_single_task
from core.audit import Actor
from core.context import AppContext
from core.events import run_event_processor
from core.locks import agent_lock
from core.runs import AgentResult, record_skipped_run

__all__ = [
    "AGENT_NAMES",
    "EXCLUSIVE_AGENTS",
    "run_billing_agent",
    "run_bizdev_agent",
    "run_named_agent",
    "run_onboarding_agent",
    "run_ops_agent",
    "run_ops_batch",
    "run_ops_single_task",
]


def _session_agent(fn: Callable[..., AgentResult]) -> Callable[[AppContext, str], AgentResult]:
    def run(ctx: AppContext, trigger: str) -> AgentResult:
        with ctx.sessions() as session:
            return fn(session, ctx.settings, trigger=trigger)

    return run


def _executor(ctx: AppContext, trigger: str) -> AgentResult:
    from core.executor import run_proposal_executor

    with ctx.sessions() as session:
        return run_proposal_executor(session, ctx.settings, trigger=trigger)


def _ops_batch(ctx: AppContext, trigger: str) -> AgentResult:
    return run_ops_batch(ctx.sessions, ctx.settings, trigger=trigger)


# name -> how to run it from a context. Later agents (events, executor) register here too.
RUNNERS: dict[str, Callable[[AppContext, str], AgentResult]] = {
    "bizdev": _session_agent(run_bizdev_agent),
    "onboarding": _session_agent(run_onboarding_agent),
    "ops": _session_agent(run_ops_agent),
    "ops_batch": _ops_batch,
    "billing": _session_agent(run_billing_agent),
    "events": _session_agent(run_event_processor),

    "executor": _executor,
}
AGENT_NAMES = tuple(RUNNERS)


# Periodic singletons: at most one run at a time across all processes. Ops runs are protected by row claims,
# and the event processor / executor claim rows with SKIP LOCKED, so they may overlap safely.
EXCLUSIVE_AGENTS = frozenset({"bizdev", "onboarding", "billing"})


class UnknownAgent(KeyError):
    """No agent of that name."""


def run_named_agent(ctx: AppContext, name: str, *, trigger: str = "manual", actor: Actor | None = None) -> AgentResult:
    """Run the agent called `name` once and return what it did."""
    try:
        runner = RUNNERS[name]
    except KeyError:
        raise UnknownAgent(f"unknown agent {name!r}; choose one of: {', '.join(AGENT_NAMES)}") from None
    if name not in EXCLUSIVE_AGENTS:
        return runner(ctx, trigger)
    # A manual run and a scheduled run (from any replica) of a singleton agent never overlap: the second one
    # finds the lock taken and is recorded as skipped.
    with agent_lock(ctx.engine, name) as held:
        if not held:
            return record_skipped_run(ctx.sessions, name, trigger, f"{name} is already running")
        return runner(ctx, trigger)
