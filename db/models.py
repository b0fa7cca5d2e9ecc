"""Typed SQLAlchemy models for every table of SPEC §2; invariants live here as constraints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db import statuses as st
from db.base import Base, non_negative, one_of


def _id() -> Mapped[int]:
    return mapped_column(BigInteger, Identity(), primary_key=True)


def _now() -> Mapped[datetime]:
    return mapped_column(server_default=func.now())


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (
        one_of("status", st.LEAD_STATUSES),
        UniqueConstraint("email"),
        Index("ix_leads_status_id", "status", "id"),
        Index("ix_leads_created_at", "created_at"),  # canvas: lead funnel over a period
    )
    id: Mapped[int] = _id()
    company: Mapped[str] = mapped_column(Text)
    contact_name: Mapped[str] = mapped_column(Text, server_default="")
    email: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, server_default="manual")
    status: Mapped[str] = mapped_column(Text, server_default="new")
    created_at: Mapped[datetime] = _now()
    last_contacted_at: Mapped[datetime | None]
    notes: Mapped[str] = mapped_column(Text, server_default="")


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (one_of("plan", st.CUSTOMER_PLANS), one_of("status", st.CUSTOMER_STATUSES))
    id: Mapped[int] = _id()
    company: Mapped[str] = mapped_column(Text)
    contact_email: Mapped[str] = mapped_column(Text, server_default="")
    plan: Mapped[str] = mapped_column(Text, server_default="starter")
    status: Mapped[str] = mapped_column(Text, server_default="active")
    notes: Mapped[str] = mapped_column(Text, server_default="")
    # One customer per lead, enforced here rather than in code.
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"), unique=True)
    stripe_customer_id: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _now()


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        one_of("status", st.INVOICE_STATUSES),
        non_negative("amount_cents"),
        Index("ix_invoices_customer_id", "customer_id"),
        Index("ix_invoices_status_created_at", "status", "created_at"),
        Index("ix_invoices_created_at", "created_at"),
    )
    id: Mapped[int] = _id()
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    amount_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    status: Mapped[str] = mapped_column(Text, server_default="draft")
    checkout_url: Mapped[str | None] = mapped_column(Text)
    stripe_session_id: Mapped[str | None] = mapped_column(Text, unique=True)
    notes: Mapped[str] = mapped_column(Text, server_default="")
    created_at: Mapped[datetime] = _now()
    sent_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        one_of("status", st.TASK_STATUSES),
        CheckConstraint("mode IS NULL OR mode IN ('openai', 'mock')", name="mode"),
        non_negative("reward_cents"),
        non_negative("cost_cents"),
        non_negative("profit_cents"),
        # Claimable rows only: the claim query walks this, never past claimed or finished rows.
        Index("ix_tasks_claimable", "run_after", "id", postgresql_where=text("status = 'pending'")),
        Index("ix_tasks_lease", "lease_expires_at", postgresql_where=text("status = 'running'")),
        Index("ix_tasks_uninvoiced", "customer_id", postgresql_where=text("status = 'done' AND invoice_id IS NULL")),
        Index("ix_tasks_status_id", "status", "id"),
        Index("ix_tasks_customer_id", "customer_id"),
        Index("ix_tasks_completed_at", "completed_at"),
        Index("ix_tasks_created_at", "created_at"),
        Index("ix_tasks_invoice_id", "invoice_id"),
        # canvas: index-only aggregation of finished tasks and of task creation over time ranges.
        Index("ix_tasks_done_completed_at", "completed_at", postgresql_where=text("status = 'done'"),
              postgresql_include=["created_at", "customer_id", "reward_cents", "cost_cents", "profit_cents",
                                  "input_tokens", "output_tokens", "model"]),
        Index("ix_tasks_created_at_status", "created_at", postgresql_include=["status"]),
    )
    id: Mapped[int] = _id()
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default="pending")
    reward_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    cost_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    profit_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    result_summary: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(Text)
    input_tokens: Mapped[int] = mapped_column(Integer, server_default="0")
    output_tokens: Mapped[int] = mapped_column(Integer, server_default="0")
    mode: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    run_after: Mapped[datetime] = _now()
    claimed_by: Mapped[str | None] = mapped_column(Text)
    lease_expires_at: Mapped[datetime | None]
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    created_at: Mapped[datetime] = _now()
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]


class Agent(Base):
    __tablename__ = "agents"
    __table_args__ = (CheckConstraint("interval_seconds IS NULL OR interval_seconds > 0", name="interval_positive"),)
    id: Mapped[int] = _id()
    name: Mapped[str] = mapped_column(Text, unique=True)
    description: Mapped[str] = mapped_column(Text, server_default="")
    version: Mapped[str] = mapped_column(Text, server_default="1")
    capabilities: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    input_schema: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    execution_method: Mapped[str] = mapped_column(Text, server_default="")
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    interval_seconds: Mapped[int | None] = mapped_column(Integer)
    settings: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))


class AgentRun(Base):
    __tablename__ = "agent_runs"
    __table_args__ = (
        one_of("trigger", st.RUN_TRIGGERS),
        one_of("status", st.RUN_STATUSES),
        Index("ix_agent_runs_agent_started_at", "agent", "started_at"),
        Index("ix_agent_runs_started_at", "started_at"),
        Index("ix_agent_runs_running_heartbeat", "heartbeat_at", postgresql_where=text("status = 'running'")),
    )
    id: Mapped[int] = _id()
    agent: Mapped[str] = mapped_column(Text)
    trigger: Mapped[str] = mapped_column(Text, server_default="manual")
    started_at: Mapped[datetime] = _now()
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(Text, server_default="running")
    items: Mapped[int] = mapped_column(Integer, server_default="0")
    summary: Mapped[str] = mapped_column(Text, server_default="")
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str] = mapped_column(Text, server_default="")
    pid: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str | None] = mapped_column(Text)  # who started a manual/API run; None for the scheduler
    heartbeat_at: Mapped[datetime] = _now()  # pushed by the running process; stale means it died (abandoned)


class SchedulerSlot(Base):
    """One row per (agent, period): whichever replica inserts it runs that period."""

    __tablename__ = "scheduler_slots"
    __table_args__ = (UniqueConstraint("agent", "scheduled_for"),)
    id: Mapped[int] = _id()
    agent: Mapped[str] = mapped_column(Text)
    scheduled_for: Mapped[datetime]
    claimed_by: Mapped[str] = mapped_column(Text, server_default="")
    claimed_at: Mapped[datetime] = _now()


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        one_of("status", st.EVENT_STATUSES),
        UniqueConstraint("source", "dedupe_key"),
        Index("ix_events_received", "received_at", "id", postgresql_where=text("status = 'received'")),
        Index("ix_events_failed", "processed_at", "id", postgresql_where=text("status = 'failed'")),
        Index("ix_events_type_occurred_at", "type", "occurred_at"),
        Index("ix_events_occurred_at", "occurred_at"),
        # canvas: the newest failed payments straight off an index, however many other events there are.
        Index("ix_events_failed_payments", "occurred_at", "id",
              postgresql_where=text("type IN ('invoice.payment_failed', 'charge.failed')")),
    )
    id: Mapped[int] = _id()
    source: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = _now()
    payload: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    dedupe_key: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default="received")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = _now()
    processed_at: Mapped[datetime | None]


class ActionProposal(Base):
    __tablename__ = "action_proposals"
    __table_args__ = (
        one_of("status", st.PROPOSAL_STATUSES),
        one_of("vertical", st.VERTICALS),
        one_of("urgency", st.URGENCIES),
        Index("ix_action_proposals_pending", "created_at", postgresql_where=text("status = 'pending'")),
        Index("ix_action_proposals_status_created_at", "status", "created_at"),
        Index("ix_action_proposals_event_id", "event_id"),
        Index("ix_action_proposals_created_at", "created_at"),  # canvas: proposal stats over a period
    )
    id: Mapped[int] = _id()
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    vertical: Mapped[str] = mapped_column(Text)
    action_type: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default="pending")
    urgency: Mapped[str] = mapped_column(Text, server_default="medium")
    title: Mapped[str] = mapped_column(Text)
    reasoning: Mapped[str] = mapped_column(Text, server_default="")
    payload: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    dedupe_key: Mapped[str] = mapped_column(Text, unique=True)
    created_at: Mapped[datetime] = _now()
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(Text)
    decision_note: Mapped[str | None] = mapped_column(Text)


class Execution(Base):
    __tablename__ = "executions"
    __table_args__ = (
        one_of("status", st.EXECUTION_STATUSES),
        Index("ix_executions_queued", "id", postgresql_where=text("status = 'queued'")),
        Index("ix_executions_proposal_id", "proposal_id"),
    )
    id: Mapped[int] = _id()
    proposal_id: Mapped[int] = mapped_column(ForeignKey("action_proposals.id"))
    status: Mapped[str] = mapped_column(Text, server_default="queued")
    idempotency_key: Mapped[str] = mapped_column(Text, unique=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    result: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    error: Mapped[str | None] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[datetime] = _now()


class GraphStep(Base):
    __tablename__ = "graph_steps"
    __table_args__ = (
        one_of("status", st.GRAPH_STEP_STATUSES),
        UniqueConstraint("event_id", "graph", "node"),
    )
    id: Mapped[int] = _id()
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    graph: Mapped[str] = mapped_column(Text)
    node: Mapped[str] = mapped_column(Text)
    state: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    status: Mapped[str] = mapped_column(Text, server_default="started")
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _now()


class AuditLog(Base):
    """Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE; another chains prev_hash/row_hash on INSERT."""

    __tablename__ = "audit_log"
    __table_args__ = (
        one_of("actor_type", st.ACTOR_TYPES),
        Index("ix_audit_log_entity", "entity", "entity_id", "id"),
        Index("ix_audit_log_ts", "ts"),
        Index("ix_audit_log_actor", "actor_type", "actor_id", "id"),
    )
    id: Mapped[int] = _id()
    ts: Mapped[datetime] = _now()
    actor_type: Mapped[str] = mapped_column(Text, server_default="system")
    actor_id: Mapped[str] = mapped_column(Text, server_default="")
    entity: Mapped[str] = mapped_column(Text)
    entity_id: Mapped[str] = mapped_column(Text, server_default="")
    from_status: Mapped[str | None] = mapped_column(Text)
    to_status: Mapped[str | None] = mapped_column(Text)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", server_default=text("'{}'::jsonb"))
    prev_hash: Mapped[str | None] = mapped_column(Text)
    row_hash: Mapped[str | None] = mapped_column(Text)


class AuditAnchor(Base):
    """The chain's head after each audit row, sealed with the audit key when the writer had it (core.audit.seal).

    Append-only, and only the audit_log chain trigger may insert (migration audit_anchors)."""

    __tablename__ = "audit_anchors"
    __table_args__ = (CheckConstraint("(key_id IS NULL) = (seal IS NULL)", name="sealed_with_key"),)
    last_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # audit_log.id
    row_count: Mapped[int] = mapped_column(BigInteger)  # rows in the chain once that row was written
    head_hash: Mapped[str] = mapped_column(Text)  # that row's row_hash
    key_id: Mapped[str | None] = mapped_column(Text)
    seal: Mapped[str | None] = mapped_column(Text)
    anchored_at: Mapped[datetime] = _now()


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        one_of("direction", st.LEDGER_DIRECTIONS),
        one_of("category", st.LEDGER_CATEGORIES),
        one_of("source", st.LEDGER_SOURCES),
        non_negative("amount_cents"),
        UniqueConstraint("source", "ref"),
        Index("ix_ledger_entries_occurred_at", "occurred_at"),
        # canvas: burn, runway and spend by vendor read only these columns over a time range.
        Index("ix_ledger_entries_occurred_at_cover", "occurred_at",
              postgresql_include=["direction", "amount_cents", "counterparty", "category"]),
        # refunds and payments of one of our invoices (revenue_by_customer nets refunds through it).
        Index("ix_ledger_entries_invoice_id", "invoice_id", postgresql_where=text("invoice_id IS NOT NULL")),
    )
    id: Mapped[int] = _id()
    occurred_at: Mapped[datetime] = _now()
    direction: Mapped[str] = mapped_column(Text)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    counterparty: Mapped[str] = mapped_column(Text, server_default="")
    category: Mapped[str] = mapped_column(Text, server_default="other")
    source: Mapped[str] = mapped_column(Text, server_default="manual")
    ref: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, server_default="")
    # Our invoice a Stripe payment, refund or dispute belongs to, when known.
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"))


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[Any] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = _now()
    updated_by: Mapped[str] = mapped_column(Text, server_default="system")


class CanvasTaskDoneDaily(Base):
    """Rollup of done tasks per completion day, customer and model; kept exact by triggers on tasks (canvas)."""

    __tablename__ = "canvas_task_done_daily"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    model: Mapped[str] = mapped_column(Text, primary_key=True)
    tasks: Mapped[int] = mapped_column(BigInteger, server_default="0")
    reward_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    cost_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    profit_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    input_tokens: Mapped[int] = mapped_column(BigInteger, server_default="0")
    output_tokens: Mapped[int] = mapped_column(BigInteger, server_default="0")


class CanvasTaskCreatedDaily(Base):
    """Rollup of tasks per creation day and customer (created, now failed); kept exact by triggers (canvas)."""

    __tablename__ = "canvas_task_created_daily"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    created: Mapped[int] = mapped_column(BigInteger, server_default="0")
    failed: Mapped[int] = mapped_column(BigInteger, server_default="0")


class CanvasTaskDurationDaily(Base):
    """Histogram of time-to-done per completion day in 2 % log buckets (canvas median); kept by triggers."""

    __tablename__ = "canvas_task_duration_daily"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    tasks: Mapped[int] = mapped_column(BigInteger, server_default="0")


class SigninAttempt(Base):
    """One console sign-in attempt (never the password): backoff and lockout are counted from these rows."""

    __tablename__ = "signin_attempts"
    __table_args__ = (Index("ix_signin_attempts_client_at", "client", "at"), Index("ix_signin_attempts_at", "at"))
    id: Mapped[int] = _id()
    at: Mapped[datetime] = _now()
    client: Mapped[str] = mapped_column(Text)
    ok: Mapped[bool] = mapped_column(Boolean)
