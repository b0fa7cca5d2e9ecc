"""The event processor as an agent: one recorded run processes the events that are due (core.events.processor)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.agents.runs import AgentResult, agent_run
from core.audit import Actor
from core.config.settings import Settings
from core.events import subscriptions
from core.events.money_graph import GRAPH as MONEY_GRAPH
from core.events.money_graph import MONEY_EVENT_TYPES, run_money_graph
from core.events.money_graph import NODES as MONEY_NODES
from core.events.processor import Routes, events_due, process_next_event

# What each kind of event is handed to: the Money graph for Stripe's money events, the plans for subscriptions.
ROUTES: Routes = {
    **{("stripe", t): run_money_graph for t in MONEY_EVENT_TYPES},
    **{("stripe", t): subscriptions.run_subscription_graph for t in subscriptions.SUBSCRIPTION_EVENT_TYPES},
}
# The graph each routed event runs and its nodes in order (the Failures page replays from one of them).
GRAPHS: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    **{("stripe", t): (MONEY_GRAPH, MONEY_NODES) for t in MONEY_EVENT_TYPES},
    **{("stripe", t): (subscriptions.GRAPH, subscriptions.NODES) for t in subscriptions.SUBSCRIPTION_EVENT_TYPES},
}


def run_event_processor(session: Session, settings: Settings, *, trigger: str = "manual",
                        actor: Actor | None = None) -> AgentResult:
    """Process due events (received, or failed and due for a retry) up to EVENTS_BATCH_SIZE; one line each.

    A scheduled run with nothing waiting returns a skipped result without an agent_runs row, so a
    poll every few seconds does not flood the run history; manual runs are always recorded.
    """
    if trigger == "schedule" and not events_due(session, settings):
        session.rollback()
        return AgentResult("events", 0, "skipped", 0, "no events waiting")
    with agent_run(session, "events", trigger, actor, heartbeat_seconds=settings.hoss_heartbeat_seconds) as run:
        failed = 0
        started = session.execute(text("SELECT clock_timestamp()")).scalar_one()
        for _ in range(settings.events_batch_size):
            outcome = process_next_event(session, settings, ROUTES, retry_before=started)
            if outcome is None:
                break
            failed += outcome.status == "failed"
            run.did(outcome.line)
        if run.items == 0:
            run.skip("no events waiting")
        else:
            run.summary = f"{run.items} event(s), {failed} failed"
    return run.result()
