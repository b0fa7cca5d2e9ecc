"""The `deliver` executor: a worker's finished artifact to the customer, through the channel the proposal names.

Payload (DeliverPayload): {"task_id", "customer_id", "channel", "to", "subject", "body"}. Channel `email` goes
out through the email executor (SMTP, SendGrid or a dry run) with the execution's idempotency key, so the
rules of an email hold: a stable Message-ID, and an unknown outcome is never resent in bulk. Channel
`gmail_draft` (the customer's `delivery` setting, SPEC §15) becomes a draft in the connected Gmail through the
gmail_draft executor, which looks for a draft with the same Message-ID before it creates one.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from core.approvals.executors import email, gmail_draft
from core.approvals.executors.base import PermanentError
from core.approvals.payloads import DeliverPayload
from core.audit import Actor
from core.config.settings import Settings

CHANNELS = ("email", "gmail_draft")
NEEDS_SESSION = True  # a Gmail draft reads the stored Google grant


def parse(payload: dict[str, Any]) -> DeliverPayload:
    """The payload as DeliverPayload; PermanentError naming what is wrong (an edited payload may be anything)."""
    try:
        return DeliverPayload.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise PermanentError(f"deliver payload: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None


def execute(settings: Settings, payload: dict[str, Any], *, idempotency_key: str, session: Session) -> dict[str, Any]:
    """Send the artifact once through its channel; what went out. Raises Permanent/TransientError."""
    p = parse(payload)
    if not p.to.strip():
        raise PermanentError(f"customer {p.customer_id} has no contact email; set one, then retry")
    message = {"to": p.to, "subject": p.subject, "body": p.body}
    if p.channel == "gmail_draft":
        result = gmail_draft.execute(settings, message, idempotency_key=idempotency_key, session=session)
    else:
        result = email.execute(settings, message, idempotency_key=idempotency_key)
    return {"channel": p.channel, "task_id": p.task_id, **result}


def apply(session: Session, payload: dict[str, Any], result: dict[str, Any], actor: Actor) -> None:
    """Nothing else changes: the task is already done (and billable); the execution row records the delivery."""
