"""Proposals awaiting the operator and the executions of approved ones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from db import statuses as st
from db.base import Base, created_now, id_pk, one_of


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
        Index("ix_action_proposals_slack_stale", "id",  # posted messages that show an older status
              postgresql_where=text("slack_ts IS NOT NULL AND slack_shown_status IS DISTINCT FROM status")),
    )
    id: Mapped[int] = id_pk()
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    vertical: Mapped[str] = mapped_column(Text)
    action_type: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default="pending")
    urgency: Mapped[str] = mapped_column(Text, server_default="medium")
    title: Mapped[str] = mapped_column(Text)
    reasoning: Mapped[str] = mapped_column(Text, server_default="")
    payload: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    dedupe_key: Mapped[str] = mapped_column(Text, unique=True)
    created_at: Mapped[datetime] = created_now()
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(Text)
    decision_note: Mapped[str | None] = mapped_column(Text)
    # SPEC §14: version 2 of a revised draft points at version 1; the trust ledger's open→decision clock.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("action_proposals.id"))
    opened_at: Mapped[datetime | None]
    notified_at: Mapped[datetime | None]  # Slack post and approval emails sent (or nothing to send)
    escalations: Mapped[int] = mapped_column(Integer, server_default="0")  # 1: re-notified, 2: owner told
    slack_channel: Mapped[str | None] = mapped_column(Text)
    slack_ts: Mapped[str | None] = mapped_column(Text)
    slack_shown_status: Mapped[str | None] = mapped_column(Text)  # the status the Slack message last showed
    edit_distance: Mapped[int | None] = mapped_column(Integer)  # characters changed by an edit before approval


class Execution(Base):
    __tablename__ = "executions"
    __table_args__ = (
        one_of("status", st.EXECUTION_STATUSES),
        Index("ix_executions_queued", "id", postgresql_where=text("status = 'queued'")),
        Index("ix_executions_proposal_id", "proposal_id"),
        # The Failures page: failed and unknown executions by their finish (or start).
        Index("ix_executions_failed_at", text("coalesce(finished_at, started_at, created_at)"), "id",
              postgresql_where=text("status IN ('failed', 'unknown')")),
    )
    id: Mapped[int] = id_pk()
    proposal_id: Mapped[int] = mapped_column(ForeignKey("action_proposals.id"))
    status: Mapped[str] = mapped_column(Text, server_default="queued")
    idempotency_key: Mapped[str] = mapped_column(Text, unique=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    result: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    error: Mapped[str | None] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[datetime] = created_now()
