"""The `sheets_append` executor: one row per done task in the customer's Google Sheet (SPEC §15).

Payload: {"spreadsheet_id", "range", "values", "task_id"}. The row carries the task's marker cell
(`task-<id>`); the executor reads the range first and appends only when no row carries it, so a retry never
writes the row twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.approvals.executors.google_calls import call_google, parse_payload, stored_grant
from core.approvals.payloads import Cell, SheetsAppendPayload
from core.audit import Actor
from core.config.settings import Settings
from core.integrations import google

NEEDS_SESSION = True  # the grant is read from the integrations table

def task_marker(task_id: int) -> str:
    """The cell that names the task in its row (how a retry recognises a row already written)."""
    return f"task-{task_id}"


def row_for(payload: SheetsAppendPayload) -> list[Cell]:
    """The row as written: the payload's cells, with the task marker added when they lack it."""
    marker = task_marker(payload.task_id)
    return list(payload.values) if marker in payload.values else [*payload.values, marker]


def execute(settings: Settings, payload: dict[str, Any], *, idempotency_key: str, session: Session) -> dict[str, Any]:
    """Append the task's row unless a row with its marker is there already. Raises Permanent/TransientError."""
    parsed = parse_payload(SheetsAppendPayload, payload)
    grant = stored_grant(session, settings)
    marker = task_marker(parsed.task_id)

    def append() -> tuple[str | None, bool]:
        rows = google.read_values(settings, grant, parsed.spreadsheet_id, parsed.range)
        if any(marker in (str(cell) for cell in row) for row in rows):
            return None, True
        answer = google.append_row(settings, grant, parsed.spreadsheet_id, parsed.range, row_for(parsed))
        return str((answer.get("updates") or {}).get("updatedRange") or ""), False

    updated_range, existing = call_google(session, settings, append)
    return {"provider": "sheets_append", "spreadsheet_id": parsed.spreadsheet_id, "task_id": parsed.task_id,
            "updated_range": updated_range, "already_there": existing,
            "detail": f"Sheets row for task {parsed.task_id}" + (" already there" if existing else f" at {updated_range}")}


def apply(session: Session, payload: dict[str, Any], result: dict[str, Any], actor: Actor) -> None:
    """The row lives in the customer's sheet: nothing else changes here."""
