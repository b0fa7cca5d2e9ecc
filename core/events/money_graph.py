"""The Money graph (SPEC §3): check_runway → analyze_spend → draft_proposal for each Stripe money event.

check_runway books the money the event moved (ledger entry, our invoice paid) — idempotently — and
computes months of runway; analyze_spend compares spend over the last 30 days with the trailing
average; draft_proposal turns the facts into inbox proposals. Rules are deterministic.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.approvals.proposals import draft_proposal
from core.audit import Actor
from core.config.settings import Settings
from core.events import sql
from core.events.graph import GraphOutcome, run_graph
from core.events.money_rules import dunning_proposal, expire_dunning_for_paid, review_proposals
from core.events.processor import ReceivedEvent
from core.money.booking import PAYMENT_EVENTS, book_event
from core.money.cents import dollars
from core.money.figures import ledger_totals
from core.money.runway import estimate_runway
from db.models import Setting

GRAPH = "money"
# The graph's nodes in order: run_money_graph runs them so, and a replay clears checkpoints from one of them on.
NODES = ("check_runway", "analyze_spend", "draft_proposal")
ACTOR = Actor.agent("money")
MONEY_EVENT_TYPES = frozenset({
    "invoice.payment_failed", "invoice.paid", "checkout.session.completed", "charge.succeeded", "charge.refunded",
    "charge.dispute.created",
})
RUNWAY_ALERT_MONTHS = 6.0
SPEND_THRESHOLD_KEY = "spend_alert_threshold_pct"
DEFAULT_SPEND_THRESHOLD_PCT = 10.0


def spend_threshold_pct(session: Session) -> float:
    """The spend alert threshold (percent above the trailing average); ValueError when the setting is bad."""
    value = session.execute(select(Setting.value).where(Setting.key == SPEND_THRESHOLD_KEY)).scalar_one_or_none()
    if value is None:
        return DEFAULT_SPEND_THRESHOLD_PCT
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1000:
        raise ValueError(f"setting {SPEND_THRESHOLD_KEY} must be a number from 0 to 1000, got {value!r}")
    return float(value)


def check_runway(session: Session, event: ReceivedEvent, now: datetime) -> dict[str, Any]:
    """Book the event's money, then months of runway (core.money.runway, the canvas's formula too)."""
    booked = book_event(session, ACTOR, event.type, event.obj, event.occurred_at)
    runway = estimate_runway(session, now)
    return {"booked": booked, "cash_balance_cents": runway.cash_balance_cents,
            "monthly_burn_cents": runway.monthly_net_burn_cents, "runway_months": runway.months}


def analyze_spend(session: Session, now: datetime) -> dict[str, Any]:
    """Flag spend over the last 30 days more than the threshold above the average of the 3 windows before."""
    threshold = spend_threshold_pct(session)
    current = ledger_totals(session, now - timedelta(days=30), now).spend_cents
    trailing_total = ledger_totals(session, now - timedelta(days=120), now - timedelta(days=30)).spend_cents
    trailing = trailing_total // 3
    flagged = trailing > 0 and current * 100 > trailing * (100 + threshold)
    return {"spend_30d_cents": current, "trailing_avg_cents": trailing, "spend_threshold_pct": threshold,
            "spend_flagged": flagged}


def _operator_alerts(session: Session, event: ReceivedEvent, state: dict[str, Any], now: datetime) -> list[int]:
    """One Slack proposal per month for low runway, and one per month for a spend jump (not one per event)."""
    ids: list[int] = []
    month = now.strftime("%Y-%m")
    runway = state.get("runway_months")
    if runway is not None and runway < RUNWAY_ALERT_MONTHS:
        text_ = (f"Runway is {runway:.1f} months: cash {dollars(state['cash_balance_cents'])}, "
                 f"net burn {dollars(state['monthly_burn_cents'])} per month.")
        pid, _ = draft_proposal(
            session, ACTOR, vertical="money", action_type="slack", title=f"Runway below 6 months ({runway:.1f})",
            reasoning=f"{text_} Checked after Stripe event {event.type} (event {event.id}).",
            payload={"text": text_}, dedupe_key=f"money:runway:{month}",
            urgency="critical" if runway < 3 else "high", event_id=event.id,
        )
        ids.append(pid)
    if state.get("spend_flagged"):
        text_ = (f"Spend over the last 30 days is {dollars(state['spend_30d_cents'])}, more than "
                 f"{state['spend_threshold_pct']:g}% above the trailing average of "
                 f"{dollars(state['trailing_avg_cents'])} per 30 days.")
        pid, _ = draft_proposal(
            session, ACTOR, vertical="money", action_type="slack", title="Spend is up on the trailing average",
            reasoning=text_, payload={"text": text_}, dedupe_key=f"money:spend:{month}", urgency="medium",
            event_id=event.id,
        )
        ids.append(pid)
    return ids


def draft_money_proposals(session: Session, event: ReceivedEvent, state: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Turn the event and the state into proposals; expire dunning that a payment made moot."""
    proposals: list[int] = []
    expired: list[int] = []
    obj = event.obj
    if event.type == "invoice.payment_failed":
        pid = dunning_proposal(session, ACTOR, event.id, obj)
        if pid is not None:
            proposals.append(pid)
    elif event.type in PAYMENT_EVENTS:
        expired = expire_dunning_for_paid(session, ACTOR, event.type, obj, state.get("booked") or {})
    proposals += review_proposals(session, ACTOR, event.id, event.type, obj, state.get("booked") or {})
    proposals += _operator_alerts(session, event, state, now)
    return {"proposals": proposals, "expired": expired}


def run_money_graph(session: Session, settings: Settings, event: ReceivedEvent, *,
                    now: datetime | None = None) -> GraphOutcome:
    """Run (or resume) the Money graph for one event in the caller's transaction; no commit."""
    now = now or datetime.now(timezone.utc)
    # Events about the same invoice are processed one at a time, so a payment and a failure cannot race.
    session.execute(sql.LOCK_EVENT_GRAPH, {"k": _lock_key(event)})
    steps = {
        "check_runway": lambda s: check_runway(session, event, now),
        "analyze_spend": lambda s: analyze_spend(session, now),
        "draft_proposal": lambda s: draft_money_proposals(session, event, s, now),
    }
    return run_graph(session, event.id, GRAPH, [(name, steps[name]) for name in NODES], {"event_type": event.type})


def _lock_key(event: ReceivedEvent) -> str:
    try:
        obj = event.obj
    except ValueError:
        return f"event:{event.id}"
    invoice_id = (obj.get("metadata") or {}).get("invoice_id")
    if invoice_id:
        return f"invoice:{invoice_id}"
    return f"object:{obj.get('invoice') or obj.get('charge') or obj.get('id')}"
