"""The `budget_increase` executor: an approved raise of the daily LLM budget (no outside call).

Payload: {"proposed_budget_cents": int, ...} — drafted by the Ops pool when the day's budget is spent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.approvals.executors.base import PermanentError
from core.audit import Actor
from core.config.settings import Settings
from core.config.store import set_daily_budget_cents, validate_cents


def execute(settings: Settings, payload: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
    """Validate the new budget; nothing leaves the building."""
    try:
        cents = validate_cents(payload.get("proposed_budget_cents"), field="proposed_budget_cents")
    except ValueError as exc:
        raise PermanentError(str(exc)) from None
    if cents is None:
        raise PermanentError("proposed_budget_cents is required")
    return {"daily_budget_cents": cents}


def apply(session: Session, payload: dict[str, Any], result: dict[str, Any], actor: Actor) -> None:
    """Store the approved budget; the Ops pool reads it before its next claim."""
    set_daily_budget_cents(session, result["daily_budget_cents"], actor)
