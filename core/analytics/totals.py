"""An answer's totals, its headline (the total first, in words and dollars) and a comparison of two periods."""

from __future__ import annotations

from typing import Any

from core.analytics.labels import column
from core.money.cents import dollars

Rows = list[dict[str, Any]]

# The functions whose rows add up to a total, and the figures their headline leads with (in this order).
HEADLINES: dict[str, tuple[str, ...]] = {
    "revenue_by_customer": ("amount_cents",),
    "customer_profitability": ("gross_margin_cents", "earned_cents", "llm_cost_cents"),
    "profit_over_time": ("reward_cents", "cost_cents", "gross_margin_cents"),
    "profit_and_loss": ("collected_cents", "refunds_cents", "spend_cents", "net_profit_cents"),
    "llm_cost_over_time": ("cost_cents",),
    "task_throughput": ("done", "created", "failed"),
    "burn_rate": ("in_cents", "out_cents", "net_burn_cents"),
    "spend_by_vendor": ("spend_cents",),
    "receivables": ("owed_cents", "draft_cents"),
    "worker_performance": ("done", "failed", "earned_cents", "llm_cost_cents", "gross_margin_cents"),
    "roi_by_customer": ("net_value_cents", "llm_cost_cents"),
    "failed_payments": ("amount_cents",),
}
_COUNTS = {"done": "Tasks done", "created": "Tasks created", "failed": "Failed"}
_REVENUE_WORDS = {"invoiced": "Invoiced", "paid": "Collected", "unpaid": "Unpaid", "draft": "In drafts",
                  "sent": "Sent, unpaid", "void": "Void"}


def lift(rows: Rows) -> tuple[Rows, int | None, dict[str, int]]:
    """Rows without the ranking's `_of` and `_total_*` keys, the ranking's size and its totals."""
    of: int | None = None
    totals: dict[str, int] = {}
    clean = []
    for r in rows:
        if "_of" in r:
            of = int(r["_of"])
        for k in [k for k in r if k.startswith("_total_")]:
            totals[k.removeprefix("_total_")] = int(r[k] or 0)
        clean.append({k: v for k, v in r.items() if not k.startswith("_")})
    return clean, of, totals


def totals_of(function: str, rows: Rows, lifted: dict[str, int]) -> dict[str, int]:
    """The headline figures' totals: the ranking's own when it has them (rows beyond the limit count), else sums."""
    out: dict[str, int] = {}
    for key in HEADLINES.get(function, ()):
        if key in lifted:
            out[key] = lifted[key]
        elif rows and key in rows[0]:
            out[key] = sum(int(r.get(key) or 0) for r in rows)
        elif not rows:
            out[key] = 0
    return out


def _label(function: str, key: str, params: dict[str, Any]) -> str:
    if function == "revenue_by_customer" and key == "amount_cents":
        return _REVENUE_WORDS.get(str(params.get("status")), "Revenue")
    return _COUNTS.get(key) or column(key).removesuffix(" ($)")


def _value(key: str, value: int) -> str:
    return dollars(value) if key.endswith("_cents") else f"{value:,}"


def headline(function: str, totals: dict[str, int], params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """(label, value) pairs of the totals in words and dollars, e.g. (('Invoiced', '$150.00'),)."""
    return tuple((_label(function, k, params), _value(k, v)) for k, v in totals.items())


def comparison(function: str, this: dict[str, int], other: dict[str, int], params: dict[str, Any],
               this_name: str, other_name: str) -> Rows:
    """One row per headline figure: this period, the other, and the change (in dollars or counts)."""
    if other_name == this_name:
        other_name = f"{other_name} (compared)"
    rows = []
    for key, value in this.items():
        before = other.get(key, 0)
        rows.append({"figure": _label(function, key, params), this_name: _value(key, value),
                     other_name: _value(key, before), "change": ("+" if value - before > 0 else "")
                     + _value(key, value - before)})
    return rows


def truncation_note(of: int | None, shown: int, noun: str) -> str | None:
    """'Top 10 of 16 customers.' when a ranking shows fewer rows than it has, else None."""
    if of is None or of <= shown:
        return None
    return f"Top {shown} of {of} {noun}."
