"""Settings, the canvas's daily rollups and sign-in attempts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Index,
    Integer,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, created_now, id_pk


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[Any] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = created_now()
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
    id: Mapped[int] = id_pk()
    at: Mapped[datetime] = created_now()
    client: Mapped[str] = mapped_column(Text)
    ok: Mapped[bool] = mapped_column(Boolean)
