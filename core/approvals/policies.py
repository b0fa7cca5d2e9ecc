"""Approval policies per action type: `manual` (default), `auto`, or `auto_below` an amount in cents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.audit import Actor, record_audit
from core.config.cents import dollars
from core.errors import InvalidInput
from db.models import Setting

POLICY_MODES = ("manual", "auto", "auto_below")
# The action types the executor knows; the policy editor offers these.
ACTION_TYPES = ("email", "slack", "stripe_checkout", "gmail_draft", "sheets_append")
_ACTION_TYPE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


class PolicyError(InvalidInput):
    """A policy that cannot be stored (unknown mode, missing or negative limit, bad action type)."""


@dataclass(frozen=True)
class Policy:
    """How proposals of one action type get approved."""

    action_type: str
    mode: str = "manual"
    limit_cents: int | None = None

    def allows_auto(self, payload: dict[str, Any]) -> bool:
        """Whether a proposal with this payload is approved by the policy itself."""
        if self.mode == "auto":
            return True
        if self.mode == "auto_below" and self.limit_cents is not None:
            amount = payload.get("amount_cents")
            # Only a real integer amount qualifies: a missing or odd amount waits for a human.
            return isinstance(amount, int) and not isinstance(amount, bool) and 0 <= amount < self.limit_cents
        return False

    def describe(self) -> str:
        """One line for the audit log and the page."""
        if self.mode == "auto_below":
            return f"auto below {dollars(self.limit_cents or 0)}"
        return self.mode


def policy_key(action_type: str) -> str:
    """The `settings` key holding the policy of `action_type`."""
    return f"policy.{action_type}"


def _check_action_type(action_type: str) -> None:
    if not action_type or len(action_type) > 64 or not set(action_type) <= _ACTION_TYPE_CHARS:
        raise PolicyError(f"action type must be lower-case letters, digits or _ (got {action_type!r})")


def _from_value(action_type: str, value: Any) -> Policy:
    if not isinstance(value, dict) or value.get("mode") not in POLICY_MODES:
        return Policy(action_type)  # an unreadable stored value never loosens approval
    limit = value.get("limit_cents")
    if value["mode"] == "auto_below" and not (isinstance(limit, int) and limit >= 0):
        return Policy(action_type)
    return Policy(action_type, value["mode"], limit if value["mode"] == "auto_below" else None)


def get_policy(session: Session, action_type: str) -> Policy:
    """The stored policy of `action_type`, or `manual` when none is stored."""
    value = session.execute(select(Setting.value).where(Setting.key == policy_key(action_type))).scalar_one_or_none()
    return _from_value(action_type, value)


def list_policies(session: Session) -> list[Policy]:
    """The policy of every known action type plus any other stored one, sorted by action type."""
    rows = session.execute(select(Setting.key, Setting.value).where(Setting.key.like("policy.%"))).all()
    stored = {key.removeprefix("policy."): _from_value(key.removeprefix("policy."), value) for key, value in rows}
    for action_type in ACTION_TYPES:
        stored.setdefault(action_type, Policy(action_type))
    return [stored[k] for k in sorted(stored)]


def set_policy(
    session: Session, action_type: str, mode: str, limit_cents: int | None, actor: Actor
) -> Policy:
    """Validate and store a policy, with an audit row (entity `setting`). No commit."""
    _check_action_type(action_type)
    if mode not in POLICY_MODES:
        raise PolicyError(f"policy mode must be one of {', '.join(POLICY_MODES)} (got {mode!r})")
    if mode == "auto_below":
        if limit_cents is None or isinstance(limit_cents, bool) or not isinstance(limit_cents, int) or limit_cents < 0:
            raise PolicyError("auto_below needs a limit of zero or more cents")
    else:
        limit_cents = None
    old = get_policy(session, action_type)
    new = Policy(action_type, mode, limit_cents)
    value: dict[str, Any] = {"mode": mode}
    if limit_cents is not None:
        value["limit_cents"] = limit_cents
    key = policy_key(action_type)
    session.execute(
        insert(Setting)
        .values(key=key, value=value, updated_by=f"{actor.type}:{actor.id}")
        .on_conflict_do_update(
            index_elements=["key"], set_={"value": value, "updated_at": func.now(), "updated_by": f"{actor.type}:{actor.id}"}
        )
    )
    record_audit(session, actor, "setting", key, old.describe(), new.describe(),
                 {"old": {"mode": old.mode, "limit_cents": old.limit_cents}, "new": value})
    return new
