"""Plans (SPEC §13): what a customer's subscription allows each month, and each customer's plan history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from db import statuses as st
from db.base import Base, created_now, id_pk, non_negative, one_of


class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint("monthly_task_cap IS NULL OR monthly_task_cap >= 0", name="monthly_task_cap_non_negative"),
        non_negative("monthly_price_cents"),
        CheckConstraint("name ~ '^[a-z][a-z0-9_-]{0,39}$'", name="name_slug"),
    )
    name: Mapped[str] = mapped_column(Text, primary_key=True)
    # Tasks a customer on this plan may start in one calendar month (UTC); NULL: unlimited.
    monthly_task_cap: Mapped[int | None] = mapped_column(Integer)
    monthly_price_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    # The Stripe Price a subscription to this plan carries (how a webhook names the plan); unique when set.
    stripe_price_id: Mapped[str | None] = mapped_column(Text, unique=True)
    created_at: Mapped[datetime] = created_now()
    updated_at: Mapped[datetime] = created_now()


class PlanChange(Base):
    """One change of a customer's plan: from where, to what, and what made it (a webhook, the operator)."""

    __tablename__ = "plan_changes"
    __table_args__ = (
        one_of("source", st.PLAN_CHANGE_SOURCES),
        Index("ix_plan_changes_customer_id_changed_at", "customer_id", "changed_at"),
    )
    id: Mapped[int] = id_pk()
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    from_plan: Mapped[str | None] = mapped_column(Text)
    to_plan: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    stripe_event_id: Mapped[str | None] = mapped_column(Text)
    subscription_status: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = created_now()
