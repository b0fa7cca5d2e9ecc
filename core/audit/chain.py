"""Tamper evidence for audit_log: the database chains each row's hash and anchors the head on insert; this checks it.

Inside the database, in one statement, each finding reporting the first id at which it fails:
- the chain: every row's hash matches its content and links to the previous row's hash;
- the anchors (`audit_anchors`, one per row, written by the chain trigger): every anchored row is still there
  with the hash and the row count it had when written, and no row is newer than the newest anchor. This sees
  deleted rows, a truncation and a re-hash that left the anchors alone.
Outside it, given a witness file (core.audit.witness): the head verified here last must still be in the chain,
and with HOSS_SECRET_KEY the witness must carry its seal. This sees what the database's owner can do inside it
unnoticed: a rollback of rows and anchors together, emptying both, or rewriting and re-hashing everything.
The key is used here, in Python, only: it never reaches a database session (core.audit.seal).
"""

from __future__ import annotations

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
    forged,
    read_witness,
    record_witness,
)

log = logging.getLogger("hoss.audit")

UNKEYED_NOTE = ("Unkeyed: the witness of the head is not sealed, so someone who can write both it and the database "
                "could rewrite the two together unnoticed. Set HOSS_SECRET_KEY where the log is verified to seal it.")
UNCHECKED_SEAL_NOTE = "The witness is sealed with HOSS_SECRET_KEY, but without the key here its seal was not checked."


@dataclass(frozen=True)
class ChainReport:
    """Outcome of a verification: whether the chain holds, what was checked, and the first row that breaks it."""

    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None
    anchors: int = 0
    head_id: int | None = None  # the newest anchor's row
    keyed: bool = False  # verified with HOSS_SECRET_KEY (the witness sealed with it)
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line for the command line."""
        if not self.ok:
            if self.first_broken_id is None:
                return f"audit chain cannot be verified: {self.reason}"
            return f"audit chain broken at row {self.first_broken_id}: {self.reason} ({self.checked} row(s) checked)"
        if self.head_id is None:
            return f"audit chain intact: {self.checked} row(s)"
        seal = ("witness sealed with HOSS_SECRET_KEY" if self.keyed else
                "unkeyed: set HOSS_SECRET_KEY to seal the witness kept outside the database")
        return f"audit chain intact: {self.checked} row(s), {self.anchors} anchor(s), head row {self.head_id}; {seal}"


def verify_audit_chain(session: Session, key: AuditKey | None = None, witness: Path | None = None) -> ChainReport:
    """Check the chain and its anchors; then check the `witness` file (its seal with `key`) and advance it."""
    try:
        with session.begin_nested():
            session.execute(sql.PIN_SEARCH_PATH)
            rows, anchors, broken_id, reason = session.execute(sql.VERIFY).one()
            head = session.execute(sql.HEAD_ANCHOR).first()
    except DBAPIError as exc:  # a dropped table or function: that is a broken chain too, not a crash
        first = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        return ChainReport(ok=False, checked=0, reason=first)
    base = {"checked": int(rows), "anchors": int(anchors), "head_id": head.last_id if head else None,
            "keyed": key is not None}
    if broken_id is not None:
        return ChainReport(ok=False, first_broken_id=int(broken_id), reason=reason, **base)
    notes = [] if key is not None else [UNKEYED_NOTE]
    if witness is not None:
        found = _check_witness(session, witness, key, head, notes)
        if found is not None:
            return ChainReport(ok=False, first_broken_id=found[0], reason=found[1], notes=tuple(notes), **base)
    return ChainReport(ok=True, notes=tuple(notes), **base)


def witness_problem(session: Session, path: Path, key: AuditKey | None) -> tuple[int | None, str] | None:
    """What is wrong with the witness of this database at `path` (the row it is about, if any, and why), or None."""
    identity = database_identity(session)
    try:
        seen = read_witness(path, identity)
    except WitnessUnreadable as exc:
        return None, f"the witness file is unreadable ({exc}); it was left as it is"
    if seen is None:
        return None
    if key is not None and (why := forged(seen, identity, key, path)) is not None:
        return seen.last_id, why
    if (why := contradiction(session, seen)) is not None:
        return seen.last_id, why
    return None


def _check_witness(session: Session, path: Path, key: AuditKey | None, head: Row | None,
                   notes: list[str]) -> tuple[int | None, str] | None:
    """The witness's problem, if any; else advance it to this head, sealed with `key`."""
    if (problem := witness_problem(session, path, key)) is not None:
        return problem
    identity = database_identity(session)
    if key is None and (seen := read_witness(path, identity)) is not None and seen.seal is not None:
        notes.append(UNCHECKED_SEAL_NOTE)
    if head is None:
        return None
    at = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        record_witness(path, identity, Witnessed(head.last_id, head.row_count, head.head_hash, None, at)
                       .sealed(identity, key))
    except OSError as exc:
        log.warning("audit witness not written: %s", exc)
        notes.append(f"The witness file could not be written ({exc.strerror or exc}).")
    return None
