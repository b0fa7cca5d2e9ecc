"""The `slack` executor: one message to the incoming webhook SLACK_WEBHOOK_URL, or a dry run without it.

Payload: {"text": ...} (any other fields are kept on the proposal, not sent).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from core.approvals.executors.base import post_json, require_text, with_retries
from core.audit import Actor
from core.config.settings import Settings

log = logging.getLogger("hoss.adapters.slack")


def execute(settings: Settings, payload: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
    """Post the message (retrying transient failures); return what went out. Raises Permanent/TransientError."""
    text = require_text(payload, "text")
    url = settings.secret("slack_webhook_url")
    if not url:
        log.info("DRY RUN (SLACK_WEBHOOK_URL not set): Slack message NOT sent: %r", text[:200])
        return {"dry_run": True, "would_send": {"text": text}}
    response = with_retries(
        settings, lambda: post_json(url, {"text": text}, timeout=settings.executor_timeout_seconds, what="Slack")
    )
    log.info("Slack message sent (%d characters)", len(text))
    return {"provider": "slack", "sent": {"text": text}, "status_code": response.status_code}


def apply(session: Session, payload: dict[str, Any], result: dict[str, Any], actor: Actor) -> None:
    """A Slack message changes nothing in the database."""
