"""The workforce's own tables: each LLM call of a worker's workflow, checkpointed (SPEC §12); the versions of a
worker's instructions and the golden-set eval runs (SPEC §20)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY
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
    version: Mapped[int | None] = mapped_column(Integer)  # the worker's instructions version this step ran
    # The customer lessons (customer_lessons ids) its prompt carried, newest first (SPEC §20).
    lesson_ids: Mapped[list[int] | None] = mapped_column(ARRAY(BigInteger))


class WorkerVersion(Base):
    """One version of a worker's instructions (tone, model, step prompts overriding the template's); never changed."""

    __tablename__ = "worker_versions"
    __table_args__ = (UniqueConstraint("agent", "version"),)
    id: Mapped[int] = id_pk()
    agent: Mapped[str] = mapped_column(ForeignKey("agents.name", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    tone: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(Text)
    step_prompts: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    note: Mapped[str] = mapped_column(Text, server_default="")
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_now()


class EvalRun(Base):
    """One run of a role's golden set (for a worker's version, or the template's defaults): its totals."""

    __tablename__ = "eval_runs"
    __table_args__ = (non_negative("cost_cents"), non_negative("cases"), non_negative("passed"),
                      Index("ix_eval_runs_agent", "agent", "id"))
    id: Mapped[int] = id_pk()
    role: Mapped[str] = mapped_column(Text)
    agent: Mapped[str | None] = mapped_column(ForeignKey("agents.name", ondelete="CASCADE"))
    version: Mapped[int | None] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(Text)
    cases: Mapped[int] = mapped_column(Integer, server_default="0")
    passed: Mapped[int] = mapped_column(Integer, server_default="0")
    cost_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    judge: Mapped[str] = mapped_column(Text, server_default="skipped")  # skipped | scored
    gate: Mapped[float | None] = mapped_column(Float)
    stopped: Mapped[str | None] = mapped_column(Text)  # why the run ended before its last case (the daily budget)
    started_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_now()
    finished_at: Mapped[datetime | None]


class EvalResult(Base):
    """One golden case's outcome in one eval run: passed, the failed checks in words, the judge, the cost."""

    __tablename__ = "eval_results"
    __table_args__ = (non_negative("cost_cents"), Index("ix_eval_results_run_id", "run_id"),
                      Index("ix_eval_results_created_at", "created_at"))
    id: Mapped[int] = id_pk()
    run_id: Mapped[int] = mapped_column(ForeignKey("eval_runs.id", ondelete="CASCADE"))
    case_id: Mapped[str] = mapped_column(Text)
    passed: Mapped[bool] = mapped_column(Boolean)
    failures: Mapped[dict[str, Any]] = mapped_column(server_default=text("'[]'::jsonb"))
    judge_score: Mapped[int | None] = mapped_column(Integer)
    judge_note: Mapped[str | None] = mapped_column(Text)
    cost_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    input_tokens: Mapped[int] = mapped_column(Integer, server_default="0")
    output_tokens: Mapped[int] = mapped_column(Integer, server_default="0")
    deliverable: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_now()
