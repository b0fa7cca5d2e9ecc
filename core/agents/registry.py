"""The agents registry (SPEC §2 `agents`): what each agent is, and whether and how often it runs on schedule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.approvals.acting import check
from core.audit import Actor, record_audit
from core.config.settings import Settings
from core.errors import InvalidInput, NotFound
from db.models import Agent

_SEEDED = "seeded_interval_seconds"
MIN_INTERVAL_SECONDS = 5
MAX_INTERVAL_SECONDS = 30 * 24 * 3600


Schedule = Literal["periodic", "every_replica", "pool", "on_demand"]
_NO_INPUT: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}


def _int_input(name: str) -> dict[str, Any]:
    return {"type": "object", "properties": {name: {"type": "integer", "minimum": 1}}, "additionalProperties": False}


@dataclass(frozen=True)
class BuiltinAgent:
    """One built-in agent: what it is, how the scheduler runs it, and how often by default.

    `periodic`: once per period across all replicas, never overlapping a manual run (an advisory lock);
    `every_replica`: on every replica at its interval (it claims its rows with SKIP LOCKED);
    `pool`: the Ops pool, drained while work is due; `on_demand`: only when someone runs it.
    """

    name: str
    schedule: Schedule
    label: str  # the Run button's
    description: str
    execution_method: str
    capabilities: tuple[str, ...]
    interval_setting: str | None = None  # the SCHED_* field with its default interval, if it has one
    input_schema: dict[str, Any] = field(default_factory=lambda: dict(_NO_INPUT))
    # Runnable from the control room and POST /api/run/{name} (the event processor and executor run themselves).
    operator_runnable: bool = True


# The one list of agent names: the registry rows, the runners, the scheduler's jobs, the API and the pages.
BUILTIN_AGENTS: tuple[BuiltinAgent, ...] = (
    BuiltinAgent("bizdev", "periodic", "Run BizDev",
                 "Creates demo leads and drafts an outbound email proposal for each.",
                 "core.agents.bizdev.run_bizdev_agent", ("leads", "email_draft"), "sched_bizdev_interval_minutes"),
    BuiltinAgent("onboarding", "periodic", "Run Onboarding",
                 "Turns responded leads into customers with starter tasks.",
                 "core.agents.onboarding.run_onboarding_agent", ("customers", "tasks"),
                 "sched_onboarding_interval_minutes"),
    BuiltinAgent("ops", "on_demand", "Run Ops (one task)", "Runs the oldest claimable pending task through the LLM.",
                 "core.agents.ops.run_ops_agent", ("tasks", "llm"), None, _int_input("task_id")),
    BuiltinAgent("ops_batch", "pool", "Run Ops batch",
                 "The Ops worker pool: keeps OPS_WORKER_COUNT tasks in flight while work is pending.",
                 "core.agents.ops.run_ops_batch", ("tasks", "llm", "pool"), "sched_ops_interval_seconds",
                 _int_input("max_workers")),
    BuiltinAgent("billing", "periodic", "Run Billing",
                 "Drafts invoices for done, uninvoiced tasks and proposes checkout links.",
                 "core.agents.billing.run_billing_agent", ("invoices", "stripe_checkout"),
                 "sched_billing_interval_minutes"),
    BuiltinAgent("events", "every_replica", "Process events", "Processes received Stripe events into drafted proposals.",
                 "core.agents.events", ("events", "proposals"), "sched_events_interval_seconds",
                 operator_runnable=False),
    BuiltinAgent("executor", "every_replica", "Run the executor", "Executes approved proposals from the outbox, once each.",
                 "core.agents.executor", ("email", "slack", "stripe_checkout"), "sched_executor_interval_seconds",
                 operator_runnable=False),
)
AGENT_NAMES: tuple[str, ...] = tuple(a.name for a in BUILTIN_AGENTS)
OPERATOR_RUNNABLE: tuple[BuiltinAgent, ...] = tuple(a for a in BUILTIN_AGENTS if a.operator_runnable)


def agents_scheduled(schedule: Schedule) -> tuple[str, ...]:
    """The built-in agents the scheduler runs in the given way, in registry order."""
    return tuple(a.name for a in BUILTIN_AGENTS if a.schedule == schedule)


class InvalidAgentUpdate(InvalidInput):
    """An edit the registry refuses; the message says why."""


class UnknownRegistryAgent(NotFound):
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

@dataclass(frozen=True)
class AgentDefaults:
    """One registry row's defaults."""

    name: str
    description: str
    execution_method: str
    capabilities: tuple[str, ...]
    interval_seconds: int | None
    input_schema: dict[str, Any] = field(default_factory=lambda: dict(_NO_INPUT))
    version: str = "1"


