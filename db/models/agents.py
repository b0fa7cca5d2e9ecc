"""The agents, their runs and the scheduler's slots."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db import statuses as st
from db.base import Base, created_now, id_pk, one_of


class Agent(Base):
    __tablename__ = "agents"
    __table_args__ = (
        CheckConstraint("interval_seconds IS NULL OR interval_seconds > 0", name="interval_positive"),
        one_of("kind", st.AGENT_KINDS),
        CheckConstraint("human_minutes IS NULL OR human_minutes >= 0", name="human_minutes_non_negative"),
        CheckConstraint("monthly_budget_cents IS NULL OR monthly_budget_cents >= 0", name="monthly_budget_non_negative"),
        # Working hours are all four or none (none: always on duty), and a day's window runs forwards.
        CheckConstraint("(hours_tz IS NULL) = (hours_days IS NULL) AND (hours_tz IS NULL) = (hours_start IS NULL) "
                        "AND (hours_tz IS NULL) = (hours_end IS NULL) AND (hours_start IS NULL OR hours_start <> hours_end)",
                        name="hours_complete"),
    )
    id: Mapped[int] = id_pk()
    name: Mapped[str] = mapped_column(Text, unique=True)
    description: Mapped[str] = mapped_column(Text, server_default="")
    version: Mapped[str] = mapped_column(Text, server_default="1")
    capabilities: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    input_schema: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    execution_method: Mapped[str] = mapped_column(Text, server_default="")
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    interval_seconds: Mapped[int | None] = mapped_column(Integer)
    settings: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    # SPEC §12: the built-in agents are `system`; a hired worker is `worker` with a role from a template.
    kind: Mapped[str] = mapped_column(Text, server_default="system")
    role: Mapped[str | None] = mapped_column(Text)
    # What one of this worker's tasks would take a person (from the role template at hire; ROI, SPEC §13).
    human_minutes: Mapped[int | None] = mapped_column(Integer)
    monthly_budget_cents: Mapped[int | None] = mapped_column(BigInteger)
    # A worker's working hours (SPEC §12) as columns, so the Ops claim filters on them in SQL: ISO weekdays
    # (1 = Monday), a [start, end) local time window and the IANA zone they are read in. NULL: always on duty.
    hours_days: Mapped[list[int] | None] = mapped_column(ARRAY(Integer))
    hours_start: Mapped[time | None] = mapped_column(Time)
    hours_end: Mapped[time | None] = mapped_column(Time)
    hours_tz: Mapped[str | None] = mapped_column(Text)
    # Whether a finished workflow waits in needs_review for the operator before it is done.
    review_required: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # A fired worker keeps its row (its tasks name it) but is never claimed for again; paused = enabled false.
    fired_at: Mapped[datetime | None]


class AgentRun(Base):
    __tablename__ = "agent_runs"
    __table_args__ = (
        one_of("trigger", st.RUN_TRIGGERS),
        one_of("status", st.RUN_STATUSES),
        Index("ix_agent_runs_agent_started_at", "agent", "started_at"),
        Index("ix_agent_runs_started_at", "started_at"),
        Index("ix_agent_runs_running_heartbeat", "heartbeat_at", postgresql_where=text("status = 'running'")),
    )
    id: Mapped[int] = id_pk()
    agent: Mapped[str] = mapped_column(Text)
    trigger: Mapped[str] = mapped_column(Text, server_default="manual")
    started_at: Mapped[datetime] = created_now()
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(Text, server_default="running")
    items: Mapped[int] = mapped_column(Integer, server_default="0")
    summary: Mapped[str] = mapped_column(Text, server_default="")
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str] = mapped_column(Text, server_default="")
    pid: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str | None] = mapped_column(Text)  # who started a manual/API run; None for the scheduler
    heartbeat_at: Mapped[datetime] = created_now()  # pushed by the running process; stale means it died (abandoned)


class SchedulerSlot(Base):
    """One row per (agent, period): whichever replica inserts it runs that period."""

    __tablename__ = "scheduler_slots"
    __table_args__ = (UniqueConstraint("agent", "scheduled_for"),)
    id: Mapped[int] = id_pk()
    agent: Mapped[str] = mapped_column(Text)
    scheduled_for: Mapped[datetime]
    claimed_by: Mapped[str] = mapped_column(Text, server_default="")
    claimed_at: Mapped[datetime] = created_now()
