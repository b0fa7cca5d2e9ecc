"""The ledger: money that moved (Stripe events, LLM usage, bank CSV imports), recorded once per (source, ref)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal, InvalidOperation

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.audit import Actor, record_audit
from db.models import LedgerEntry
from db.statuses import LEDGER_CATEGORIES, LEDGER_DIRECTIONS, LEDGER_SOURCES

MAX_CSV_ROWS = 50_000
_INSERT_CHUNK = 1_000

# First match wins: more specific phrases come before the words they contain.
VENDOR_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("stripe fee", "fees"),
    ("openai", "llm"),
    ("anthropic", "llm"),
    ("aws", "software"),
    ("amazon web services", "software"),
    ("github", "software"),
    ("vercel", "software"),
    ("gusto", "payroll"),
    ("payroll", "payroll"),
)


@dataclass(frozen=True)
class CsvRow:
    """One parsed bank line: `amount_cents` is positive; `direction` says which way it went."""

    line: int
    occurred_on: date
    description: str
    amount_cents: int
    direction: str
    category: str
    ref: str


@dataclass(frozen=True)
class CsvPreview:
    """What an import would do: the good rows, and one message per bad line (with its line number)."""

    rows: tuple[CsvRow, ...]
    errors: tuple[str, ...]


@dataclass(frozen=True)
class ImportResult:
    """What an import did: rows inserted, rows already in the ledger, and the errors that stopped it."""

    imported: int
    duplicates: int
    errors: tuple[str, ...]


def categorize(description: str) -> str:
    """The ledger category of a vendor from keywords in its description; `other` when none matches."""
    lowered = description.lower()
    for keyword, category in VENDOR_KEYWORDS:
        if re.search(rf"\b{re.escape(keyword)}\b", lowered):
            return category
    return "other"


def record_ledger_entry(
    session: Session,
    *,
    occurred_at: datetime,
    direction: str,
    amount_cents: int,
    counterparty: str,
    category: str,
    source: str,
    ref: str,
    description: str = "",
    invoice_id: int | None = None,
) -> bool:
    """Insert one entry unless (source, ref) exists; return whether it was inserted. No commit."""
    if direction not in LEDGER_DIRECTIONS or category not in LEDGER_CATEGORIES or source not in LEDGER_SOURCES:
        raise ValueError(f"bad ledger entry: direction={direction!r} category={category!r} source={source!r}")
    if not isinstance(amount_cents, int) or amount_cents < 0:
        raise ValueError(f"amount_cents must be a non-negative integer, got {amount_cents!r}")
    new_id = session.execute(
        insert(LedgerEntry)
        .values(
            occurred_at=occurred_at, direction=direction, amount_cents=amount_cents, counterparty=counterparty,
            category=category, source=source, ref=ref, description=description, invoice_id=invoice_id,
        )
        .on_conflict_do_nothing(index_elements=["source", "ref"])
        .returning(LedgerEntry.id)
    ).scalar_one_or_none()
    return new_id is not None


def _parse_amount(raw: str) -> int:
    cleaned = raw.strip().replace(",", "").replace("$", "")
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    cleaned = cleaned.strip("()")
    value = Decimal(cleaned)  # InvalidOperation on junk
    if not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise InvalidOperation
    cents = int(value * 100)
    return -cents if negative else cents


def _parse_date(raw: str) -> date:
    raw = raw.strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError


def preview_bank_csv(text_: str) -> CsvPreview:
    """Parse a bank CSV (columns date, description, amount; negative = money out) without touching the database."""
    reader = csv.reader(io.StringIO(text_.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        return CsvPreview((), ("line 1: the file is empty; expected a header: date, description, amount",))
    columns = [h.strip().lower() for h in header]
    missing = [c for c in ("date", "description", "amount") if c not in columns]
    if missing:
        return CsvPreview((), (f"line 1: missing column(s) {', '.join(missing)}; expected date, description, amount",))
    idx = {name: columns.index(name) for name in ("date", "description", "amount")}
    rows: list[CsvRow] = []
    errors: list[str] = []
    seen: Counter[tuple[str, str, int]] = Counter()
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue  # blank lines are not transactions
        if len(rows) + len(errors) >= MAX_CSV_ROWS:
            errors.append(f"line {line}: more than {MAX_CSV_ROWS} rows; split the file")
            break
        if len(record) < len(columns):
            errors.append(f"line {line}: expected {len(columns)} columns, got {len(record)}")
            continue
        raw_date, description, raw_amount = record[idx["date"]], record[idx["description"]].strip(), record[idx["amount"]]
        try:
            occurred_on = _parse_date(raw_date)
        except ValueError:
            errors.append(f"line {line}: date {raw_date.strip()!r} is not YYYY-MM-DD")
            continue
        try:
            amount = _parse_amount(raw_amount)
        except (InvalidOperation, ValueError):
            errors.append(f"line {line}: amount {raw_amount.strip()!r} is not a number with at most 2 decimals")
            continue
        if amount == 0:
            errors.append(f"line {line}: amount is zero")
            continue
        if not description:
            errors.append(f"line {line}: description is empty")
            continue
        key = (occurred_on.isoformat(), description, amount)
        occurrence = seen[key]  # the same line twice in one file is two real transactions
        seen[key] += 1
        ref = hashlib.sha256(f"{key[0]}|{description}|{amount}|{occurrence}".encode()).hexdigest()[:32]
        rows.append(CsvRow(
            line=line, occurred_on=occurred_on, description=description, amount_cents=abs(amount),
            direction="out" if amount < 0 else "in", category=categorize(description) if amount < 0 else "revenue",
            ref=ref,
        ))
    return CsvPreview(tuple(rows), tuple(errors))


def import_bank_csv(session: Session, text_: str, actor: Actor) -> ImportResult:
    """Import a bank CSV all-or-nothing: any bad line imports nothing; lines already imported are skipped. Commits."""
    preview = preview_bank_csv(text_)
    if preview.errors:
        return ImportResult(0, 0, preview.errors)
    imported = 0
    rows = list(preview.rows)
    for start in range(0, len(rows), _INSERT_CHUNK):
        chunk = rows[start:start + _INSERT_CHUNK]
        inserted = session.execute(
            insert(LedgerEntry)
            .values([
                {
                    "occurred_at": datetime.combine(r.occurred_on, time(12), tzinfo=timezone.utc),
                    "direction": r.direction, "amount_cents": r.amount_cents, "counterparty": r.description[:200],
                    "category": r.category, "source": "csv_import", "ref": r.ref, "description": r.description,
                }
                for r in chunk
            ])
            .on_conflict_do_nothing(index_elements=["source", "ref"])
            .returning(LedgerEntry.id)
        ).all()
        imported += len(inserted)
    result = ImportResult(imported, len(rows) - imported, ())
    record_audit(session, actor, "ledger", "csv_import", None, None,
                 {"imported": result.imported, "duplicates": result.duplicates})
    session.commit()
    return result

