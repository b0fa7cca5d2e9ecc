"""Validated parameters of the whitelisted analytics, and the period → [start, end) resolution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Period = Literal[
    "last_7_days", "last_30_days", "last_90_days", "this_month", "last_month", "this_year", "all_time", "custom"
]
Grain = Literal["day", "week", "month"]
InvoiceStatus = Literal["invoiced", "paid", "unpaid", "draft", "sent", "void"]

PERIODS: tuple[str, ...] = (
    "last_7_days", "last_30_days", "last_90_days", "this_month", "last_month", "this_year", "all_time",
)
GRAINS: tuple[str, ...] = ("day", "week", "month")
INVOICE_STATUSES: tuple[str, ...] = ("invoiced", "paid", "unpaid", "draft", "sent", "void")

# "All time" still needs bounds for an index range scan; these enclose any real business date.
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_FAR_FUTURE = datetime(2200, 1, 1, tzinfo=UTC)


class Params(BaseModel):
    """Common base: unknown fields are refused (a model cannot smuggle in extra arguments)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class _PeriodMixin(BaseModel):
    period: Period = Field("last_30_days", description="Time window; 'custom' means the start/end dates.")
    start: date | None = Field(None, description="First day (inclusive) of an explicit window, YYYY-MM-DD.")
    end: date | None = Field(None, description="Last day (inclusive) of an explicit window, YYYY-MM-DD.")

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

    @model_validator(mode="after")
    def _customer_shape(self) -> ProfitParams:
        if isinstance(self.customer, str):
            cleaned = self.customer.strip()
            if not cleaned or len(cleaned) > 200:
                raise ValueError("customer must be a company name (1–200 characters) or an id")
            object.__setattr__(self, "customer", int(cleaned) if cleaned.isdigit() else cleaned)
        return self


class RevenueParams(_PeriodMixin, Params):
    """A period, which invoices count, and how many customers."""

    period: Period = Field("all_time", description="Time window; 'custom' means the start/end dates.")
    status: InvoiceStatus = Field(
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


class NoParams(Params):
    """No parameters."""


@dataclass(frozen=True)
class Window:
    """A half-open time window [start, end) in UTC."""

    start: datetime
    end: datetime


def resolve_window(params: BaseModel, now: datetime | None = None) -> Window:
    """The [start, end) window a params object's period (or explicit dates) means at `now` (UTC)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    period = getattr(params, "period", "all_time")
    today = datetime(now.year, now.month, now.day, tzinfo=UTC)
    tomorrow = today + timedelta(days=1)
    if period == "custom":
        start_d: date | None = getattr(params, "start", None)
        end_d: date | None = getattr(params, "end", None)
        start = datetime(start_d.year, start_d.month, start_d.day, tzinfo=UTC) if start_d else _EPOCH
        end = datetime(end_d.year, end_d.month, end_d.day, tzinfo=UTC) + timedelta(days=1) if end_d else tomorrow
        return Window(start, end)
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
    return first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)
