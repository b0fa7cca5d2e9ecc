"""The workforce's own table: each LLM call of a worker's workflow, checkpointed (SPEC §12)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from db import statuses as st
from db.base import Base, created_now, id_pk, non_negative, one_of


class TaskStep(Base):
    """One step of one task's workflow in one revision: the exact prompt and response, usage, cost and artifact."""

    __tablename__ = "task_steps"
    __table_args__ = (
        one_of("status", st.TASK_STEP_STATUSES),
        non_negative("cost_cents"),
        non_negative("input_tokens"),
        non_negative("output_tokens"),
        # One live row per (task, step): a revision supersedes the rows it re-runs instead of deleting them.
        Index("ix_task_steps_live", "task_id", "idx", unique=True, postgresql_where=text("status <> 'superseded'")),
        Index("ix_task_steps_task_id", "task_id", "id"),
        # The daily budget counts the spend of steps whose task is not done yet (a done task is in the rollup).
        Index("ix_task_steps_finished_at", "finished_at"),
    )
    id: Mapped[int] = id_pk()
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    idx: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, server_default="0")
    status: Mapped[str] = mapped_column(Text, server_default="running")
    attempt: Mapped[int] = mapped_column(Integer, server_default="0")  # LLM calls made for this row, all tries
    artifact: Mapped[str | None] = mapped_column(Text)
    prompt: Mapped[str | None] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(Text)
    input_tokens: Mapped[int] = mapped_column(Integer, server_default="0")
    output_tokens: Mapped[int] = mapped_column(Integer, server_default="0")
    cost_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = created_now()
    finished_at: Mapped[datetime | None]
