"""Event graphs: small fixed sequences of nodes, each checkpointed in `graph_steps`."""

from core.graphs.runner import GraphOutcome, Node, run_graph

__all__ = ["GraphOutcome", "Node", "run_graph"]
