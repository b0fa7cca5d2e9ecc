"""The append-only audit log and its anchors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Index,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from db import statuses as st
from db.base import Base, created_now, id_pk, one_of


class AuditLog(Base):
    """Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE; another chains prev_hash/row_hash on INSERT."""

    __tablename__ = "audit_log"
    __table_args__ = (
        one_of("actor_type", st.ACTOR_TYPES),
        Index("ix_audit_log_entity", "entity", "entity_id", "id"),
        Index("ix_audit_log_ts", "ts"),
        Index("ix_audit_log_actor", "actor_type", "actor_id", "id"),
    )
    id: Mapped[int] = id_pk()
    ts: Mapped[datetime] = created_now()
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
    """The chain's head after each audit row, unkeyed (the key seals the witness outside, core.audit.seal).

    Append-only, and only the audit_log chain trigger may insert (migrations audit_anchors, audit_unkeyed_anchors)."""

    __tablename__ = "audit_anchors"
    last_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # audit_log.id
    row_count: Mapped[int] = mapped_column(BigInteger)  # rows in the chain once that row was written
    head_hash: Mapped[str] = mapped_column(Text)  # that row's row_hash
    anchored_at: Mapped[datetime] = created_now()
