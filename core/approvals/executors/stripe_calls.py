"""What the two Stripe executors (checkout, links) share: the client, and Stripe's failures as the executor's two kinds."""

from __future__ import annotations

import stripe

from core.approvals.executors.base import PermanentError, TransientError
from core.config.settings import Settings


def stripe_client(settings: Settings, api_key: str) -> stripe.StripeClient:
    """A Stripe client at the configured API base, with our timeout and without Stripe's own retries."""
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": settings.stripe_api_base} if settings.stripe_api_base else None,
        max_network_retries=0,  # our own retry loop decides; the idempotency key makes its retries safe
        http_client=stripe.RequestsClient(timeout=settings.executor_timeout_seconds),
    )


def executor_error(exc: stripe.StripeError) -> Exception:
    """A Stripe failure as TransientError (network, 429, 5xx: retried) or PermanentError (the rest)."""
    status = exc.http_status or 0
    message = f"Stripe: {type(exc).__name__}: {exc.user_message or str(exc)}"[:500]
    if isinstance(exc, stripe.APIConnectionError) or status == 429 or status >= 500:
        return TransientError(message)
    return PermanentError(message)
