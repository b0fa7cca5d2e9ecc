"""Approval policies per action type: `manual` (default), `auto`, or `auto_below` an amount in cents; who may
approve, from which amount two operators must, and the SLA (SPEC §4, §14). Stored in `settings` as one JSON value."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.approvals.acting import check
from core.approvals.payloads import ACTION_TYPES, POLICY_MODES, unknown_type
from core.approvals.permissions import allowed
from core.audit import Actor, record_audit
from core.config.store import MAX_CENTS, get_setting
from core.errors import InvalidInput
from core.money.cents import dollars
from db.models import Setting
from db.statuses import OPERATOR_ROLES

MAX_MINUTES = 366 * 24 * 60  # an SLA or an escalation longer than a year is a typo (and overflows a date)
TIMEOUT_ACTIONS = ("expire", "reject")
# The operator roles the permission table lets decide (owner, approver); a policy may narrow them, never widen.
APPROVING_ROLES = tuple(r for r in OPERATOR_ROLES if allowed(r, "decide_proposal"))
DEFAULT_APPROVERS = APPROVING_ROLES


class PolicyError(InvalidInput):
    """A policy that cannot be stored (unknown mode, missing or negative limit, bad action type)."""


@dataclass(frozen=True)
class Policy:
    """How proposals of one action type get approved."""

    action_type: str
    mode: str = "manual"
    limit_cents: int | None = None
    approvers: tuple[str, ...] = DEFAULT_APPROVERS
    two_person_above_cents: int | None = None
    sla_minutes: int | None = None
    on_timeout: str = "expire"
    escalate_after_minutes: int | None = None

    def required_approvals(self, payload: dict[str, Any]) -> int:
        """How many different operators must approve: two at or above `two_person_above_cents` (no amount = 0)."""
        if self.two_person_above_cents is None:
            return 1
        return 2 if payload_amount(payload) >= self.two_person_above_cents else 1

    def may_approve(self, role: str) -> bool:
        """Whether `role` may approve (or reject, or revise) this action type: the table's decide_proposal, then
        the policy's own `approvers` as a further restriction."""
        return allowed(role, "decide_proposal") and role in self.approvers

    def allows_auto(self, payload: dict[str, Any]) -> bool:
        """Whether a proposal with this payload is approved by the policy itself (never one needing two people)."""
        if self.required_approvals(payload) > 1:
            return False
        if self.mode == "auto":
            return True
        if self.mode == "auto_below" and self.limit_cents is not None:
            amount = payload.get("amount_cents")
            # Only a real integer amount qualifies: a missing or odd amount waits for a human.
            return isinstance(amount, int) and not isinstance(amount, bool) and 0 <= amount < self.limit_cents
        return False

    def describe(self) -> str:
        """One line for the audit log and the page."""
        text = f"auto below {dollars(self.limit_cents or 0)}" if self.mode == "auto_below" else self.mode
        if self.approvers != DEFAULT_APPROVERS:
            text += f"; approvers {','.join(self.approvers)}"
        if self.two_person_above_cents is not None:
            text += f"; two people from {dollars(self.two_person_above_cents)}"
        if self.sla_minutes is not None:
            text += f"; SLA {self.sla_minutes} min then {self.on_timeout}"
        if self.escalate_after_minutes is not None:
            text += f"; escalate after {self.escalate_after_minutes} min"
        return text

    def stored_value(self) -> dict[str, Any]:
        """The JSON kept in `settings`: only what differs from the defaults besides the mode."""
        value: dict[str, Any] = {"mode": self.mode}
        if self.limit_cents is not None:
            value["limit_cents"] = self.limit_cents
        if self.approvers != DEFAULT_APPROVERS:
            value["approvers"] = list(self.approvers)
        for name in ("two_person_above_cents", "sla_minutes", "escalate_after_minutes"):
            if getattr(self, name) is not None:
                value[name] = getattr(self, name)
        if self.sla_minutes is not None:
            value["on_timeout"] = self.on_timeout
        return value


def payload_amount(payload: dict[str, Any]) -> int:
    """The amount a payload moves, in cents: its integer `amount_cents`, else 0 (SPEC §14: no amount counts as 0)."""
    amount = payload.get("amount_cents") if isinstance(payload, dict) else None
    return amount if isinstance(amount, int) and not isinstance(amount, bool) and amount > 0 else 0


def policy_key(action_type: str) -> str:
    """The `settings` key holding the policy of `action_type`."""
    return f"policy.{action_type}"


def _check_action_type(action_type: str) -> None:
    """Refuse a type no executor knows (`policy set wire`, a typo like `emial`), naming the known ones."""
    if (refused := unknown_type(action_type)) is not None:
        raise PolicyError(refused)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _from_value(action_type: str, value: Any) -> Policy:
    if not isinstance(value, dict) or value.get("mode") not in POLICY_MODES:
        return Policy(action_type)  # an unreadable stored value never loosens approval
    limit = value.get("limit_cents")
    mode = value["mode"]
    if mode == "auto_below" and not (isinstance(limit, int) and limit >= 0):
        mode, limit = "manual", None
    approvers = value.get("approvers")
    roles = tuple(r for r in approvers if r in APPROVING_ROLES) if isinstance(approvers, list) else DEFAULT_APPROVERS
    on_timeout = value.get("on_timeout") if value.get("on_timeout") in TIMEOUT_ACTIONS else "expire"
    return Policy(action_type, mode, limit if mode == "auto_below" else None, roles or DEFAULT_APPROVERS,
                  _count(value.get("two_person_above_cents")), _count(value.get("sla_minutes")) or None, on_timeout,
                  _count(value.get("escalate_after_minutes")) or None)


