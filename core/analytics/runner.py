"""Run one whitelisted function: validated params, READ ONLY transaction, statement timeout, SELECT-only role."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from core.analytics import totals as tot
from core.analytics.params import Params, compare_read_as, compare_window, read_as, resolve_window
from core.analytics.registry import WHITELIST, AnalyticsFunction, ChartSpec
from core.errors import InvalidInput, QueryTimeout

log = logging.getLogger("hoss.canvas")

READER_ROLE = "hoss_canvas_reader"
DEFAULT_TIMEOUT_MS = 2000
DEFAULT_ROW_CAP = 1000


class AnalyticsError(InvalidInput):
    """A request the canvas refuses: an unknown function or invalid parameters (one clear message)."""


class AnalyticsTimeout(QueryTimeout):
    """The query ran past the canvas statement timeout and the database cancelled it."""


_QUERY_CANCELED = "57014"  # Postgres: canceling statement due to statement timeout


@dataclass(frozen=True)
class AnalyticsResult:
    """What one whitelisted query returned."""

    function: str
    params: dict[str, Any]
    rows: list[dict[str, Any]]
    columns: list[str]
    chart: ChartSpec | None
    last_updated: datetime | None
    truncated: bool = False
    notes: tuple[str, ...] = field(default=())
    read_as: str = ""  # how the period was read, in words and dates (SPEC §17)
    of_rows: int | None = None  # how many rows the whole ranking has (a top 10 of 16 shows 10)
    totals: dict[str, int] = field(default_factory=dict)  # the headline figures' totals, all rows counted
    headline: tuple[tuple[str, str], ...] = ()  # the totals in words and dollars, the answer's first line
    comparison: list[dict[str, Any]] = field(default_factory=list)  # figure, this period, the other, change
    compare_read_as: str = ""


def validate_params(name: str, params: Mapping[str, Any] | Params | None) -> tuple[AnalyticsFunction, Params]:
    """The whitelisted function and its validated params; AnalyticsError for anything else."""
    fn = WHITELIST.get(name) if isinstance(name, str) else None
    if fn is None:
        raise AnalyticsError(f"{name!r} is not a canvas function; choose one of: {', '.join(WHITELIST)}")
    if isinstance(params, fn.params_model):
        return fn, params
    raw = params.model_dump(exclude_unset=True) if isinstance(params, Params) else dict(params or {})
    try:
        return fn, fn.params_model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "parameters"
        raise AnalyticsError(f"Invalid {where} for {name}: {err['msg']}") from None


def run_analytics(
    engine: Engine,
    name: str,
    params: Mapping[str, Any] | Params | None = None,
    *,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    row_cap: int = DEFAULT_ROW_CAP,
    now: datetime | None = None,
    fiscal_start_month: int = 1,
) -> AnalyticsResult:
    """Run whitelisted function `name` in a read-only, time-limited transaction; refuse anything else."""
    fn, valid = validate_params(name, params)
    window = resolve_window(valid, now, fiscal_start_month)
    other = compare_window(valid, window, now, fiscal_start_month)
    given = valid.model_fields_set if isinstance(params, Params) else set(params or {})
    period_read = read_as(valid, window, stated=bool({"period", "start", "end"} & set(given)))
    try:
        with read_only(engine, timeout_ms, what=name) as conn:
            rows, of, lifted = tot.lift(fn.run(conn, valid, window, row_cap + 1, now=now))
            other_rows = tot.lift(fn.run(conn, valid, other, row_cap + 1, now=now)) if other else None
            last_updated = _last_updated(conn, fn)
    except InvalidInput as exc:  # a query refusing its input (an unknown worker's name): one line, nothing run
        raise AnalyticsError(str(exc)) from None
    capped = len(rows) > row_cap
    rows = rows[:row_cap]
    truncated = capped or (of is not None and of > len(rows))
    columns = list(rows[0].keys()) if rows else []
    dumped = valid.model_dump(mode="json")
    totals = tot.totals_of(fn.name, rows, lifted)
    notes = [f"Only the first {row_cap} rows are shown."] if capped else []
    if note := tot.truncation_note(of, len(rows), _NOUNS.get(fn.name, "rows")):
        notes.append(note)
    comparison: list[dict[str, Any]] = []
    other_read = ""
    if other is not None and other_rows is not None:
        other_read = compare_read_as(valid, other)
        comparison = tot.comparison(fn.name, totals, tot.totals_of(fn.name, other_rows[0], other_rows[2]), dumped,
                                    period_read.split(":")[0].removesuffix(" (the default").strip(),
                                    other_read.split(":")[0])
    return AnalyticsResult(
        function=fn.name, params=dumped, rows=rows, columns=columns, chart=fn.chart,
        last_updated=last_updated, truncated=truncated, read_as=period_read, notes=tuple(notes), of_rows=of,
        totals=totals, headline=tot.headline(fn.name, totals, dumped), comparison=comparison,
        compare_read_as=other_read,
    )


_NOUNS = {"revenue_by_customer": "customers", "customer_profitability": "customers", "receivables": "customers",
          "spend_by_vendor": "vendors"}


@contextmanager
def read_only(engine: Engine, timeout_ms: int, *, what: str = "the query") -> Iterator[Connection]:
    """A connection in a READ ONLY, time-limited transaction that is rolled back after the block.

    A statement cancelled by the timeout (or blocked past it by a lock) raises AnalyticsTimeout, one line.
    """
    try:
        with engine.connect() as conn, conn.begin() as tx:
            enter_read_only(conn, timeout_ms)
            yield conn
            tx.rollback()  # nothing to keep; a read-only transaction has nothing to commit anyway
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == _QUERY_CANCELED:
            raise AnalyticsTimeout(f"{what} took longer than {timeout_ms} ms and was stopped; "
                                   "try a shorter period or a coarser grain") from None
        raise


def enter_read_only(conn: Connection, timeout_ms: int) -> None:
    """Make the current transaction READ ONLY with a statement timeout, as the SELECT-only role when possible."""
    # SET TRANSACTION must be the first statement of the transaction.
    conn.exec_driver_sql("SET TRANSACTION READ ONLY")
    conn.execute(text("SELECT set_config('statement_timeout', :v, true)"), {"v": str(int(timeout_ms))})
    if reader_role_available(conn):
        conn.exec_driver_sql(f"SET LOCAL ROLE {READER_ROLE}")  # a constant identifier, not input


_role_lock = threading.Lock()
_role_checked: dict[str, bool] = {}


def reader_role_available(conn: Connection) -> bool:
    """Whether this database user may SET ROLE to the SELECT-only reader (checked once per database)."""
    key = f"{conn.engine.url.render_as_string(hide_password=True)}|{conn.engine.url.username}"
    with _role_lock:
        if key in _role_checked:
            return _role_checked[key]
    ok = bool(conn.execute(text("""
        SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :r)
               AND pg_has_role(current_user, (SELECT oid FROM pg_roles WHERE rolname = :r), 'MEMBER')
               AND has_table_privilege((SELECT oid FROM pg_roles WHERE rolname = :r), 'public.tasks', 'SELECT')
    """), {"r": READER_ROLE}).scalar())
    if not ok:
        log.warning("Canvas queries run as the connected user: role %s is missing, not granted to it, "
                    "or lacks SELECT (the migration could not create or grant it); read-only transactions "
                    "and statement timeouts still apply.", READER_ROLE)
    with _role_lock:
        _role_checked[key] = ok
    return ok


def _last_updated(conn: Connection, fn: AnalyticsFunction) -> datetime | None:
    # Identifiers come from the registry's constant `sources`, never from input.
    parts = [f"(SELECT max({col}) FROM {table})" for table, col in fn.sources]  # noqa: S608 - registry constants
    value = conn.execute(text(f"SELECT greatest({', '.join(parts)})")).scalar()
    return value.astimezone(UTC) if isinstance(value, datetime) else None
