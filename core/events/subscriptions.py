"""Stripe subscription events as a one-node graph (checkpointed like the Money graph) over core.plans."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.config.settings import Settings
from core.events.graph import GraphOutcome, run_graph
from core.events.processor import IGNORE_REASON, ReceivedEvent
from core.plans.subscriptions import SUBSCRIPTION_EVENT_TYPES, apply_subscription_event

GRAPH = "subscription"
NODES = ("apply_subscription",)

__all__ = ["GRAPH", "NODES", "SUBSCRIPTION_EVENT_TYPES", "run_subscription_graph"]


def run_subscription_graph(session: Session, settings: Settings, event: ReceivedEvent) -> GraphOutcome:
    """Apply the event's subscription to its customer's plan; an event it cannot use ends `ignored` with why."""

    def apply(_state: dict) -> dict:
        outcome = apply_subscription_event(session, stripe_event_id=str(event.payload.get("id") or event.id),
                                           type_=event.type, created=event.occurred_at, obj=event.obj)
        added = {"customer_id": outcome.customer_id, "applied": outcome.applied, "plan": outcome.plan,
                 "note": outcome.note, "released": list(outcome.released)}
        return {**added, IGNORE_REASON: outcome.ignored} if outcome.ignored else added

    return run_graph(session, event.id, GRAPH, [("apply_subscription", apply)], {"event_type": event.type})