def get_policy(session: Session, action_type: str) -> Policy:
    """The stored policy of `action_type`, or `manual` when none is stored."""
    return _from_value(action_type, get_setting(session, policy_key(action_type)))


def list_policies(session: Session) -> list[Policy]:
    """The policy of every known action type (payloads.ACTION_TYPES) plus any other stored one, sorted by type."""
    rows = session.execute(select(Setting.key, Setting.value).where(Setting.key.like("policy.%"))).all()
    stored = {key.removeprefix("policy."): _from_value(key.removeprefix("policy."), value) for key, value in rows}
    for action_type in ACTION_TYPES:
        stored.setdefault(action_type, Policy(action_type))
    return [stored[k] for k in sorted(stored)]


def set_policy(
    session: Session, action_type: str, mode: str, limit_cents: int | None, actor: Actor
) -> Policy:
    """Validate and store a policy's mode and limit (the rest stays as stored), audited (entity `setting`). No commit."""
    return update_policy(session, action_type, actor, mode=mode, limit_cents=limit_cents)


def update_policy(session: Session, action_type: str, actor: Actor, **changes: Any) -> Policy:
    """Change some fields of a policy (the others stay as stored), validated, stored and audited. No commit.

    Fields: mode, limit_cents, approvers (roles), two_person_above_cents, sla_minutes, on_timeout,
    escalate_after_minutes; a value of None clears an optional one. PolicyError for anything invalid.
    """
    check(session, actor, "change_policy")
    _check_action_type(action_type)
    old = get_policy(session, action_type)
    unknown = set(changes) - {f for f in Policy.__dataclass_fields__ if f != "action_type"}
    if unknown:
        raise PolicyError(f"unknown policy field(s): {', '.join(sorted(unknown))}")
    new = _validated(replace(old, **changes), changes)
    value = new.stored_value()
    key = policy_key(action_type)
    session.execute(
        insert(Setting)
        .values(key=key, value=value, updated_by=f"{actor.type}:{actor.id}")
        .on_conflict_do_update(
            index_elements=["key"], set_={"value": value, "updated_at": func.now(), "updated_by": f"{actor.type}:{actor.id}"}
        )
    )
    record_audit(session, actor, "setting", key, old.describe(), new.describe(),
                 {"old": {"mode": old.mode, "limit_cents": old.limit_cents, **old.stored_value()}, "new": value})
    return new


def _validated(policy: Policy, changes: dict[str, Any]) -> Policy:
    if policy.mode not in POLICY_MODES:
        raise PolicyError(f"policy mode must be one of {', '.join(POLICY_MODES)} (got {policy.mode!r})")
    limit = policy.limit_cents
    if policy.mode == "auto_below":
        if limit is None or isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= MAX_CENTS:
            raise PolicyError(f"auto_below needs a limit from 0 to {MAX_CENTS} cents")
    else:
        policy = replace(policy, limit_cents=None)
    approvers = tuple(dict.fromkeys(policy.approvers))
    if not approvers or not set(approvers) <= set(APPROVING_ROLES):
        raise PolicyError(f"approvers must be one or more of {', '.join(APPROVING_ROLES)} (got {','.join(approvers)!r})")
    for name, most in (("two_person_above_cents", MAX_CENTS), ("sla_minutes", MAX_MINUTES),
                       ("escalate_after_minutes", MAX_MINUTES)):
        value = getattr(policy, name)
        if value is not None and (_count(value) is None or value > most):
            raise PolicyError(f"{name} must be from 0 to {most} (got {str(value)[:24]})")
    for name in ("sla_minutes", "escalate_after_minutes"):
        if getattr(policy, name) == 0:
            raise PolicyError(f"{name} must be at least 1 minute")
    if policy.on_timeout not in TIMEOUT_ACTIONS:
        raise PolicyError(f"on_timeout must be expire or reject (got {policy.on_timeout!r})")
    if "on_timeout" in changes and policy.sla_minutes is None:
        raise PolicyError("on_timeout needs sla_minutes")
    return replace(policy, approvers=approvers)


def deadline(policy: Policy, created_at: datetime) -> datetime | None:
    """When a proposal of this policy times out, or None without an SLA."""
    return None if policy.sla_minutes is None else created_at + timedelta(minutes=policy.sla_minutes)


def time_left_text(policy: Policy, created_at: datetime, now: datetime) -> str | None:
    """"23 min left (then expire)" for a card, or None without an SLA."""
    due = deadline(policy, created_at)
    if due is None:
        return None
    minutes = int((due - now).total_seconds() // 60)
    if minutes < 0:
        return f"SLA passed; it will {policy.on_timeout} at the executor's next pass"
    return f"{minutes // 60} h {minutes % 60} min left (then {policy.on_timeout})" if minutes >= 60 else (
        f"{minutes} min left (then {policy.on_timeout})")
