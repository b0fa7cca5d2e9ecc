"""The control room at a glance (SPEC §17): money over the last 30 days, the lead funnel and the queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from core.console import sql
from core.console.control_room import headline_metrics
from core.money.figures import net_profit_cents
from db.statuses import LEAD_STATUSES

GLANCE_DAYS = 30
# The money series in the order the chart's legend shows them; labels are SPEC §17's words.
MONEY_SERIES = (("earned", "Earned"), ("collected", "Collected"), ("llm_cost", "LLM cost"), ("net", "Net"))
# A lead that got further also passed the earlier stages.
FUNNEL = (("leads", "Leads"), ("contacted", "Contacted"), ("responded", "Responded"), ("qualified", "Qualified"))
_REACHED = {
    "contacted": ("contacted", "responded", "qualified_candidate", "qualified"),
    "responded": ("responded", "qualified_candidate", "qualified"),
    "qualified": ("qualified",),
}


def money_by_day(session: Session, now: datetime | None = None, days: int = GLANCE_DAYS) -> list[dict]:
    """One row per UTC day of the last `days` days (today included): day, series, label, cents (long form)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    end = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
    rows = session.execute(sql.MONEY_BY_DAY, {"start": end - timedelta(days=days), "end": end}).mappings().all()
    days_ = [{**r, "net": net_profit_cents(int(r["collected"]), int(r["spend"]))} for r in rows]
    return [{"day": r["day"], "series": key, "label": label, "cents": int(r[key])}
            for r in days_ for key, label in MONEY_SERIES]


def lead_funnel(session: Session) -> list[dict]:
    """Leads, and how many got to contacted, responded and qualified (each stage counts the later ones)."""
    counts = {s: 0 for s in LEAD_STATUSES}
    counts.update({r.status: int(r.n) for r in session.execute(sql.LEADS_BY_STATUS)})
    total = sum(counts.values())
    out = []
    for key, label in FUNNEL:
        n = total if key == "leads" else sum(counts.get(s, 0) for s in _REACHED[key])
        out.append({"stage": label, "order": len(out), "count": n})
    return out


@dataclass(frozen=True)
class Glance:
    """What the control room charts: money per day (long form), the lead funnel, tasks per status."""

    money: list[dict]
    funnel: list[dict]
    queue: list[dict]


def at_a_glance(session: Session, now: datetime | None = None) -> Glance:
    """The control room's charts in one call."""
    queue = [{"status": s, "count": n} for s, n in headline_metrics(session).tasks_by_status.items()]
    return Glance(money_by_day(session, now), lead_funnel(session), queue)
