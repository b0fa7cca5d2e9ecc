"""The keyed seal of the audit chain's head: HMAC-SHA256 under a key derived from HOSS_SECRET_KEY.

The database seals each anchor in the chain trigger, so no writer (not even a one-statement CTE) needs a
round trip for it. The key never lives in the database: each connection the application opens receives the
HMAC's inner and outer pads as session settings (`session_settings`, set once on connect), and the trigger
computes sha256(opad || sha256(ipad || message)), which is HMAC-SHA256 by definition (RFC 2104). Verification
recomputes every seal with the key it holds, and the head's seal once more here, in Python.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

# What the anchor's seal covers; the chain trigger (migration audit_anchors) writes the same text.
ANCHOR_FORMAT = "hoss-audit-anchor-v1|{last_id}|{row_count}|{head_hash}"
# Session settings through which the key reaches the chain trigger (custom, per connection, never stored).
KEY_ID_SETTING, IPAD_SETTING, OPAD_SETTING = "hoss.audit_key_id", "hoss.audit_key_ipad", "hoss.audit_key_opad"
_DERIVE = b"hossagent audit anchor key v1"  # HOSS_SECRET_KEY may key other things; this key is for anchors only
_BLOCK = 64  # SHA-256's block size, the length of the HMAC pads


@dataclass(frozen=True, repr=False)
class AuditKey:
    """The anchor key: derived from HOSS_SECRET_KEY, named by a short id that reveals nothing of it."""

    key: bytes

    @staticmethod
    def from_secret(secret: str | None) -> AuditKey | None:
        """The key for HOSS_SECRET_KEY's value, or None when it is unset (the anchors are then unkeyed)."""
        if not secret:
            return None
        return AuditKey(hmac.new(secret.encode("utf-8"), _DERIVE, hashlib.sha256).digest())

    @property
    def key_id(self) -> str:
        """Which key sealed an anchor: a key rotation shows up as a new id, never as a bad seal."""
        return hmac.new(self.key, b"key id", hashlib.sha256).hexdigest()[:16]

    def pads(self) -> tuple[bytes, bytes]:
        """HMAC's (key xor ipad, key xor opad): what the database needs to compute the seal."""
        block = self.key.ljust(_BLOCK, b"\0")
        return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)

    def seal(self, last_id: int, row_count: int, head_hash: str) -> str:
        """The seal of one anchor, computed here (the check that does not trust the database's arithmetic)."""
        message = ANCHOR_FORMAT.format(last_id=last_id, row_count=row_count, head_hash=head_hash)
        return hmac.new(self.key, message.encode("utf-8"), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return f"AuditKey(id={self.key_id})"


def session_settings(key: AuditKey | None) -> dict[str, str]:
    """The session settings a connection needs for the chain trigger to seal with `key` (none without a key)."""
    if key is None:
        return {}
    ipad, opad = key.pads()
    return {KEY_ID_SETTING: key.key_id, IPAD_SETTING: ipad.hex(), OPAD_SETTING: opad.hex()}


def session_settings_for(secret: str | None) -> dict[str, str]:
    """`session_settings` for HOSS_SECRET_KEY's value: what every engine of the application is made with."""
    return session_settings(AuditKey.from_secret(secret))
