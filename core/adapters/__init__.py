"""Adapters to the outside world (LLM, email, Slack, Stripe): each speaks one real wire protocol."""
