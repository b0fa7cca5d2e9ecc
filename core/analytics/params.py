"""Validated parameters of the whitelisted analytics, and the period → [start, end) resolution.

The one validation path of every argument, whoever wrote it: the offline matcher's parse of a question and a
model's tool call both become these models (core.analytics.runner.validate_params), so an id out of range, a
NUL in a string or a year-9999 date is refused or clamped here, never passed to the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from db.ids import MAX_ID, as_id
from db.json_input import storable_text_problem
from db.statuses import InvoiceStatus

NamedPeriod = Literal[
    "today", "yesterday", "last_7_days", "last_30_days", "last_90_days", "this_month", "last_month",
    "this_quarter", "last_quarter", "this_year", "ytd", "this_fiscal_year", "last_fiscal_year", "all_time",
]
# What an answer is compared with: another named period, or "previous" (as long as the period, just before it).
CompareTo = Literal[NamedPeriod, "previous"]
Order = Literal["most", "least"]
Period = Literal[NamedPeriod, "custom"]  # custom: the start/end dates
Grain = Literal["day", "week", "month"]
# Which invoices a revenue answer counts: a status of the column (db.statuses.InvoiceStatus), or "invoiced" (all but
# void) or "unpaid" (draft or sent). Not the column's list: INVOICE_STATUSES is that one.
InvoiceFilter = Literal["invoiced", "paid", "unpaid", InvoiceStatus]

PERIODS: tuple[NamedPeriod, ...] = get_args(NamedPeriod)
# How an answer names each period (SPEC §17: every answer states how it read the period).
_PERIOD_LABELS = {
    "today": "today", "yesterday": "yesterday", "last_7_days": "the last 7 days", "last_30_days": "the last 30 days",
    "last_90_days": "the last 90 days", "this_month": "this month", "last_month": "last month",
    "this_quarter": "this quarter", "last_quarter": "last quarter", "this_year": "this year",
    "ytd": "the year to date", "this_fiscal_year": "this fiscal year", "last_fiscal_year": "last fiscal year",
    "all_time": "all time", "previous": "the period before",
}
# Agent names the canvas reads as more than one recorded name: the Ops pool records its runs as ops_batch.
AGENT_ALIASES: dict[str, tuple[str, ...]] = {"ops": ("ops", "ops_batch")}
GRAINS: tuple[Grain, ...] = get_args(Grain)
INVOICE_FILTERS: tuple[InvoiceFilter, ...] = get_args(InvoiceFilter)

# "All time" still needs bounds for an index range scan; these enclose any real business date.
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_FAR_FUTURE = datetime(2200, 1, 1, tzinfo=UTC)


_FIRST_DAY, _LAST_DAY = _EPOCH.date(), (_FAR_FUTURE - timedelta(days=1)).date()


class Params(BaseModel):
    """Common base: unknown fields are refused (a model cannot smuggle in extra arguments), and so is text
    Postgres cannot hold (a NUL, a lone surrogate)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        for name, value in (data.items() if isinstance(data, dict) else ()):
            if isinstance(value, str) and (problem := storable_text_problem(value)):
                raise ValueError(f"{name} {problem}")
        return data


class _PeriodMixin(BaseModel):
    period: Period = Field("last_30_days", description="Time window; 'custom' means the start/end dates.")
    start: date | None = Field(None, description="First day (inclusive) of an explicit window, YYYY-MM-DD.")
    end: date | None = Field(None, description="Last day (inclusive) of an explicit window, YYYY-MM-DD.")
    compare_to: CompareTo | None = Field(
        None, description="A second period to compare with ('previous': as long, just before); totals side by side.")
    total: bool = Field(False, description="Lead the answer with one total figure (the question asks for a total).")

    @field_validator("start", "end")
    @classmethod
    def _within_the_business(cls, value: date | None) -> date | None:
        """A date before 2000 or after 2199 is clamped to those bounds (0001-01-01..9999-12-31 is 'all of it')."""
        return None if value is None else min(max(value, _FIRST_DAY), _LAST_DAY)

    @model_validator(mode="after")
    def _explicit_dates_win(self) -> _PeriodMixin:
        if self.start is not None or self.end is not None:
            if self.start and self.end and self.start > self.end:
                raise ValueError("start must be on or before end")
            object.__setattr__(self, "period", "custom")
        elif self.period == "custom":
            raise ValueError("period 'custom' needs a start or an end date")
        return self


class PeriodParams(_PeriodMixin, Params):
    """Just a period."""


class SeriesParams(_PeriodMixin, Params):
    """A period and a time grain."""

    period: Period = Field("last_90_days", description="Time window; 'custom' means the start/end dates.")
    grain: Grain = Field("week", description="Bucket size of the time series.")


