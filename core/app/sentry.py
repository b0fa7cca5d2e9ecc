"""Errors to Sentry when SENTRY_DSN is set: one init per process (from bootstrap), no secret in any event.

What is sent: uncaught exceptions (a CLI verb's crash, a Starlette 500) and every ERROR log record, with its
traceback when it has one (the API's 500s, failed agent runs, a Streamlit page's uncaught exception); INFO
records ride along as breadcrumbs. What is not: HossError refusals the CLI and the API answer in one line.

Scrubbing, before anything leaves the process: sentry-sdk's recursive denylist scrubber (keys such as
`authorization`, `password`, `token`, `secret`, `cookie`, plus ours), then `scrub_event`, which drops
credential headers wherever they appear and replaces the value of every secret setting (each SecretStr, and
the database password) inside any string of the event: messages, exception values, frame locals, request
data, breadcrumbs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial
from typing import Any
from urllib.parse import quote

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from core.config.settings import SECRET_FIELDS, Settings

log = logging.getLogger("hoss.sentry")

FILTERED = "[Filtered]"
CREDENTIAL_HEADERS = frozenset({
    "authorization", "proxy-authorization", "cookie", "set-cookie", "stripe-signature", "x-api-key",
})
_configured_dsn: str | None = None


def configure_error_reporting(settings: Settings) -> bool:
    """Start the Sentry client once per process when SENTRY_DSN is set; True when it is on."""
    global _configured_dsn
    dsn = settings.secret("sentry_dsn")
    if not dsn:
        return False
    if _configured_dsn == dsn:
        return True
    import sentry_sdk
    from sentry_sdk.integrations.atexit import AtexitIntegration
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    denylist = [*DEFAULT_DENYLIST, *sorted(CREDENTIAL_HEADERS), *sorted(SECRET_FIELDS)]
    sentry_sdk.init(
        dsn=dsn,
        environment=settings.sentry_environment,
        before_send=partial(scrub_event, secrets=secret_values(settings)),
        event_scrubber=EventScrubber(denylist=denylist, recursive=True),
        # Pending events are flushed at exit without sentry's "attempting to send" lines on stderr.
        integrations=[AtexitIntegration(callback=_quiet_at_exit)],
        shutdown_timeout=5,
        max_breadcrumbs=50,
    )
    _configured_dsn = dsn
    log.info("errors are reported to Sentry (environment %s)", settings.sentry_environment)
    return True


def _quiet_at_exit(pending: int, timeout: float) -> None:
    """Sentry's at-exit callback: wait for pending events silently."""


def secret_values(settings: Settings) -> tuple[str, ...]:
    """Every secret a process holds: each SecretStr setting's value and the passwords in the database URLs.

    (The embedded server has no password.)
    """
    values = {v for name in SECRET_FIELDS if (v := settings.secret(name))}
    for url in filter(None, (settings.database_url, settings.hoss_migration_database_url)):
        try:
            password = make_url(url).password
        except (ArgumentError, ValueError):  # an unparseable URL has no password we could name
            password = None
        if password:
            values.update({str(password), quote(str(password), safe="")})  # as given, and as a URL spells it
    return tuple(sorted(values, key=len, reverse=True))  # longest first, so a secret inside another goes too


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None, *, secrets: Iterable[str]) -> dict[str, Any]:
    """Sentry's before_send: the event with credential headers dropped and every secret value replaced."""
    return _scrub(event, tuple(secrets))


def _scrub(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, FILTERED)
        return value
    if isinstance(value, dict):
        return {k: FILTERED if isinstance(k, str) and k.lower() in CREDENTIAL_HEADERS else _scrub(v, secrets)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        # Header lists ([name, value] pairs) keep their names but lose credential values.
        if len(value) == 2 and isinstance(value[0], str) and value[0].lower() in CREDENTIAL_HEADERS:
            return [value[0], FILTERED]
        return [_scrub(v, secrets) for v in value]
    return value
