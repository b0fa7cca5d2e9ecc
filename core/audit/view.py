"""Reading the audit log for the console: filters, keyset pages (newest first) and CSV export, all in SQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from core.audit import sql
from db.models import AuditLog
from db.statuses import ACTOR_TYPES

COLUMNS = ("id", "ts", "actor_type", "actor_id", "entity", "entity_id", "from_status", "to_status",
           "metadata", "prev_hash", "row_hash")
MAX_PAGE = 500
MAX_EXPORT_ROWS = 200_000  # a CSV larger than this is a database dump, not an export


class BadFilter(ValueError):
    """A filter value the audit log cannot be filtered by; the message says which."""


@dataclass(frozen=True)
class AuditFilter:
    """What to show: every field optional; times are inclusive `since`, exclusive `until`."""

    entity: str | None = None
    entity_id: str | None = None
    actor_type: str | None = None
    actor_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def validated(self) -> AuditFilter:
        if self.actor_type and self.actor_type not in ACTOR_TYPES:
            raise BadFilter(f"actor type must be one of {', '.join(ACTOR_TYPES)}")
        if self.since and self.until and self.since >= self.until:
            raise BadFilter("the start of the time range must be before its end")
        return self


@dataclass(frozen=True)
class AuditPage:
    """One page of rows (dicts, newest first) and the id to pass as `before_id` for the next, if any."""

    rows: tuple[dict[str, Any], ...]
    next_before_id: int | None


def _filtered(filt: AuditFilter) -> Select:
    filt = filt.validated()
    q = select(AuditLog)
    if filt.entity:
        q = q.where(AuditLog.entity == filt.entity)
    if filt.entity_id:
        q = q.where(AuditLog.entity_id == filt.entity_id)
    if filt.actor_type:
        q = q.where(AuditLog.actor_type == filt.actor_type)
    if filt.actor_id:
        q = q.where(AuditLog.actor_id == filt.actor_id)
    if filt.since:
        q = q.where(AuditLog.ts >= filt.since)
    if filt.until:
        q = q.where(AuditLog.ts < filt.until)
    return q


def _as_dict(row: AuditLog) -> dict[str, Any]:
    return {
        "id": row.id, "ts": row.ts, "actor_type": row.actor_type, "actor_id": row.actor_id,
        "entity": row.entity, "entity_id": row.entity_id, "from_status": row.from_status,
        "to_status": row.to_status, "metadata": row.metadata_, "prev_hash": row.prev_hash, "row_hash": row.row_hash,
    }


def audit_page(session: Session, filt: AuditFilter, *, limit: int = 50, before_id: int | None = None) -> AuditPage:
    """Up to `limit` rows matching `filt` with id < `before_id`, newest first (keyset: constant cost per page)."""
    limit = max(1, min(int(limit), MAX_PAGE))
    q = _filtered(filt)
    if before_id is not None:
        q = q.where(AuditLog.id < before_id)
    rows = session.execute(q.order_by(AuditLog.id.desc()).limit(limit + 1)).scalars().all()
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(tuple(_as_dict(r) for r in rows), rows[-1].id if more and rows else None)


def iter_audit_csv(session: Session, filt: AuditFilter, *, max_rows: int = MAX_EXPORT_ROWS) -> Iterator[str]:
    """The rows matching `filt` as CSV text chunks (header first), newest first, streamed from the server."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    q = _filtered(filt).order_by(AuditLog.id.desc()).limit(max_rows)
    for row in session.execute(q.execution_options(yield_per=2000)).scalars():
        d = _as_dict(row)
        d["ts"] = d["ts"].isoformat()
        d["metadata"] = json.dumps(d["metadata"], sort_keys=True, ensure_ascii=False)
        writer.writerow(_csv_safe(d[c]) for c in COLUMNS)
        if buf.tell() > 64_000:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def audit_csv(session: Session, filt: AuditFilter, *, max_rows: int = MAX_EXPORT_ROWS) -> str:
    """The whole export as one string (the page hands it to st.download_button)."""
    return "".join(iter_audit_csv(session, filt, max_rows=max_rows))


def _csv_safe(value: object) -> object:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ is prefixed with a quote (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def audit_entities(session: Session) -> list[str]:
    """The distinct entity names present in the audit log, sorted."""
    return [r[0] for r in session.execute(sql.ENTITIES)]
