"""A witness of the chain's head outside the database: a file (under HOSS_DATA_DIR unless HOSS_AUDIT_WITNESS_FILE
says where) that every clean verification advances, sealed with the audit key when HOSS_SECRET_KEY is set.

Inside the database, its owner can remove the newest rows and their anchors, empty both, or rewrite every row and
re-hash the chain and its anchors, and the chain then verifies. The witness remembers the furthest head verified
here, per database (cluster identifier and name): a rollback or an emptied log loses that head, and a rewrite of
any row before it changes its hash. Forging the witness to match needs the key, which never enters the database.
"""

from __future__ import annotations

import hmac
import json
import os
import tempfile
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from core.audit import sql
from core.audit.seal import AuditKey
from core.errors import HossError

WITNESS_FILE = "audit_witness.json"


class WitnessUnreadable(HossError):
    """The witness file exists but cannot be read as one; it is then neither trusted nor overwritten."""


@dataclass(frozen=True)
class Witnessed:
    """A verified head: the anchor's id, count and hash, when, and (with the key) which key sealed it and its seal."""

    last_id: int
    row_count: int
    head_hash: str
    key_id: str | None
    at: str
    seal: str | None = None

    def sealed(self, identity: str, key: AuditKey | None) -> Witnessed:
        """This entry sealed with `key` for the database `identity` (unsealed without a key)."""
        if key is None:
            return replace(self, key_id=None, seal=None)
        return replace(self, key_id=key.key_id,
                       seal=key.seal_witness(identity, self.last_id, self.row_count, self.head_hash, self.at))


def witness_path(data_dir: Path, configured: Path | None = None) -> Path:
    """Where the witness is kept: HOSS_AUDIT_WITNESS_FILE when set, else `audit_witness.json` under the data dir."""
    return configured if configured is not None else data_dir / WITNESS_FILE


def database_identity(session: Session) -> str:
    """Which database a witness entry is about: the cluster's identifier (new with every initdb) and the name.

    Where pg_control_system() is not granted (some managed servers), the server's address stands in."""
    try:
        with session.begin_nested():
            cluster = session.execute(sql.CLUSTER_IDENTIFIER).scalar_one()
    except DBAPIError:
        cluster = session.execute(sql.SERVER_ADDRESS).scalar_one()
    return f"{cluster}/{session.execute(sql.DATABASE_NAME).scalar_one()}"


def _load(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return dict(data["databases"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise WitnessUnreadable(f"{path}: {type(exc).__name__}") from None


def read_witness(path: Path, identity: str) -> Witnessed | None:
    """What this machine last verified of the database `identity`, or None if it never has."""
    entry = _load(path).get(identity)
    if entry is None:
        return None
    try:
        at = datetime.fromisoformat(entry["at"]).isoformat(timespec="seconds")  # shown to a person: only a time
        key_id, seal = entry.get("key_id"), entry.get("seal")
        return Witnessed(int(entry["last_id"]), int(entry["row_count"]), str(entry["head_hash"]),
                         None if key_id is None else str(key_id), at, None if seal is None else str(seal))
    except (KeyError, TypeError, ValueError) as exc:
        raise WitnessUnreadable(f"{path}: {type(exc).__name__}") from None


def record_witness(path: Path, identity: str, head: Witnessed) -> None:
    """Advance the witness to `head` (never backwards), replacing the file atomically."""
    databases = _load(path)
    known = databases.get(identity)
    if known is not None and int(known.get("last_id", 0)) >= head.last_id:
        return
    databases[identity] = asdict(head)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".audit_witness.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"version": 2, "databases": databases}, f, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def forged(seen: Witnessed, identity: str, key: AuditKey, path: Path) -> str | None:
    """Why the witness entry cannot be trusted under `key` (unsealed, sealed with another key, or altered)."""
    start_again = f"if HOSS_SECRET_KEY was just set or changed, remove this database's entry from {path}"
    if seen.key_id is None or seen.seal is None:
        return f"witness not sealed with HOSS_SECRET_KEY: forged, or written before the key was set ({start_again})"
    if seen.key_id != key.key_id:
        return f"witness sealed with another key than HOSS_SECRET_KEY: forged, or the key changed ({start_again})"
    if not hmac.compare_digest(seen.seal, seen.sealed(identity, key).seal or ""):
        return "witness forged or edited: its seal does not match HOSS_SECRET_KEY"
    return None


def contradiction(session: Session, seen: Witnessed) -> str | None:
    """Why the database no longer holds the head this machine witnessed, or None when it still does."""
    anchor = session.execute(sql.ANCHOR_AT, {"id": seen.last_id}).first()
    when = f"witnessed here on {seen.at}"
    if anchor is None and session.execute(sql.LOG_EMPTY).scalar_one():
        return f"emptied: the log has no rows, but row {seen.last_id} ({seen.row_count} rows) was the head {when}"
    if anchor is None:
        return f"rolled back: row {seen.last_id} ({seen.row_count} rows) was the head {when}; its anchor is gone"
    if anchor.head_hash != seen.head_hash or anchor.row_count != seen.row_count:
        return f"re-sealed since it was {when}: its anchor differs"
    return None
