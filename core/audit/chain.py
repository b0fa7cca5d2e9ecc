"""Tamper evidence for audit_log: the database chains each row's hash and anchors the head on insert; this checks it.

Three things are checked, each reporting the first id at which it fails:
- the chain: every row's hash matches its content and links to the previous row's hash;
- the anchors (`audit_anchors`, one per row, written by the chain trigger): every anchored row is still there
  with the hash and the row count it had when written, and no row is newer than the newest anchor. This is
  what sees deleted tail rows, a truncation and a re-seal that left the anchors alone;
- with HOSS_SECRET_KEY: every anchor sealed with the key still matches its seal (in SQL; the head's once more
  in Python), and none after the first such anchor lacks it. This is what sees a re-seal of the rows and the
  anchors together, which without a key is indistinguishable from the truth.
Then, given a witness file, the head this machine verified last must still be there (core.audit.witness).
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Row
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from core.audit import sql
from core.audit.seal import AuditKey
from core.audit.witness import (
    Witnessed,
    WitnessUnreadable,
    contradiction,
    database_identity,
    read_witness,
    record_witness,
)

log = logging.getLogger("hoss.audit")

UNKEYED_NOTE = ("Unkeyed: the database owner could rewrite rows and re-seal them and their anchors unnoticed. "
                "Set HOSS_SECRET_KEY (the same in every process) to make a re-seal detectable.")


@dataclass(frozen=True)
class ChainReport:
    """Outcome of a verification: whether the chain holds, what was checked, and the first row that breaks it."""

    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None
    anchors: int = 0
    head_id: int | None = None  # the newest anchor's row
    keyed: bool = False  # verified with HOSS_SECRET_KEY
    sealed_since: int | None = None  # the first row sealed with that key
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line for the command line."""
        if not self.ok:
            if self.first_broken_id is None:
                return f"audit chain cannot be verified: {self.reason}"
            return f"audit chain broken at row {self.first_broken_id}: {self.reason} ({self.checked} row(s) checked)"
        if self.head_id is None:
            return f"audit chain intact: {self.checked} row(s)"
        if self.keyed and self.sealed_since is not None:
            seal = f"sealed with HOSS_SECRET_KEY since row {self.sealed_since}"
        elif self.keyed:
            seal = "not yet sealed with HOSS_SECRET_KEY (the next audit row will be)"
        else:
            seal = "unkeyed: set HOSS_SECRET_KEY in every process to make a re-seal by the database owner detectable"
        return f"audit chain intact: {self.checked} row(s), {self.anchors} anchor(s), head row {self.head_id}; {seal}"


def verify_audit_chain(session: Session, key: AuditKey | None = None, witness: Path | None = None) -> ChainReport:
    """Check the chain, its anchors and (with `key`) their seals; then check and advance the `witness` file."""
    try:
        with session.begin_nested():
            session.execute(sql.PIN_SEARCH_PATH)
            ipad, opad = key.pads() if key else (None, None)
            rows, anchors, sealed_since, broken_id, reason = session.execute(
                sql.VERIFY, {"key_id": key.key_id if key else None, "ipad": ipad, "opad": opad}).one()
            head = session.execute(sql.HEAD_ANCHOR).first()
    except DBAPIError as exc:  # a dropped table or function: that is a broken chain too, not a crash
        first = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        return ChainReport(ok=False, checked=0, reason=first)
    base = {"checked": int(rows), "anchors": int(anchors), "head_id": head.last_id if head else None,
            "keyed": key is not None, "sealed_since": sealed_since}
    if broken_id is None and key is not None and head is not None and head.key_id == key.key_id \
            and not hmac.compare_digest(head.seal or "", key.seal(head.last_id, head.row_count, head.head_hash)):
        broken_id, reason = head.last_id, "anchor rewritten: its seal does not match HOSS_SECRET_KEY"
    if broken_id is not None:
        return ChainReport(ok=False, first_broken_id=int(broken_id), reason=reason, **base)
    notes = list(_key_notes(key, head, sealed_since))
    if witness is not None and head is not None:
        found = _check_witness(session, witness, key, head, notes)
        if found is not None:
            return ChainReport(ok=False, first_broken_id=found[0], reason=found[1], notes=tuple(notes), **base)
    return ChainReport(ok=True, notes=tuple(notes), **base)


def _key_notes(key: AuditKey | None, head: Row | None, sealed_since: int | None) -> tuple[str, ...]:
    if key is None:
        sealed = head is not None and head.key_id is not None
        return (UNKEYED_NOTE + (" The anchors are sealed, but without the key here their seals were not checked."
                                if sealed else ""),)
    if sealed_since is None and head is not None:
        return ("HOSS_SECRET_KEY is set but no anchor is sealed with it yet: the next audit row written will be.",)
    return ()


def _check_witness(session: Session, path: Path, key: AuditKey | None, head: Row,
                   notes: list[str]) -> tuple[int, str] | None:
    """The witnessed head's contradiction (id, reason), if any; else advance the witness to this head."""
    identity = database_identity(session)
    try:
        seen = read_witness(path, identity)
        if seen is not None and (why := contradiction(session, seen, key)) is not None:
            return seen.last_id, why
        record_witness(path, identity, Witnessed(head.last_id, head.row_count, head.head_hash, head.key_id,
                                                 datetime.now(UTC).isoformat(timespec="seconds")))
    except WitnessUnreadable as exc:
        log.warning("audit witness unreadable, left as it is: %s", exc)
        notes.append(f"The witness file is unreadable ({exc}); it was neither checked nor updated.")
    except OSError as exc:
        log.warning("audit witness not written: %s", exc)
        notes.append(f"The witness file could not be written ({exc.strerror or exc}).")
    return None
