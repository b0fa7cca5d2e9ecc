"""Leads, customers, their invoices and the tasks done for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from db import statuses as st
from db.base import Base, created_now, id_pk, non_negative, one_of


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (
        one_of("status", st.LEAD_STATUSES),
        UniqueConstraint("email"),
        Index("ix_leads_status_id", "status", "id"),
        Index("ix_leads_created_at", "created_at"),  # canvas: lead funnel over a period
    )
    id: Mapped[int] = id_pk()
    company: Mapped[str] = mapped_column(Text)
    contact_name: Mapped[str] = mapped_column(Text, server_default="")
    email: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, server_default="manual")
    status: Mapped[str] = mapped_column(Text, server_default="new")
    created_at: Mapped[datetime] = created_now()
    last_contacted_at: Mapped[datetime | None]
    notes: Mapped[str] = mapped_column(Text, server_default="")


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        one_of("status", st.CUSTOMER_STATUSES),
        CheckConstraint("subscription_status IS NULL OR subscription_status IN ("
                        + ", ".join(f"'{s}'" for s in st.SUBSCRIPTION_STATUSES) + ")", name="subscription_status"),
        CheckConstraint("monthly_budget_cents IS NULL OR monthly_budget_cents >= 0", name="monthly_budget_non_negative"),
        one_of("delivery", st.DELIVERY_MODES),
    )
    id: Mapped[int] = id_pk()
    company: Mapped[str] = mapped_column(Text)
    contact_email: Mapped[str] = mapped_column(Text, server_default="")
    plan: Mapped[str] = mapped_column(ForeignKey("plans.name"), server_default="starter")
    status: Mapped[str] = mapped_column(Text, server_default="active")
    notes: Mapped[str] = mapped_column(Text, server_default="")
    # One customer per lead, enforced here rather than in code.
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"), unique=True)
    stripe_customer_id: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_now()
    # The subscription as Stripe last told us (SPEC §13); the last applied event orders later ones.
    stripe_subscription_id: Mapped[str | None] = mapped_column(Text)
    subscription_status: Mapped[str | None] = mapped_column(Text)
    plan_changed_at: Mapped[datetime | None]
    last_subscription_event_at: Mapped[datetime | None]
    last_subscription_event_id: Mapped[str | None] = mapped_column(Text)
    # Monthly LLM spend cap for this customer's tasks; NULL: none (core.plans.budgets).
    monthly_budget_cents: Mapped[int | None] = mapped_column(BigInteger)
    # SPEC §15: how `deliver` proposals go out, and the Google Sheet that gains a row per done task (NULL: none).
    delivery: Mapped[str] = mapped_column(Text, server_default="email")
    sheet_id: Mapped[str | None] = mapped_column(Text)


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        one_of("status", st.INVOICE_STATUSES),
        non_negative("amount_cents"),
        Index("ix_invoices_customer_id", "customer_id"),
        Index("ix_invoices_status_created_at", "status", "created_at"),
        Index("ix_invoices_created_at", "created_at"),
    )
    id: Mapped[int] = id_pk()
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    amount_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    status: Mapped[str] = mapped_column(Text, server_default="draft")
    checkout_url: Mapped[str | None] = mapped_column(Text)
    stripe_session_id: Mapped[str | None] = mapped_column(Text, unique=True)
    notes: Mapped[str] = mapped_column(Text, server_default="")
    created_at: Mapped[datetime] = created_now()
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
        Index("ix_tasks_agent", "agent"),
        # canvas: index-only aggregation of finished tasks and of task creation over time ranges.
        Index("ix_tasks_done_completed_at", "completed_at", postgresql_where=text("status = 'done'"),
              postgresql_include=["created_at", "customer_id", "reward_cents", "cost_cents", "profit_cents",
                                  "input_tokens", "output_tokens", "model"]),
        Index("ix_tasks_created_at_status", "created_at", postgresql_include=["status"]),
        # Entitlements: a customer's admissions this month (index-only count) and its held tasks, oldest first.
        Index("ix_tasks_customer_id_admitted_at", "customer_id", "admitted_at"),
        # A customer's month of done tasks (earned, ROI on the Customers page), index-only.
        Index("ix_tasks_customer_done_at", "customer_id", "completed_at",
              postgresql_include=["reward_cents", "cost_cents", "agent"], postgresql_where=text("status = 'done'")),
        Index("ix_tasks_held", "customer_id", "created_at", "id", postgresql_where=text("status = 'held'")),
        # Monthly LLM spend per customer and per worker (the budget check before every LLM call, the
        # Customers page): index-only sums over this month's rows.
        Index("ix_tasks_customer_spent_at", "customer_id", "spent_at", postgresql_include=["cost_cents"]),
        Index("ix_tasks_agent_spent_at", "agent", "spent_at", postgresql_include=["cost_cents"],
              postgresql_where=text("agent IS NOT NULL")),
        # The Failures page: one page of failed tasks, newest last attempt first, and their count.
        Index("ix_tasks_failed_at", text("coalesce(started_at, created_at)"), "id",
              postgresql_where=text("status = 'failed'")),
    )
    id: Mapped[int] = id_pk()
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    # The worker that does it (SPEC §12); NULL: the Ops pool's default single-prompt path.
    agent: Mapped[str | None] = mapped_column(ForeignKey("agents.name"))
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
    run_after: Mapped[datetime] = created_now()
    claimed_by: Mapped[str | None] = mapped_column(Text)
    lease_expires_at: Mapped[datetime | None]
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    created_at: Mapped[datetime] = created_now()
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    # The review gate (SPEC §12): how often the operator sent it back, and the note of the latest request.
    revision: Mapped[int] = mapped_column(Integer, server_default="0")
    review_note: Mapped[str | None] = mapped_column(Text)
    # When the plan admitted it (pending at creation, or released from `held`): what uses a month's slot.
    admitted_at: Mapped[datetime | None] = mapped_column(server_default=func.now())
    held_reason: Mapped[str | None] = mapped_column(Text)
    # When the task's LLM spend counts (SPEC §13's monthly caps): finished, else started. Kept by Postgres.
    spent_at: Mapped[datetime | None] = mapped_column(Computed("COALESCE(completed_at, started_at)", persisted=True))
