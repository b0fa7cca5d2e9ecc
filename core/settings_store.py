"""Operator-editable settings (the `settings` table): typed reads, validated and audited writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.audit import Actor, record_audit
from core.settings import Settings
from db.models import Setting

DAILY_BUDGET_KEY = "ops.daily_budget_cents"
CASH_BALANCE_KEY = "cash_balance_cents"
MAX_CENTS = 10**13  # $100 billion: anything larger is a typo


class InvalidSettingValue(ValueError):
    """A value the setting refuses; the message says why."""


@dataclass(frozen=True)
class MoneySettings:
    """The money settings the Agents page edits (None means unset)."""

    daily_budget_cents: int | None
    cash_balance_cents: int | None


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    """The stored value for `key`, or `default`."""
    value = session.execute(select(Setting.value).where(Setting.key == key)).scalar_one_or_none()
    return default if value is None else value


def set_setting(session: Session, key: str, value: Any, actor: Actor) -> Any:
    """Store `value` under `key` and write an audit row with the old and new values; return the old. No commit."""
    old = session.execute(select(Setting.value).where(Setting.key == key).with_for_update()).scalar_one_or_none()
    if old == value:
        return old
    session.execute(
        insert(Setting)
        .values(key=key, value=value, updated_by=f"{actor.type}:{actor.id}")
        .on_conflict_do_update(
            index_elements=["key"],
            set_={"value": value, "updated_at": func.now(), "updated_by": f"{actor.type}:{actor.id}"},
        )
    )
    record_audit(session, actor, "setting", key, None, None, {"from": old, "to": value})
    return old


def parse_cents(text_value: str, *, field: str) -> int | None:
    """Parse a dollar amount typed by the operator ("12.50", "$1,200") into cents; blank means unset."""
    raw = text_value.strip().replace(",", "").removeprefix("$").strip()
    if raw == "":
        return None
    try:
        whole, _, frac = raw.partition(".")
        if not whole.isdigit() and whole != "" or (frac and not frac.isdigit()) or len(frac) > 2:
            raise ValueError
        cents = int(whole or "0") * 100 + int((frac + "00")[:2] if frac else "0")
    except ValueError:
        raise InvalidSettingValue(f"{field} must be an amount in dollars like 25 or 25.50 (got {text_value!r})") from None
    return validate_cents(cents, field=field)


def validate_cents(cents: int | None, *, field: str) -> int | None:
    """An integer number of cents, 0 or more, or None."""
    if cents is None:
        return None
    if isinstance(cents, bool) or not isinstance(cents, int) or not 0 <= cents <= MAX_CENTS:
        raise InvalidSettingValue(f"{field} must be a whole number of cents between 0 and {MAX_CENTS}")
    return cents


def get_money_settings(session: Session, settings: Settings) -> MoneySettings:
    """The daily LLM budget (stored, else OPS_DAILY_BUDGET_CENTS) and the cash balance."""
    budget = get_setting(session, DAILY_BUDGET_KEY, settings.ops_daily_budget_cents)
    cash = get_setting(session, CASH_BALANCE_KEY)
    return MoneySettings(budget if isinstance(budget, int) else settings.ops_daily_budget_cents,
                         cash if isinstance(cash, int) else None)


def set_daily_budget_cents(session: Session, cents: int | None, actor: Actor) -> None:
    """Set (or with None, clear) the daily LLM budget; audited; no commit."""
    set_setting(session, DAILY_BUDGET_KEY, validate_cents(cents, field="Daily LLM budget"), actor)


def set_cash_balance_cents(session: Session, cents: int | None, actor: Actor) -> None:
    """Set (or with None, clear) the cash balance used for runway; audited; no commit."""
    set_setting(session, CASH_BALANCE_KEY, validate_cents(cents, field="Cash balance"), actor)
