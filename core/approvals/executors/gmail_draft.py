"""The `gmail_draft` executor: the message waits as a draft in the connected Gmail, ready to send (SPEC §15).

Payload like `email`: {"to", "subject", "body", "lead_id"?, "task_id"?}. The RFC 822 message carries a
Message-ID made from the execution's idempotency key, and the executor looks for a draft with it before
creating one, so a retried or re-queued execution never leaves a second draft.
"""

from __future__ import annotations

import base64
from email.message import EmailMessage
from typing import Any

from sqlalchemy.orm import Session

from core.approvals.executors.google_calls import call_google, parse_payload, stored_grant
from core.approvals.payloads import GmailDraftPayload
from core.audit import Actor
from core.config.settings import Settings
from core.integrations import google

NEEDS_SESSION = True  # the grant is read from the integrations table


def message_id(idempotency_key: str) -> str:
    """The stable Message-ID of an execution's message (the same convention as the `email` executor)."""
    return f"<{idempotency_key}@hossagent>"


def raw_message(payload: GmailDraftPayload, idempotency_key: str) -> str:
    """The RFC 822 message, base64url-encoded as Gmail's `raw` wants it."""
    msg = EmailMessage()
    msg["To"] = payload.to
    msg["Subject"] = payload.subject
    msg["Message-ID"] = message_id(idempotency_key)
    msg.set_content(payload.body)
    return base64.urlsafe_b64encode(msg.as_bytes()).decode("ascii")


def execute(settings: Settings, payload: dict[str, Any], *, idempotency_key: str, session: Session) -> dict[str, Any]:
    """Make the draft once (look first, then create); return its id. Raises Permanent/TransientError."""
    parsed = parse_payload(GmailDraftPayload, payload)
    grant = stored_grant(session, settings)
    mid = message_id(idempotency_key)

    def draft() -> tuple[str, bool]:
        if existing := google.find_draft(settings, grant, mid):
            return existing, True
        return str(google.create_draft(settings, grant, raw_message(parsed, idempotency_key))["id"]), False

    draft_id, existing = call_google(session, settings, draft)
    return {"provider": "gmail_draft", "draft_id": draft_id, "already_there": existing,
            "sent": {"to": parsed.to, "subject": parsed.subject, "message_id": mid},
            "detail": f"Gmail draft {draft_id} to {parsed.to}" + (" (already there)" if existing else "")}


def apply(session: Session, payload: dict[str, Any], result: dict[str, Any], actor: Actor) -> None:
    """A draft contacts nobody until the operator sends it from Gmail: nothing else changes here."""
