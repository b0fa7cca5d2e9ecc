"""Customer memory (SPEC §20): lessons learned about a customer (optionally for one worker), carried by prompts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Text
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from db import statuses as st
from db.base import Base, created_now, id_pk, one_of


class CustomerLesson(Base):
    """One lesson: its text, its source, who added it and when; forgotten lessons stay, inactive, for the trace."""

    __tablename__ = "customer_lessons"
    __table_args__ = (
        one_of("source", st.LESSON_SOURCES),
        # The claim reads a customer's newest active lessons.
        Index("ix_customer_lessons_active", "customer_id", "id", postgresql_where=sql_text("active")),
    )
    id: Mapped[int] = id_pk()
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    agent: Mapped[str | None] = mapped_column(ForeignKey("agents.name", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    added_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_now()
    updated_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("true"))
