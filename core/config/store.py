"""Operator-editable settings (the `settings` table): typed reads, validated and audited writes.

Each setting the console edits here has one key, one writer and one function that types its stored value. The
two budget keys are also read in SQL, with a task's other budget facts (task_budget_facts, migration
budget_facts_fn, called with core.plans.budgets.BUDGET_FACT_KEYS); those raw values are typed here too
(daily_budget_cents_from, max_cost_share_pct_from). Other owners keep their own keys in the same table
(core.approvals.policies `policy.*`, core.money.graph's spend alert threshold). A stored value of the wrong
type reads as unset (never as a looser limit) and is logged.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection, func, select, text
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.orm import Session

from core.audit import Actor, record_audit
from core.config.settings import Settings
from core.errors import InvalidInput
from db.models import Setting

log = logging.getLogger("hoss.settings")

DAILY_BUDGET_KEY = "ops.daily_budget_cents"
CASH_BALANCE_KEY = "cash_balance_cents"
MAX_COST_SHARE_KEY = "ops.max_cost_share_pct"
ROI_HOURLY_RATE_KEY = "roi.hourly_rate_cents"
ROI_HOURLY_RATE_DEFAULT_CENTS = 6000
MAX_CENTS = 10**13  # $100 billion: anything larger is a typo

Reader = Session | Connection  # the canvas reads through its read-only connection


class InvalidSettingValue(InvalidInput):
    """A value the setting refuses; the message says why."""


# A named statement, not an ORM select: the Ops pool reads settings before every LLM call, and the ORM's
# per-call statement building was a tenth of a slot's CPU.
_GET_SETTING = text("SELECT value FROM settings WHERE key = :key").columns(value=JSONB)


def get_setting(db: Reader, key: str, default: Any = None) -> Any:
    """The stored value for `key`, or `default`."""
    value = db.execute(_GET_SETTING, {"key": key}).scalar_one_or_none()
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
        raise InvalidSettingValue(f"{field} must be an integer number of cents between 0 and {MAX_CENTS}")
    return cents


def _stored_cents(db: Reader, key: str) -> int | None:
    return _cents_from(key, get_setting(db, key))


def _cents_from(key: str, value: Any) -> int | None:
    if value is None:
        return None
    try:
        return validate_cents(value, field=key)
    except InvalidSettingValue:
        log.warning("setting %s holds %r, which is not cents; it reads as unset until it is set again", key, value)
        return None


def get_cash_balance(db: Reader) -> int | None:
    """The operator's cash balance in cents (for runway), or None when unset or unreadable."""
    return _stored_cents(db, CASH_BALANCE_KEY)


def set_cash_balance(session: Session, cents: int | None, actor: Actor) -> None:
    """Set (or with None, clear) the cash balance used for runway; validated and audited; no commit."""
    set_setting(session, CASH_BALANCE_KEY, validate_cents(cents, field="Cash balance"), actor)


def get_daily_budget_cents(db: Reader, settings: Settings) -> int | None:
    """Today's LLM budget: the one set on the Agents page, else OPS_DAILY_BUDGET_CENTS, else None (no cap)."""
    return daily_budget_cents_from(get_setting(db, DAILY_BUDGET_KEY), settings)


def daily_budget_cents_from(value: Any, settings: Settings) -> int | None:
    """`get_daily_budget_cents` from the stored value already read (a query that reads it alongside other facts)."""
    stored = _cents_from(DAILY_BUDGET_KEY, value)
    return stored if stored is not None else settings.ops_daily_budget_cents


def set_daily_budget_cents(session: Session, cents: int | None, actor: Actor) -> None:
    """Set (or with None, clear) the daily LLM budget; validated and audited; no commit."""
    set_setting(session, DAILY_BUDGET_KEY, validate_cents(cents, field="Daily LLM budget"), actor)


def _percent(value: object, *, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise InvalidSettingValue(f"{field} must be a whole percentage from 0 to 100, or blank for none")
    return value


def get_max_cost_share_pct(db: Reader, settings: Settings) -> int | None:
    """The per-task LLM cost ceiling as a % of its reward: the stored setting, else OPS_MAX_COST_SHARE_PCT, else None."""
    return max_cost_share_pct_from(get_setting(db, MAX_COST_SHARE_KEY), settings)


def max_cost_share_pct_from(value: Any, settings: Settings) -> int | None:
    """`get_max_cost_share_pct` from the stored value already read (a query that reads it alongside other facts)."""
    try:
        stored = _percent(value, field=MAX_COST_SHARE_KEY)
    except InvalidSettingValue:
        log.warning("setting %s holds %r, which is not a percentage; it reads as unset", MAX_COST_SHARE_KEY, value)
        stored = None
    return stored if stored is not None else settings.ops_max_cost_share_pct


def set_max_cost_share_pct(session: Session, pct: int | None, actor: Actor) -> None:
    """Set (or with None, clear) the per-task cost ceiling; validated and audited; no commit."""
    set_setting(session, MAX_COST_SHARE_KEY, _percent(pct, field="Max cost share"), actor)


def get_roi_hourly_rate_cents(db: Reader) -> int:
    """What an hour of a person's time is worth (ROI, SPEC §13): the stored setting, else 6000 cents."""
    stored = _stored_cents(db, ROI_HOURLY_RATE_KEY)
    return stored if stored is not None else ROI_HOURLY_RATE_DEFAULT_CENTS


def set_roi_hourly_rate_cents(session: Session, cents: int | None, actor: Actor) -> None:
    """Set (or with None, clear back to the default) the ROI hourly rate; validated and audited; no commit."""
    set_setting(session, ROI_HOURLY_RATE_KEY, validate_cents(cents, field="ROI hourly rate"), actor)
