"""A witness of the chain's head outside the database: a file under HOSS_DATA_DIR that every verification advances.

Inside the database, someone who can disable triggers can remove the newest rows *and* their anchors, and the
chain then simply looks shorter. The witness remembers the furthest head this machine has verified, per
database (cluster identifier and name), so that such a rollback is reported by the next verification here.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from core.audit import sql
from core.audit.seal import AuditKey
from core.errors import HossError

WITNESS_FILE = "audit_witness.json"


class WitnessUnreadable(HossError):
    """The witness file exists but cannot be read as one; it is then neither checked nor overwritten."""


@dataclass(frozen=True)
class Witnessed:
    """A verified head: the anchor's id, count and hash, the key that sealed it (if any), and when."""

    last_id: int
    row_count: int
    head_hash: str
    key_id: str | None
    at: str


def witness_path(data_dir: Path) -> Path:
    return data_dir / WITNESS_FILE


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
        at = datetime.fromisoformat(entry["at"]).isoformat(timespec="seconds")  # shown on the page: only a time
        key_id = entry.get("key_id")
        return Witnessed(int(entry["last_id"]), int(entry["row_count"]), str(entry["head_hash"]),
                         None if key_id is None else str(key_id), at)
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
            json.dump({"version": 1, "databases": databases}, f, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def contradiction(session: Session, seen: Witnessed, key: AuditKey | None) -> str | None:
    """Why the database no longer holds the head this machine witnessed, or None when it still does."""
    anchor = session.execute(sql.ANCHOR_AT, {"id": seen.last_id}).first()
    when = f"witnessed here on {seen.at}"
    if anchor is None:
        return f"rolled back: row {seen.last_id} ({seen.row_count} rows) was the head {when}; its anchor is gone"
    if anchor.head_hash != seen.head_hash or anchor.row_count != seen.row_count:
        return f"re-sealed since it was {when}: its anchor differs"
    if key is not None and seen.key_id == key.key_id and anchor.key_id != key.key_id:
        return f"seal removed: its anchor was sealed with HOSS_SECRET_KEY when {when}"
    return None
