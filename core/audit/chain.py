"""Tamper evidence for audit_log: the database chains each row's hash on insert; this recomputes the chain."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ChainReport:
    """Outcome of a verification: whether the chain holds, rows checked, and the first row that breaks it."""

    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None


# The same audit_log_row_hash() the insert trigger uses, so the check and the seal cannot drift apart.
# A row breaks the chain when its own hash does not match its content, or when its prev_hash is not the
# previous row's row_hash (a row deleted or re-ordered by someone with superuser access).
_VERIFY_SQL = text(
    """
    WITH walked AS (
        SELECT a.id,
               a.row_hash,
               a.prev_hash,
               audit_log_row_hash(a.prev_hash, a) AS recomputed,
               coalesce(lag(a.row_hash) OVER (ORDER BY a.id), '') AS expected_prev
        FROM audit_log a
    )
    SELECT (SELECT count(*) FROM walked) AS checked,
           b.id,
           CASE WHEN b.row_hash IS DISTINCT FROM b.recomputed THEN 'content changed'
                ELSE 'previous link broken' END AS reason
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (
        SELECT * FROM walked
        WHERE row_hash IS DISTINCT FROM recomputed OR prev_hash IS DISTINCT FROM expected_prev
        ORDER BY id LIMIT 1
    ) b ON true
    """
)


def verify_audit_chain(session: Session) -> ChainReport:
    """Recompute every row's hash in id order; report the first row whose content or link does not match."""
    checked, broken_id, reason = session.execute(_VERIFY_SQL).one()
    if broken_id is None:
        return ChainReport(ok=True, checked=int(checked))
    return ChainReport(ok=False, checked=int(checked), first_broken_id=int(broken_id), reason=reason)
