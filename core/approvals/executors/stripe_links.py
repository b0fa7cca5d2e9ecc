"""Stripe links an email carries, made only when the email is executed: a subscription Checkout Session (an
upgrade) or a billing portal session. Each is created once per execution (Stripe dedupes the idempotency key).

An email payload asks for one with {"checkout": {"price_id", "plan", "customer_id", "stripe_customer_id"?,
"email"?}} or {"billing_portal": {"stripe_customer_id", "customer_id"?}}; the URL replaces `{checkout_url}` /
`{portal_url}` in the body.
"""

from __future__ import annotations

import logging
from typing import Any

import stripe

from core.approvals.executors.base import PermanentError, with_retries
from core.approvals.executors.stripe_calls import executor_error, stripe_client
from core.config.settings import Settings

log = logging.getLogger("hoss.adapters.stripe")

SLOTS = {"checkout": "{checkout_url}", "billing_portal": "{portal_url}"}
DRY_RUN_LINK = "(a Stripe link is made here when this email is sent; Stripe is not configured)"


def wanted(payload: dict[str, Any]) -> str | None:
    """Which link the email asks for (`checkout` or `billing_portal`), or None."""
    for kind in SLOTS:
        if payload.get(kind) is not None:
            return kind
    return None


def _spec(payload: dict[str, Any], kind: str) -> dict[str, Any]:
    spec = payload.get(kind)
    if not isinstance(spec, dict):
        raise PermanentError(f"payload field {kind!r} must be an object")
    return spec


def _text(spec: dict[str, Any], field: str, kind: str) -> str:
    value = spec.get(field)
    if not isinstance(value, str) or not value.strip():
        raise PermanentError(f"{kind}.{field} is missing: set it before approving")
    return value.strip()


def _checkout_params(settings: Settings, spec: dict[str, Any]) -> dict[str, Any]:
    price_id = _text(spec, "price_id", "checkout")
    customer_id = str(spec.get("customer_id") or "")
    params: dict[str, Any] = {
        "mode": "subscription",
        "line_items": [{"price": price_id, "quantity": 1}],
        "client_reference_id": f"customer-{customer_id}",
        "metadata": {"customer_id": customer_id, "plan": str(spec.get("plan") or "")},
        "subscription_data": {"metadata": {"customer_id": customer_id, "plan": str(spec.get("plan") or "")}},
        "success_url": settings.stripe_success_url,
        "cancel_url": settings.stripe_cancel_url,
    }
    if isinstance(spec.get("stripe_customer_id"), str) and spec["stripe_customer_id"]:
        params["customer"] = spec["stripe_customer_id"]
    elif isinstance(spec.get("email"), str) and "@" in spec["email"]:
        params["customer_email"] = spec["email"]
    return params


def create_link(settings: Settings, payload: dict[str, Any], kind: str, *, idempotency_key: str) -> dict[str, Any]:
    """Create the link once; {"kind", "url", "stripe_id"}, or a dry-run placeholder (`skipped`) without Stripe."""
    spec = _spec(payload, kind)
    api_key = settings.secret("stripe_api_key")
    if not api_key:
        return {"kind": kind, "url": DRY_RUN_LINK, "skipped": True}
    client = stripe_client(settings, api_key)
    options = {"idempotency_key": f"hoss-{idempotency_key}-{kind}"}
    if kind == "checkout":
        params = _checkout_params(settings, spec)

        def call() -> Any:
            return client.v1.checkout.sessions.create(params=params, options=options)
    else:
        params = {"customer": _text(spec, "stripe_customer_id", "billing_portal"),
                  "return_url": settings.stripe_portal_return_url}

        def call() -> Any:
            return client.v1.billing_portal.sessions.create(params=params, options=options)

    def create() -> Any:
        try:
            return call()
        except stripe.StripeError as exc:
            raise executor_error(exc) from None

    made = with_retries(settings, create)
    log.info("Stripe %s session %s created for customer %s", kind, made.id, spec.get("customer_id"))
    return {"kind": kind, "url": made.url, "stripe_id": made.id}


def with_link(settings: Settings, payload: dict[str, Any], *, idempotency_key: str,
              dry_run: bool) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The payload with its link in the body (made now), and the link; unchanged when it asks for none.

    Without Stripe a real send is refused (an upgrade email without its link is worse than none); a dry run
    shows a placeholder.
    """
    kind = wanted(payload)
    if kind is None:
        return payload, None
    link = create_link(settings, payload, kind, idempotency_key=idempotency_key)
    if link.get("skipped") and not dry_run:
        raise PermanentError("Stripe not configured (STRIPE_API_KEY): cannot make the link this email carries")
    body = str(payload.get("body") or "")
    slot = SLOTS[kind]
    body = body.replace(slot, link["url"]) if slot in body else f"{body}\n\n{link['url']}"
    return {**payload, "body": body}, link
