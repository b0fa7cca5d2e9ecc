"""What the two Google executors share: the stored grant, and Google's failures as the executor's two kinds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from core.approvals.executors.base import PermanentError, TransientError, with_retries
from core.audit import Actor
from core.config.settings import Settings
from core.integrations.connection import NotConnected, mark_needs_reconnect, refresh_token
from core.integrations.google import GoogleError, GrantRevoked
from core.integrations.tokens import TokenUnreadable

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
EXECUTOR = Actor.system("executor")


def parse_payload(model: type[M], payload: dict[str, Any]) -> M:
    """The payload validated by its model; PermanentError naming the first bad field."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "payload"
        raise PermanentError(f"payload field {where!r}: {err['msg']}") from None


def stored_grant(session: Session, settings: Settings) -> str:
    """The refresh token to act with; PermanentError ("reconnect Google") when there is none usable."""
    try:
        return refresh_token(session, settings)
    except (NotConnected, TokenUnreadable) as exc:
        raise PermanentError(str(exc)) from None


def call_google(session: Session, settings: Settings, call: Callable[[], T]) -> T:
    """Run `call` with the executor's retries; a revoked grant marks the connection and fails "reconnect Google"."""
    def once() -> T:
        try:
            return call()
        except GrantRevoked as exc:
            mark_needs_reconnect(session, EXECUTOR, str(exc))  # committed with the failed execution
            raise PermanentError(str(exc)) from None
        except GoogleError as exc:
            raise (TransientError if exc.transient else PermanentError)(str(exc)) from None

    return with_retries(settings, once)
