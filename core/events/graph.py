"""Run a graph's nodes in order, checkpointing each in `graph_steps`, resuming after the last succeeded node."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from core.errors import one_line
from core.events import sql

log = logging.getLogger("hoss.events")

# A node takes the state so far and returns the keys it adds; it may write to the database.
Node = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class GraphOutcome:
    """What one run of a graph did: nodes run now, nodes taken from checkpoints, the final state, any failure."""

    graph: str
    ran: tuple[str, ...]
    resumed: tuple[str, ...]
    state: dict[str, Any]
    failed_node: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.failed_node is None


def _save_step(session: Session, event_id: int, graph: str, node: str, status: str, state: dict[str, Any],
               error: str | None) -> None:
    session.execute(
        sql.SAVE_STEP,
        {"event_id": event_id, "graph": graph, "node": node, "state": json.dumps(state, default=str),
         "status": status, "error": error},
    )


def run_graph(session: Session, event_id: int, graph: str, nodes: list[tuple[str, Node]],
              initial: dict[str, Any]) -> GraphOutcome:
    """Run `nodes` for `event_id` in the caller's transaction (no commit).

    A node already `succeeded` in graph_steps is skipped and its saved state reused. Each node runs in a
    savepoint: on an exception its writes are undone, the step is saved `failed` with the error, and the
    graph stops there, so the next run starts at that node.
    """
    done = {
        row.node: row.state
        for row in session.execute(
            sql.SUCCEEDED_STEPS,
            {"e": event_id, "g": graph},
        )
    }
    state = dict(initial)
    ran: list[str] = []
    resumed: list[str] = []
    for name, node in nodes:
        if name in done:
            state = dict(done[name])  # each checkpoint holds the whole state after its node
            resumed.append(name)
            continue
        try:
            with session.begin_nested():
                added = node(dict(state))
        except Exception as exc:  # a node's failure is recorded on its step, not raised
            error = one_line(exc)
            log.warning("event %s: graph %s node %s failed: %s", event_id, graph, name, error, exc_info=True)
            _save_step(session, event_id, graph, name, "failed", state, error)
            return GraphOutcome(graph, tuple(ran), tuple(resumed), state, name, error)
        # Round-trip through JSON so the in-memory state equals what a resumed run would read back.
        state = json.loads(json.dumps({**state, **added}, default=str))
        _save_step(session, event_id, graph, name, "succeeded", state, None)
        ran.append(name)
    return GraphOutcome(graph, tuple(ran), tuple(resumed), state)
