"""Executors of approved proposals, one module per action type (see `adapter_for`)."""

from __future__ import annotations

from types import ModuleType

from core.approvals.executors import (
    budget_increase,
    deliver,
    email,
    gmail_draft,
    policy_change,
    review,
    sheets_append,
    slack,
    stripe_checkout,
)
from core.approvals.executors.base import PermanentError, TransientError

ADAPTERS: dict[str, ModuleType] = {
    "email": email, "slack": slack, "stripe_checkout": stripe_checkout,
    # A worker's finished artifact to the customer (SPEC §12); goes out as an email, so it is not RESEND_SAFE.
    "deliver": deliver,
    "gmail_draft": gmail_draft, "sheets_append": sheets_append,
    # Internal actions: approved like any other, but nothing leaves the building.
    "budget_increase": budget_increase, "review": review, "policy_change": policy_change,
}

# Action types that cannot take effect twice when run again with their idempotency key: Stripe answers a
# repeated key with its first answer (for 24 hours), and the internal ones only write our own tables. An
# email or a Slack message has no such guard, so an unknown outcome of one is never retried in bulk. The Google
# ones look before they write (a draft with the execution's Message-ID, a row with the task's marker).
RESEND_SAFE = frozenset({"stripe_checkout", "budget_increase", "review", "gmail_draft", "sheets_append", "policy_change"})

__all__ = ["ADAPTERS", "RESEND_SAFE", "PermanentError", "TransientError", "adapter_for"]


def adapter_for(action_type: str) -> ModuleType | None:
    """The module with `execute(settings, payload, *, idempotency_key)` and `apply(...)` for `action_type`."""
    return ADAPTERS.get(action_type)
