"""Adapters to the outside world (LLM, email, Slack, Stripe); each call has a timeout."""
