"""The agent registry (`agents` table): each agent's spec, whether it runs, and how often."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.audit import Actor, record_audit
from core.settings import Settings
from db.models import Agent

BUILTIN_AGENTS = ("bizdev", "onboarding", "ops", "billing", "events", "executor")
MIN_INTERVAL_SECONDS = 5
MAX_INTERVAL_SECONDS = 30 * 24 * 3600


class InvalidAgentUpdate(ValueError):
    """An edit the registry refuses; the message says why."""


class UnknownRegistryAgent(LookupError):
    """No agent of that name in the registry."""


@dataclass(frozen=True)
class AgentSpec:
    """One registry row as the console shows it."""

    name: str
    description: str
    version: str
    capabilities: tuple[str, ...]
    input_schema: dict[str, Any]
    execution_method: str
    enabled: bool
    interval_seconds: int | None


def default_specs(settings: Settings) -> list[dict[str, Any]]:
    """The built-in agents with intervals taken from the SCHED_* settings."""
    minutes = lambda m: int(round(m * 60))  # noqa: E731
    seconds = lambda s: max(1, int(round(s)))  # noqa: E731
    return [
        dict(name="bizdev", description="Finds 1–2 demo leads per run and drafts an outbound email proposal for each.",
             capabilities=["create_leads", "draft_email", "propose:email"],
             input_schema={"type": "object", "properties": {}},
             execution_method="core.agents.bizdev.run_bizdev_agent(session, settings)",
             interval_seconds=minutes(settings.sched_bizdev_interval_minutes)),
        dict(name="onboarding", description="Turns responded leads into customers with 2–3 starter tasks.",
             capabilities=["create_customers", "create_tasks", "qualify_leads"],
             input_schema={"type": "object", "properties": {}},
             execution_method="core.agents.onboarding.run_onboarding_agent(session, settings)",
             interval_seconds=minutes(settings.sched_onboarding_interval_minutes)),
        dict(name="ops", description="Claims pending tasks and completes them with the LLM, recording cost and profit.",
             capabilities=["claim_tasks", "llm_call", "record_usage"],
             input_schema={"type": "object", "properties": {"max_workers": {"type": "integer", "minimum": 1}}},
             execution_method="core.agents.ops.run_ops_batch(sessions, settings, max_workers)",
             interval_seconds=seconds(settings.sched_ops_interval_seconds)),
        dict(name="billing", description="Sums done, uninvoiced tasks into draft invoices and proposes checkout links.",
             capabilities=["create_invoices", "propose:stripe_checkout"],
             input_schema={"type": "object", "properties": {}},
             execution_method="core.agents.billing.run_billing_agent(session, settings)",
             interval_seconds=minutes(settings.sched_billing_interval_minutes)),
        dict(name="events", description="Processes received Stripe events through the money graph.",
             capabilities=["process_events", "propose:email", "propose:slack"],
             input_schema={"type": "object", "properties": {}},
             execution_method="event processor (scheduler)",
             interval_seconds=seconds(settings.sched_events_interval_seconds)),
        dict(name="executor", description="Executes approved proposals once each (email, Slack, Stripe checkout).",
             capabilities=["execute:email", "execute:slack", "execute:stripe_checkout"],
             input_schema={"type": "object", "properties": {}},
             execution_method="proposal executor (scheduler)",
             interval_seconds=seconds(settings.sched_executor_interval_seconds)),
    ]


def ensure_agent_registry(session: Session, settings: Settings) -> int:
    """Insert the built-in agents that are missing (never overwrites an edit); return how many were added. No commit."""
    rows = default_specs(settings)
    added = session.execute(
        insert(Agent).values(rows).on_conflict_do_nothing(index_elements=["name"]).returning(Agent.name)
    ).scalars().all()
    return len(added)


def _spec(row: Agent) -> AgentSpec:
    return AgentSpec(row.name, row.description, row.version, tuple(row.capabilities or ()), dict(row.input_schema or {}),
                     row.execution_method, row.enabled, row.interval_seconds)


def list_agents(session: Session) -> list[AgentSpec]:
    """Every registered agent, by name."""
    return [_spec(r) for r in session.execute(select(Agent).order_by(Agent.name)).scalars()]


def update_agent(
    session: Session,
    name: str,
    *,
    enabled: bool | None = None,
    interval_seconds: int | None = None,
    actor: Actor,
) -> AgentSpec:
    """Change an agent's enabled flag and/or interval (validated), with an audit row; no commit.

    The scheduler reads both on each tick, so the change holds from its next tick without a restart.
    """
    if enabled is not None and not isinstance(enabled, bool):
        raise InvalidAgentUpdate("enabled must be true or false")
    if interval_seconds is not None:
        if isinstance(interval_seconds, bool) or not isinstance(interval_seconds, int):
            raise InvalidAgentUpdate("interval must be a whole number of seconds")
        if not MIN_INTERVAL_SECONDS <= interval_seconds <= MAX_INTERVAL_SECONDS:
            raise InvalidAgentUpdate(
                f"interval must be between {MIN_INTERVAL_SECONDS} seconds and {MAX_INTERVAL_SECONDS // 86400} days"
            )
    row = session.execute(select(Agent).where(Agent.name == name).with_for_update()).scalar_one_or_none()
    if row is None:
        raise UnknownRegistryAgent(f"no agent named {name!r} in the registry")
    changes: dict[str, list[Any]] = {}
    if enabled is not None and enabled != row.enabled:
        changes["enabled"] = [row.enabled, enabled]
        row.enabled = enabled
    if interval_seconds is not None and interval_seconds != row.interval_seconds:
        changes["interval_seconds"] = [row.interval_seconds, interval_seconds]
        row.interval_seconds = interval_seconds
    if changes:
        session.flush()
        state = lambda on: "enabled" if on else "disabled"  # noqa: E731
        before = changes.get("enabled", [row.enabled])[0]
        record_audit(session, actor, "agent", name, state(before), state(row.enabled), {"changes": changes})
    return _spec(row)