class ProfitParams(SeriesParams):
    """A period, a grain and an optional customer (company name or id)."""

    customer: int | str | None = Field(None, description="Customer company name or numeric id.")

    @field_validator("customer", mode="before")
    @classmethod
    def _customer_shape(cls, value: Any) -> int | str | None:
        """A company name of 1–200 characters, or an id (db.ids: 1 to 2^63-1); digits in a string are an id."""
        if value is None:
            return None
        if isinstance(value, str):
            cleaned = value.strip()
            if not (cleaned.isascii() and cleaned.isdigit()):
                if not cleaned or len(cleaned) > 200:
                    raise ValueError("customer must be a company name (1–200 characters) or an id")
                return cleaned
            value = cleaned
        number = as_id(value)
        if number is None:
            raise ValueError(f"customer must be a company name (1–200 characters) or an id from 1 to {MAX_ID}")
        return number


class RevenueParams(_PeriodMixin, Params):
    """A period, which invoices count, and how many customers."""

    period: Period = Field("all_time", description="Time window; 'custom' means the start/end dates.")
    status: InvoiceFilter = Field(
        "invoiced", description="invoiced (all but void), paid, unpaid (draft or sent), draft, sent or void."
    )
    limit: int = Field(10, ge=1, le=100, description="How many customers (top N).")


class VendorParams(_PeriodMixin, Params):
    """A period and how many vendors."""

    period: Period = Field("last_90_days", description="Time window; 'custom' means the start/end dates.")
    limit: int = Field(10, ge=1, le=100, description="How many vendors (top N).")


class LongPeriodParams(_PeriodMixin, Params):
    """A period defaulting to the last 90 days."""

    period: Period = Field("last_90_days", description="Time window; 'custom' means the start/end dates.")


class AgentParams(_PeriodMixin, Params):
    """A period and an optional agent name."""

    agent: str | None = Field(
        None, max_length=64, pattern=r"^[a-z][a-z0-9_]*$", description="Agent name, e.g. bizdev, ops, billing."
    )


class ProfitabilityParams(_PeriodMixin, Params):
    """A period, how many customers and which end of the ranking (most or least profitable first)."""

    period: Period = Field("all_time", description="Time window; 'custom' means the start/end dates.")
    limit: int = Field(10, ge=1, le=100, description="How many customers (top N).")
    order: Order = Field("most", description="most: the most profitable first; least: the least profitable first.")


class WorkerParams(_PeriodMixin, Params):
    """A period and an optional hired worker's name (an unknown name is refused, never dropped)."""

    worker: str | None = Field(None, min_length=1, max_length=64, description="A hired worker's name, e.g. Rhea.")

    @field_validator("worker", mode="before")
    @classmethod
    def _worker_shape(cls, value: Any) -> Any:
        """A name is trimmed; a blank one is refused rather than read as 'every worker'."""
        if isinstance(value, str):
            value = value.strip()
            if not value:
                raise ValueError("worker must be a worker's name")
        return value


class PnLParams(SeriesParams):
    """A period (default this year) and a grain (default month) for the profit and loss."""

    period: Period = Field("this_year", description="Time window; 'custom' means the start/end dates.")
    grain: Grain = Field("month", description="Bucket size of the time series.")


class ReceivablesParams(Params):
    """How many customers who owe us."""

    limit: int = Field(20, ge=1, le=100, description="How many customers (top N by amount owed).")


class NoParams(Params):
    """No parameters."""


@dataclass(frozen=True)
class Window:
    """A half-open time window [start, end) in UTC."""

    start: datetime
    end: datetime


def resolve_window(params: BaseModel, now: datetime | None = None, fiscal_start_month: int = 1) -> Window:
    """The [start, end) window a params object's period (or explicit dates) means at `now` (UTC); a fiscal year
    starts on the first of `fiscal_start_month`."""
    return period_window(getattr(params, "period", "all_time"), params, now, fiscal_start_month)


def compare_window(params: BaseModel, window: Window, now: datetime | None = None,
                   fiscal_start_month: int = 1) -> Window | None:
    """The window `params.compare_to` means: a named period, or 'previous' (as long as `window`, just before it)."""
    other = getattr(params, "compare_to", None)
    if other is None:
        return None
    if other == "previous":
        if window.start <= _EPOCH:
            return None
        return Window(window.start - (window.end - window.start), window.start)
    return period_window(other, None, now, fiscal_start_month)


