"""The `email` executor: SMTP (STARTTLS when offered, implicit TLS when configured), SendGrid, or a dry run.

Payload: {"to", "subject", "body", "lead_id"?, "from"?, "checkout"? | "billing_portal"?} — the last two ask for a
Stripe link made at execution (core.approvals.executors.stripe_links) and put into the body.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.approvals.executors import stripe_links
from core.approvals.executors.base import PermanentError, TransientError, post_json, require_text, with_retries
from core.audit import Actor
from core.config.settings import Settings
from core.transitions import can_transition, transition_lead
from db.models import Lead

log = logging.getLogger("hoss.adapters.email")


def mode(settings: Settings) -> str:
    """`smtp`, `sendgrid` or `dry_run`: which way an email would go out now."""
    if settings.bizdev_smtp_host:
        return "smtp"
    if settings.sendgrid_api_key:
        return "sendgrid"
    return "dry_run"


# A dry run with no From configured still shows what would go out; this says plainly that it is a stand-in.
DRY_RUN_FROM = "dry-run@hossagent.invalid"


def _message(settings: Settings, payload: dict[str, Any], idempotency_key: str, *, dry_run: bool) -> EmailMessage:
    to = require_text(payload, "to")
    if "@" not in to or "\n" in to or "\r" in to:
        raise PermanentError(f"payload field 'to' is not an email address: {to!r}")
    sender = payload.get("from") or settings.bizdev_email_from or settings.sendgrid_from_email
    if not sender and dry_run:
        sender = DRY_RUN_FROM  # nothing is sent, so nothing needs a real sender (.invalid never resolves)
    if not sender:
        raise PermanentError("no From address: set BIZDEV_EMAIL_FROM or put 'from' in the payload")
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = require_text(payload, "subject")
    # A stable Message-ID lets a receiving server spot a duplicate if a retry ever sends twice.
    msg["Message-ID"] = f"<{idempotency_key}@hossagent>"
    msg.set_content(require_text(payload, "body"))
    return msg


def _summary(msg: EmailMessage) -> dict[str, Any]:
    return {"from": msg["From"], "to": msg["To"], "subject": msg["Subject"], "message_id": msg["Message-ID"],
            "body": msg.get_content()}


def _send_smtp(settings: Settings, msg: EmailMessage) -> None:
    host, port, timeout = settings.bizdev_smtp_host or "", settings.bizdev_smtp_port, settings.executor_timeout_seconds
    user, password = settings.bizdev_smtp_user, settings.secret("bizdev_smtp_password")
    try:
        if settings.bizdev_smtp_ssl:
            server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        with server:
            server.ehlo()
            if not settings.bizdev_smtp_ssl and server.has_extn("starttls"):
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            if user and password:
                server.login(user, password)
            refused = server.send_message(msg)
        if refused:
            raise PermanentError(f"SMTP refused recipients: {refused}")
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if all(code >= 500 for code in codes):
            raise PermanentError(f"SMTP refused the recipient: {exc.recipients}") from None
        raise TransientError(f"SMTP deferred the recipient: {exc.recipients}") from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        error = f"SMTP {exc.smtp_code}: {text}"
        if exc.smtp_code >= 500:
            raise PermanentError(error) from None
        raise TransientError(error) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise PermanentError(f"SMTP: {exc}") from None
    except (smtplib.SMTPException, OSError) as exc:  # disconnects, refused connections, timeouts
        raise TransientError(f"SMTP: {type(exc).__name__}: {exc}") from None


def _send_sendgrid(settings: Settings, msg: EmailMessage) -> str | None:
    body = {
        "personalizations": [{"to": [{"email": msg["To"]}]}],
        "from": {"email": msg["From"]},
        "subject": msg["Subject"],
        "content": [{"type": "text/plain", "value": msg.get_content()}],
        "headers": {"Message-ID": msg["Message-ID"]},
    }
    response = post_json(
        settings.sendgrid_api_base.rstrip("/") + "/v3/mail/send", body,
        headers={"Authorization": f"Bearer {settings.secret('sendgrid_api_key')}"},
        timeout=settings.executor_timeout_seconds, what="SendGrid",
    )
    return response.headers.get("x-message-id")


def execute(settings: Settings, payload: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
    """Send the email once (retrying transient failures); return what went out. Raises Permanent/TransientError."""
    how = mode(settings)
    _message(settings, payload, idempotency_key, dry_run=how == "dry_run")  # refuse a bad payload before Stripe
    payload, link = stripe_links.with_link(settings, payload, idempotency_key=idempotency_key,
                                           dry_run=how == "dry_run")
    extra = {"link": link} if link else {}
    msg = _message(settings, payload, idempotency_key, dry_run=how == "dry_run")
    if how == "dry_run":
        log.info("DRY RUN (no SMTP or SendGrid configured): email NOT sent to %s, subject %r", msg["To"], msg["Subject"])
        placeholder = msg["From"] == DRY_RUN_FROM
        return {"dry_run": True, "would_send": _summary(msg), **extra,
                **({"note": "no From address configured: a placeholder stands in (set BIZDEV_EMAIL_FROM)"}
                   if placeholder else {})}
    if how == "smtp":
        with_retries(settings, lambda: _send_smtp(settings, msg))
        log.info("email sent by SMTP to %s, subject %r", msg["To"], msg["Subject"])
        return {"provider": "smtp", "sent": _summary(msg), **extra}
    provider_id = with_retries(settings, lambda: _send_sendgrid(settings, msg))
    log.info("email sent by SendGrid to %s, subject %r", msg["To"], msg["Subject"])
    return {"provider": "sendgrid", "provider_message_id": provider_id, "sent": _summary(msg), **extra}


def apply(session: Session, payload: dict[str, Any], result: dict[str, Any], actor: Actor) -> None:
    """After a real send, the lead becomes `contacted` with last_contacted_at. A dry run contacts nobody."""
    lead_id = payload.get("lead_id")
    if result.get("dry_run") or not isinstance(lead_id, int):
        return
    status = session.execute(select(Lead.status).where(Lead.id == lead_id)).scalar_one_or_none()
    if status is None:
        return
    if can_transition("lead", status, "contacted"):
        transition_lead(session, lead_id, "contacted", actor, values={"last_contacted_at": func.now()},
                        metadata={"via": "email", "message_id": result.get("sent", {}).get("message_id")})
    else:  # already further along the funnel: only the contact time moves
        session.execute(update(Lead).where(Lead.id == lead_id).values(last_contacted_at=func.now()))
