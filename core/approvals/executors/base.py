"""What every adapter shares: the two kinds of failure, retries with backoff, and one JSON POST with a timeout."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from core.config.settings import Settings

T = TypeVar("T")


class PermanentError(Exception):
    """The outside service refused for good (4xx, bad payload); retrying cannot help. The message is shown."""


class TransientError(Exception):
    """A failure that may pass (connection error, timeout, 5xx, 429); retried with backoff."""


def with_retries(settings: Settings, call: Callable[[], T]) -> T:
    """Run `call`, retrying TransientError with exponential backoff; the last error is re-raised."""
    retrying = Retrying(
        stop=stop_after_attempt(settings.executor_retry_attempts),
        wait=wait_exponential(multiplier=settings.executor_retry_wait_seconds, max=30),
        retry=retry_if_exception_type(TransientError),
        reraise=True,
    )
    return retrying(call)


def post_json(
    url: str, body: dict[str, Any], *, timeout: float, headers: dict[str, str] | None = None, what: str
) -> httpx.Response:
    """POST JSON; 2xx is returned, 429/5xx/network errors raise TransientError, other statuses PermanentError.

    `what` names the service in messages; the URL is never put in a message (it may carry a secret).
    """
    try:
        response = httpx.post(url, json=body, headers=headers, timeout=timeout)
    except httpx.TransportError as exc:
        raise TransientError(f"{what}: {type(exc).__name__}: {exc}") from None
    if response.is_success:
        return response
    detail = response.text.strip()[:300]
    message = f"{what} answered HTTP {response.status_code}: {detail}" if detail else f"{what} answered HTTP {response.status_code}"
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientError(message)
    raise PermanentError(message)


def require_text(payload: dict[str, Any], field: str) -> str:
    """A non-empty string field of the payload, or PermanentError naming it."""
    value = payload.get(field)
    if not isinstance(value, str) or not value.strip():
        raise PermanentError(f"payload field {field!r} must be a non-empty string")
    return value
