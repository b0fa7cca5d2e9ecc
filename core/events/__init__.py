"""Events: verified Stripe webhooks stored once (webhooks), the processor that routes them, the graph runner."""
