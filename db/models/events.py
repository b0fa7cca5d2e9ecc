"""Incoming events and the money graph's steps over them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from db import statuses as st
from db.base import Base, created_now, id_pk, one_of


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        one_of("status", st.EVENT_STATUSES),
        UniqueConstraint("source", "dedupe_key"),
        Index("ix_events_received", "received_at", "id", postgresql_where=text("status = 'received'")),
        Index("ix_events_failed", "processed_at", "id", postgresql_where=text("status = 'failed'")),
        # The Failures page: failed events by their last attempt.
        Index("ix_events_failed_at", text("coalesce(processed_at, received_at)"), "id",
              postgresql_where=text("status = 'failed'")),
        Index("ix_events_type_occurred_at", "type", "occurred_at"),
        Index("ix_events_occurred_at", "occurred_at"),
        # canvas: the newest failed payments straight off an index, however many other events there are.
        Index("ix_events_failed_payments", "occurred_at", "id",
              postgresql_where=text("type IN ('invoice.payment_failed', 'charge.failed')")),
    )
    id: Mapped[int] = id_pk()
    source: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = created_now()
    payload: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    dedupe_key: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default="received")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = created_now()
    processed_at: Mapped[datetime | None]


class GraphStep(Base):
    __tablename__ = "graph_steps"
    __table_args__ = (
        one_of("status", st.GRAPH_STEP_STATUSES),
        UniqueConstraint("event_id", "graph", "node"),
    )
    id: Mapped[int] = id_pk()
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    graph: Mapped[str] = mapped_column(Text)
    node: Mapped[str] = mapped_column(Text)
    state: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    status: Mapped[str] = mapped_column(Text, server_default="started")
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_now()
