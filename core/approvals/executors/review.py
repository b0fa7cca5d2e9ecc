"""The `review` executor: a note for the operator (a refund, a dispute, an unknown invoice); approving it acknowledges it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.audit import Actor
from core.config.settings import Settings


def execute(settings: Settings, payload: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
    """Nothing goes out: the approval itself is the operator's acknowledgement."""
    return {"acknowledged": True}


def apply(session: Session, payload: dict[str, Any], result: dict[str, Any], actor: Actor) -> None:
    """A review changes nothing else in the database."""