def period_window(period: str, params: BaseModel | None, now: datetime | None = None,
                  fiscal_start_month: int = 1) -> Window:
    """The [start, end) window a named period (or, for 'custom', the params' dates) means at `now` (UTC)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    today = datetime(now.year, now.month, now.day, tzinfo=UTC)
    tomorrow = today + timedelta(days=1)
    if period == "custom":
        start_d: date | None = getattr(params, "start", None)
        end_d: date | None = getattr(params, "end", None)
        start = datetime(start_d.year, start_d.month, start_d.day, tzinfo=UTC) if start_d else _EPOCH
        end = datetime(end_d.year, end_d.month, end_d.day, tzinfo=UTC) + timedelta(days=1) if end_d else tomorrow
        return Window(start, end)
    if period in ("today", "yesterday"):
        day = today if period == "today" else today - timedelta(days=1)
        return Window(day, day + timedelta(days=1))
    if period in ("this_quarter", "last_quarter"):
        q_start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
        if period == "this_quarter":
            return Window(q_start, _add_months(q_start, 3))
        return Window(_add_months(q_start, -3), q_start)
    if period == "ytd":
        return Window(today.replace(month=1, day=1), tomorrow)
    if period in ("this_fiscal_year", "last_fiscal_year"):
        month = min(max(int(fiscal_start_month), 1), 12)
        fy_start = today.replace(month=month, day=1)
        if fy_start > today:
            fy_start = fy_start.replace(year=fy_start.year - 1)
        if period == "last_fiscal_year":
            return Window(fy_start.replace(year=fy_start.year - 1), fy_start)
        return Window(fy_start, fy_start.replace(year=fy_start.year + 1))
    if period.startswith("last_") and period.endswith("_days"):
        days = int(period.split("_")[1])
        return Window(tomorrow - timedelta(days=days), tomorrow)
    month_start = today.replace(day=1)
    if period == "this_month":
        return Window(month_start, _add_month(month_start))
    if period == "last_month":
        prev = (month_start - timedelta(days=1)).replace(day=1)
        return Window(prev, month_start)
    if period == "this_year":
        return Window(today.replace(month=1, day=1), today.replace(year=today.year + 1, month=1, day=1))
    return Window(_EPOCH, _FAR_FUTURE)


def _add_month(first: datetime) -> datetime:
    return _add_months(first, 1)


def _add_months(first: datetime, n: int) -> datetime:
    index = first.year * 12 + first.month - 1 + n
    return first.replace(year=index // 12, month=index % 12 + 1)


def _span_name(start: date, last: date) -> str | None:
    """'Q3 2025', 'November 2025', '2025' or None, when [start, last] is exactly one of those."""
    if start.day != 1:
        return None
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    first = datetime(start.year, start.month, 1, tzinfo=UTC)
    if start.month == 1 and end == first.replace(year=start.year + 1):
        return str(start.year)
    if start.month % 3 == 1 and end == _add_months(first, 3):
        return f"Q{(start.month + 2) // 3} {start.year}"
    if end == _add_months(first, 1):
        return first.strftime("%B %Y")
    return None


def read_as(params: BaseModel, window: Window, *, stated: bool = True) -> str:
    """How an answer read its period, in words and dates, e.g. 'Q3 2025: 2025-07-01 to 2025-09-30'."""
    if "period" not in type(params).model_fields:
        return "no period: as of now"
    period = getattr(params, "period", "all_time")
    if period == "all_time":
        text_ = "all time"
    else:
        start, last = window.start.date(), (window.end - timedelta(days=1)).date()
        dates = start.isoformat() if start == last else f"{start.isoformat()} to {last.isoformat()}"
        if period == "custom":
            name = _span_name(start, last) if getattr(params, "start", None) and getattr(params, "end", None) else None
            label = name or ("the day" if start == last else "from" if start != _EPOCH.date() else "up to")
            if label == "up to":
                dates = last.isoformat()
        else:
            label = _PERIOD_LABELS[period]
            if period in ("this_quarter", "last_quarter"):
                label += f" (Q{(start.month + 2) // 3} {start.year})"
        text_ = f"{label}: {dates}" if label != "from" else f"from {dates}"
    return text_ if stated else f"{text_} (the default: the question named no period)"


def compare_read_as(params: BaseModel, window: Window) -> str:
    """How an answer read its comparison period, e.g. 'last month: 2026-05-01 to 2026-05-31'."""
    start, last = window.start.date(), (window.end - timedelta(days=1)).date()
    dates = start.isoformat() if start == last else f"{start.isoformat()} to {last.isoformat()}"
    return f"{_PERIOD_LABELS.get(getattr(params, 'compare_to', None) or '', 'the other period')}: {dates}"
