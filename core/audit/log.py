"""The audit log: one append-only row per state change, written in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Actor:
    """Who did something: `system`, `user`, `policy` or `agent`, and which one."""

    type: str
    id: str

    @property
    def label(self) -> str:
        """How the actor is named in a column: the operator's name, or `type:id` for a policy, agent or system."""
        return self.id if self.type == "user" else f"{self.type}:{self.id}"

    @staticmethod
    def agent(name: str) -> "Actor":
        return Actor("agent", name)

    @staticmethod
    def user(name: str) -> "Actor":
        return Actor("user", name or "operator")

    @staticmethod
    def system(name: str = "system") -> "Actor":
        return Actor("system", name)

    @staticmethod
    def policy(name: str) -> "Actor":
        return Actor("policy", name)


# A named statement, not an ORM insert: every state change writes one, the Ops pool several per task, and the
# ORM's per-call statement building cost more CPU than the round trip.
_INSERT_AUDIT = text("""
    INSERT INTO audit_log (actor_type, actor_id, entity, entity_id, from_status, to_status, metadata)
    VALUES (:actor_type, :actor_id, :entity, :entity_id, :from_status, :to_status, :metadata)
""").bindparams(bindparam("metadata", type_=JSONB))


def record_audit(
    session: Session,
    actor: Actor,
    entity: str,
    entity_id: int | str,
    from_status: str | None,
    to_status: str | None,
    metadata: dict[str, Any] | None = None,
) -> None:
    """Append one audit row in the session's current transaction (no commit here)."""
    session.execute(_INSERT_AUDIT, {
        "actor_type": actor.type, "actor_id": actor.id, "entity": entity, "entity_id": str(entity_id),
        "from_status": from_status, "to_status": to_status, "metadata": metadata or {}})
