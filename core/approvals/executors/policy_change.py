"""The `policy_change` executor: an approved suggestion of the trust ledger changes a policy (no outside call).

Payload: {"action_type": str, "mode": "manual" | "auto_below", "limit_cents": int?} — drafted by
core.approvals.trust; the change is audited like every policy change (entity `setting`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.approvals.executors.base import PermanentError, require_text
from core.approvals.policies import POLICY_MODES, update_policy
from core.audit import Actor
from core.config.settings import Settings


def execute(settings: Settings, payload: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
    """Check the suggested policy; nothing leaves the building."""
    action_type = require_text(payload, "action_type")
    if payload.get("mode") not in POLICY_MODES:
        raise PermanentError(f"payload field 'mode' must be one of {', '.join(POLICY_MODES)}")
    return {"action_type": action_type, "mode": payload["mode"], "limit_cents": payload.get("limit_cents")}


def apply(session: Session, payload: dict[str, Any], result: dict[str, Any], actor: Actor) -> None:
    """Store the approved policy (audited by update_policy)."""
    update_policy(session, result["action_type"], actor, mode=result["mode"], limit_cents=result["limit_cents"])
