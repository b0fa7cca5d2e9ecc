"""The plans' periodic tick (scheduler): release held tasks that have room (a new month, a raised cap) and
warn about monthly LLM caps. Safe on every replica at once: releases lock the customer, warnings dedupe."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.plans.budgets import warn_budgets
from core.plans.entitlements import release_all_held

TICK_SECONDS = 300


@dataclass(frozen=True)
class TickResult:
    """What one tick did."""

    released: int
    warnings: int


def plans_tick(session: Session) -> TickResult:
    """Release held tasks with room this month, then draft the cap warnings due; commits."""
    released = release_all_held(session)
    warnings = len(warn_budgets(session))
    return TickResult(released, warnings)
