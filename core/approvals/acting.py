"""A person acting (SPEC §19): the server-side check every surface's entry point makes, and the checked entry
points of the layers below approvals (config, money, integrations), which cannot look a role up themselves.

An agent, the scheduler, the policy or the executor is not a person: `role_of` answers owner for them, so the
check never stops the system's own work. Pages, the CLI and the API call these functions, never the unchecked
ones below (tests/approvals/test_acting.py guards it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.approvals.operators import role_of
from core.approvals.permissions import Action, require
from core.audit import Actor
from core.config import store
from core.config.settings import Settings
from core.integrations import connection
from core.money import invoices, ledger


def check(session: Session, actor: Actor, action: Action) -> None:
    """Refuse (core.errors.Forbidden, the table's sentence) unless `actor`'s role may take `action`."""
    require(role_of(session, actor), action)


def set_cash_balance(session: Session, cents: int | None, actor: Actor) -> None:
    """The cash balance for runway, if the actor may change settings. No commit."""
    check(session, actor, "change_settings")
    store.set_cash_balance(session, cents, actor)


def set_daily_budget_cents(session: Session, cents: int | None, actor: Actor) -> None:
    """The daily LLM budget, if the actor may change settings. No commit."""
    check(session, actor, "change_settings")
    store.set_daily_budget_cents(session, cents, actor)


def set_max_cost_share_pct(session: Session, pct: int | None, actor: Actor) -> None:
    """The plans' maximum LLM cost share, if the actor may change settings. No commit."""
    check(session, actor, "change_settings")
    store.set_max_cost_share_pct(session, pct, actor)


def set_roi_hourly_rate_cents(session: Session, cents: int | None, actor: Actor) -> None:
    """The ROI hourly rate, if the actor may change settings. No commit."""
    check(session, actor, "change_settings")
    store.set_roi_hourly_rate_cents(session, cents, actor)


def import_bank_csv(session: Session, text_: str, actor: Actor) -> ledger.ImportResult:
    """Import a bank CSV into the ledger (a money fact, the owner's), if the actor may change settings. Commits."""
    check(session, actor, "change_settings")
    return ledger.import_bank_csv(session, text_, actor)


def mark_invoice_paid(session: Session, invoice_id: int, actor: Actor, *, paid_at: datetime | None = None) -> bool:
    """Mark an invoice paid by hand (a money fact, the owner's), if the actor may change settings. No commit."""
    check(session, actor, "change_settings")
    return invoices.mark_invoice_paid(session, invoice_id, actor, paid_at=paid_at)


def start_connect(session: Session, settings: Settings, actor: Actor) -> str:
    """Google's consent URL for a new connection, if the actor may connect Google. No commit."""
    check(session, actor, "connect_google")
    return connection.start_connect(session, settings, actor)


def disconnect(session: Session, settings: Settings, actor: Actor) -> bool:
    """Disconnect Google, if the actor may connect Google; whether Google confirmed the revocation. No commit."""
    check(session, actor, "connect_google")
    return connection.disconnect(session, settings, actor)


# The unchecked functions above, by module: a surface (pages/, ui/, core/app) imports none of them.
UNCHECKED: dict[str, tuple[str, ...]] = {
    "core.config.store": ("set_cash_balance", "set_daily_budget_cents", "set_max_cost_share_pct",
                          "set_roi_hourly_rate_cents"),
    "core.money.ledger": ("import_bank_csv",),
    "core.money.invoices": ("mark_invoice_paid",),
    "core.integrations.connection": ("start_connect", "disconnect"),
}
