"""Whether the signed-in operator may press a control (SPEC §19): the permission table's answer, for a page.

A page passes `disabled` and `help` of `permit(action)` to the control, so a viewer sees the control greyed out
with the refusal sentence beside it. The click handler still calls a core function that checks the table
itself (core.approvals.acting), so a forged rerun is refused all the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.approvals.operators import role_of
from core.approvals.permissions import Action, refusal
from ui.context import app_context, current_actor, current_role


@dataclass(frozen=True)
class Permit:
    """A control's `disabled` flag and its `help`: the refusal sentence, or None when the operator may act."""

    disabled: bool
    help: str | None


def signed_in_role() -> str:
    """The signed-in operator's role: the one the sign-in fixed, else the operator's row (core role_of)."""
    role = current_role()
    if role is None:
        with app_context().sessions() as session:
            role = role_of(session, current_actor())
    return role


def permit(action: Action) -> Permit:
    """`disabled` and `help` for a control that takes `action`."""
    reason = refusal(signed_in_role(), action)
    return Permit(reason is not None, reason)