@dataclass(frozen=True)
class AgentSchedule:
    """What the scheduler reads on every tick."""

    name: str
    enabled: bool
    interval_seconds: int | None


def _seconds(value: float) -> int:
    # The column is whole seconds; a sub-second setting still means "as often as possible", i.e. 1 s.
    return max(1, round(value))


def default_interval_seconds(agent: BuiltinAgent, settings: Settings) -> int | None:
    """The agent's interval from its SCHED_* setting (minutes or seconds, as the variable's name says)."""
    if agent.interval_setting is None:
        return None
    value = float(getattr(settings, agent.interval_setting))
    return _seconds(value * 60 if agent.interval_setting.endswith("_minutes") else value)


def default_specs(settings: Settings) -> tuple[AgentDefaults, ...]:
    """The registry rows a fresh database gets, with intervals from the SCHED_* settings."""
    return tuple(AgentDefaults(a.name, a.description, a.execution_method, a.capabilities,
                               default_interval_seconds(a, settings), dict(a.input_schema)) for a in BUILTIN_AGENTS)


def ensure_agent_registry(session: Session, settings: Settings) -> int:
    """Insert the missing registry rows and follow SCHED_* changes the operator has not overridden; commit; return rows added.

    Each row remembers the interval it was seeded with (`settings.seeded_interval_seconds`). While the stored
    interval still equals it, a changed SCHED_* setting replaces it on the next start; once the operator has
    set an interval on the Agents page, that choice wins over the environment.
    """
    specs = default_specs(settings)
    rows = [
        {
            "name": s.name, "description": s.description, "version": s.version,
            "capabilities": list(s.capabilities), "input_schema": s.input_schema,
            "execution_method": s.execution_method, "interval_seconds": s.interval_seconds,
            "settings": {_SEEDED: s.interval_seconds},
        }
        for s in specs
    ]
    # ON CONFLICT: several replicas seed at once on a fresh database.
    added = session.execute(
        insert(Agent).values(rows).on_conflict_do_nothing(index_elements=[Agent.name]).returning(Agent.id)
    ).all()
    for spec in specs:
        session.execute(
            update(Agent)
            .where(
                Agent.name == spec.name,
                Agent.interval_seconds.is_not_distinct_from(Agent.settings[_SEEDED].as_integer()),
                Agent.interval_seconds.is_distinct_from(spec.interval_seconds),
            )
            .values(
                interval_seconds=spec.interval_seconds,
                settings=Agent.settings.op("||")(func.jsonb_build_object(_SEEDED, spec.interval_seconds)),
            )
        )
    session.commit()
    return len(added)


def agent_schedule(session: Session, name: str) -> AgentSchedule | None:
    """The agent's enabled flag and interval as stored now, or None when it has no registry row."""
    row = session.execute(select(Agent.enabled, Agent.interval_seconds).where(Agent.name == name)).one_or_none()
    return None if row is None else AgentSchedule(name, bool(row.enabled), row.interval_seconds)


def _spec(row: Agent) -> AgentSpec:
    return AgentSpec(row.name, row.description, row.version, tuple(row.capabilities or ()), dict(row.input_schema or {}),
                     row.execution_method, row.enabled, row.interval_seconds)


def list_agents(session: Session) -> list[AgentSpec]:
    """Every registered agent, by name."""
    return [_spec(r) for r in session.execute(select(Agent).where(Agent.kind == "system").order_by(Agent.name)).scalars()]


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
    check(session, actor, "change_settings")
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
