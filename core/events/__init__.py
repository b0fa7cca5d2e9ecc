"""Events: verified Stripe webhooks stored once (webhooks), the processor that routes them, the graph runner, and the
graphs it runs: the Money graph (money_graph, money_rules) and subscription events (over core.plans)."""
