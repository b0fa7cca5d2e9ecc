"""Operators and their roles, the approvals of the two-person rule, and the used nonces of email links (SPEC §14)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from db import statuses as st
from db.base import Base, created_now, id_pk, one_of


class Operator(Base):
    __tablename__ = "operators"
    __table_args__ = (one_of("role", st.OPERATOR_ROLES),)
    id: Mapped[int] = id_pk()
    name: Mapped[str] = mapped_column(Text, unique=True)
    email: Mapped[str | None] = mapped_column(Text, unique=True)
    role: Mapped[str] = mapped_column(Text, server_default="viewer")
    slack_user_id: Mapped[str | None] = mapped_column(Text, unique=True)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = created_now()
    # SPEC §19: the operator's own sign-in (argon2) and API token (sha256 of a random token); never shown or logged.
    password_hash: Mapped[str | None] = mapped_column(Text)
    token_hash: Mapped[str | None] = mapped_column(Text, unique=True)


class Approval(Base):
    """One operator's approval of one proposal; a proposal needing two has two rows by different operators."""

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("proposal_id", "operator"),)
    id: Mapped[int] = id_pk()
    proposal_id: Mapped[int] = mapped_column(ForeignKey("action_proposals.id"))
    operator: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = created_now()


class UsedLinkNonce(Base):
    """The nonce of an email decision link once its confirming POST went through: a link works once."""

    __tablename__ = "used_link_nonces"
    __table_args__ = (Index("ix_used_link_nonces_proposal_id", "proposal_id"),)
    nonce: Mapped[str] = mapped_column(Text, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("action_proposals.id"))
    used_at: Mapped[datetime] = created_now()
