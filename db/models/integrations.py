"""Outside workspaces the operator connected (SPEC §15) and the one-time OAuth states of connects under way."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db import statuses as st
from db.base import Base, created_now, id_pk, one_of


class Integration(Base):
    """One connected account per provider; its secrets are Fernet tokens (core.integrations.tokens), never plain."""

    __tablename__ = "integrations"
    __table_args__ = (
        one_of("provider", st.INTEGRATION_PROVIDERS),
        one_of("status", st.INTEGRATION_STATUSES),
        UniqueConstraint("provider"),
    )
    id: Mapped[int] = id_pk()
    provider: Mapped[str] = mapped_column(Text)
    account_email_encrypted: Mapped[str] = mapped_column(Text)
    refresh_token_encrypted: Mapped[str] = mapped_column(Text)
    scopes: Mapped[str] = mapped_column(Text, server_default="")  # space-separated, as OAuth writes them
    status: Mapped[str] = mapped_column(Text, server_default="connected")
    connected_at: Mapped[datetime] = created_now()
    connected_by: Mapped[str] = mapped_column(Text, server_default="")


class OAuthState(Base):
    """A consent flow under way: the SHA-256 of its `state`, valid until `expires_at`, used at most once."""

    __tablename__ = "oauth_states"
    __table_args__ = (
        one_of("provider", st.INTEGRATION_PROVIDERS),
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        Index("ix_oauth_states_expires_at", "expires_at"),
    )
    state_hash: Mapped[str] = mapped_column(Text, primary_key=True)
    provider: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_now()
    expires_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(Text, server_default="")
