"""The audit key: HMAC-SHA256 under a key derived from HOSS_SECRET_KEY, computed in Python only (SPEC §19).

The database keeps the unkeyed hash chain and its anchors (migrations console_audit_chain, audit_anchors,
audit_unkeyed_anchors); the key seals the witness of the head that `audit verify` keeps outside the database
(core.audit.witness), so that a witness forged to match a rewritten log is detected. No statement, parameter or
setting of a database session carries the key or anything derived from it but its public id: a trigger or a
statement log of the database owner has nothing to capture.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

# What a witness entry's seal covers, in this order.
WITNESS_FORMAT = "hoss-audit-witness-v1|{identity}|{last_id}|{row_count}|{head_hash}|{at}"
_DERIVE = b"hossagent audit anchor key v1"  # HOSS_SECRET_KEY may key other things; this key is for the audit only


@dataclass(frozen=True, repr=False)
class AuditKey:
    """The audit key: derived from HOSS_SECRET_KEY, named by a short id that reveals nothing of it."""

    key: bytes

    @staticmethod
    def from_secret(secret: str | None) -> AuditKey | None:
        """The key for HOSS_SECRET_KEY's value, or None when it is unset (the witness is then unsealed)."""
        if not secret:
            return None
        return AuditKey(hmac.new(secret.encode("utf-8"), _DERIVE, hashlib.sha256).digest())

    @property
    def key_id(self) -> str:
        """Which key sealed a witness entry: a key rotation shows up as another id, never as a bad seal."""
        return hmac.new(self.key, b"key id", hashlib.sha256).hexdigest()[:16]

    def seal_witness(self, identity: str, last_id: int, row_count: int, head_hash: str, at: str) -> str:
        """The seal of one witness entry: the database it is about, the head it saw, and when."""
        message = WITNESS_FORMAT.format(identity=identity, last_id=last_id, row_count=row_count,
                                        head_hash=head_hash, at=at)
        return hmac.new(self.key, message.encode("utf-8"), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return f"AuditKey(id={self.key_id})"
