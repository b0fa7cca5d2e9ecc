"""The operator's second chance for a failed event: retry it as it stands, or replay it from a graph node.

Both move the event `failed → received` through core.transitions (audited, with the operator as actor), so
the processor claims it on its next run; attempts start again at zero, as a retried task's do. A retry keeps
every checkpoint, so the graph resumes at the node that failed. A replay first deletes the `graph_steps`
checkpoints of the chosen node and every node after it, so those nodes run again while the ones before it
are taken from their checkpoints. Neither commits: the caller decides the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from core.audit import Actor
from core.errors import InvalidInput
from core.events import sql
from core.transitions import transition

_DUE_AGAIN = {"attempts": 0, "error": None}


def _previous_error(session: Session, event_id: int) -> str:
    return (session.execute(sql.EVENT_ERROR, {"e": event_id}).scalar_one_or_none() or "")[:500]


def retry_event(session: Session, event_id: int, actor: Actor) -> str:
    """failed → received, checkpoints kept; return one line. NotFound; IllegalTransition unless `failed`."""
    error = _previous_error(session, event_id)
    transition(session, "event", event_id, "received", actor, values=_DUE_AGAIN,
               metadata={"action": "retry", "previous_error": error})
    return f"event {event_id} is due again; it resumes at the node that failed"


def replay_event(session: Session, event_id: int, graph: str, nodes: Sequence[str], from_node: str,
                 actor: Actor) -> str:
    """Clear `graph`'s checkpoints from `from_node` on (`nodes` in graph order), then failed → received.

    InvalidInput when `from_node` is not one of `nodes`; NotFound; IllegalTransition unless `failed`.
    The event row is locked (by the transition) before any checkpoint is deleted. A node before
    `from_node` that has no succeeded checkpoint still runs: the graph starts at its first unfinished node.
    """
    if from_node not in nodes:
        raise InvalidInput(f"{from_node!r} is not a node of the {graph} graph ({', '.join(nodes)})")
    cleared = list(nodes[list(nodes).index(from_node):])
    error = _previous_error(session, event_id)
    transition(session, "event", event_id, "received", actor, values=_DUE_AGAIN,
               metadata={"action": "replay", "graph": graph, "from_node": from_node, "cleared": cleared,
                         "previous_error": error})
    session.execute(sql.CLEAR_STEPS, {"e": event_id, "g": graph, "nodes": cleared})
    return f"event {event_id} is due again from {from_node} ({', '.join(cleared)} will run again)"
