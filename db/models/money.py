"""The ledger of money in and out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from db import statuses as st
from db.base import Base, created_now, id_pk, non_negative, one_of


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        one_of("direction", st.LEDGER_DIRECTIONS),
        one_of("category", st.LEDGER_CATEGORIES),
        one_of("source", st.LEDGER_SOURCES),
        non_negative("amount_cents"),
        UniqueConstraint("source", "ref"),
        Index("ix_ledger_entries_occurred_at", "occurred_at"),
        # canvas: burn, runway and spend by vendor read only these columns over a time range.
        Index("ix_ledger_entries_occurred_at_cover", "occurred_at",
              postgresql_include=["direction", "amount_cents", "counterparty", "category"]),
        # refunds and payments of one of our invoices (revenue_by_customer nets refunds through it).
        Index("ix_ledger_entries_invoice_id", "invoice_id", postgresql_where=text("invoice_id IS NOT NULL")),
    )
    id: Mapped[int] = id_pk()
    occurred_at: Mapped[datetime] = created_now()
    direction: Mapped[str] = mapped_column(Text)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    counterparty: Mapped[str] = mapped_column(Text, server_default="")
    category: Mapped[str] = mapped_column(Text, server_default="other")
    source: Mapped[str] = mapped_column(Text, server_default="manual")
    ref: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, server_default="")
    # Our invoice a Stripe payment, refund or dispute belongs to, when known.
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"))
