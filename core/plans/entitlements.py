"""Whether a customer's plan admits one more task this month: the status a new task is stored with."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Admission:
    """The status a new task starts in (`pending`, or `held` over the plan's cap) and why."""

    status: str
    reason: str | None = None


def admit(session: Session, customer_id: int) -> Admission:
    """The admission of one new task for `customer_id`, decided inside the caller's transaction.

    Every path that creates a task asks here (through core.workforce.intake.add_task). Until plans carry caps
    every task is admitted.
    """
    return Admission("pending")
