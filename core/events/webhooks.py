"""Stripe webhook ingestion: verify the signature on the raw body, store the event once, answer at once."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from core.config.settings import Settings
from core.events import sql
from db.json_input import UnstorableJSON, loads_storable

TOLERANCE_SECONDS = 300
# ASCII digits only (str.isdigit accepts '²'), and few enough that the number is a plausible unix time.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
# Stripe was founded in 2010; 2100 is far enough ahead. Anything outside is not a real event time.
MIN_CREATED, MAX_CREATED = 1_262_304_000, 4_102_444_800
MAX_BODY_BYTES = 1_000_000  # Stripe events are a few KB; anything this large is not one
# Stripe's ids are at most 255 characters and its event types under 100: anything longer is not an event (and a
# 12 KB one would not fit the database's index row, a 500 before this check).
MAX_EVENT_ID_CHARS, MAX_EVENT_TYPE_CHARS = 255, 100


class SignatureError(ValueError):
    """The Stripe-Signature header is missing, malformed, stale, or matches no secret."""


class BadEvent(ValueError):
    """The body is not a Stripe event (not JSON, or no id/type/created)."""


@dataclass(frozen=True)
class StoredEvent:
    """Outcome of storing one event: its new row id (None for a repeat) and whether it was already there."""

    event_id: int | None
    duplicate: bool


def sign_stripe_payload(payload: bytes, secret: str, t: int) -> str:
    """A Stripe-Signature header value for `payload` signed with `secret` at unix time `t`."""
    return f"t={t},v1={_hmac(secret, t, payload)}"


def _hmac(secret: str, t: int, payload: bytes) -> str:
    return hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()


def verify_stripe_signature(
    payload: bytes, header: str | None, secrets: list[str], now: int, tolerance: int = TOLERANCE_SECONDS
) -> int:
    """Return the signed timestamp when some v1 in `header` is the HMAC of `t.payload` under some secret.

    Raises SignatureError otherwise: missing or malformed header, a timestamp more than `tolerance`
    seconds from `now` (either way), or no matching signature. Comparison is constant-time.
    """
    if not header:
        raise SignatureError("missing Stripe-Signature header")
    timestamps: list[str] = []
    v1s: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError("malformed Stripe-Signature header")
        if key == "t":
            timestamps.append(value)
        elif key == "v1":
            v1s.append(value)
    if len(timestamps) != 1 or not _TIMESTAMP.fullmatch(timestamps[0]) or not v1s:
        raise SignatureError("malformed Stripe-Signature header: needs one t= and at least one v1=")
    t = int(timestamps[0])
    if abs(now - t) > tolerance:
        raise SignatureError(f"stale Stripe-Signature timestamp ({now - t:+d} s from now; tolerance {tolerance} s)")
    for secret in secrets:
        expected = _hmac(secret, t, payload)
        # Check every candidate so timing does not reveal which one matched.
        if any(hmac.compare_digest(expected.encode(), v.encode()) for v in v1s):
            return t
    raise SignatureError("no v1 signature matches")


def webhook_secrets(settings: Settings) -> list[str]:
    """The accepted signing secrets: STRIPE_WEBHOOK_SECRET, comma-separated during a rotation."""
    raw = settings.secret("stripe_webhook_secret") or ""
    return [s.strip() for s in raw.split(",") if s.strip()]


def parse_stripe_event(payload: bytes) -> dict[str, Any]:
    """The event as a dict; BadEvent unless it is storable JSON: an object with string id/type and a sane created."""
    try:
        event = loads_storable(payload)
    except UnstorableJSON as exc:
        raise BadEvent(str(exc)) from None
    if not isinstance(event, dict):
        raise BadEvent("body is not a JSON object")
    for key, limit in (("id", MAX_EVENT_ID_CHARS), ("type", MAX_EVENT_TYPE_CHARS)):
        if not isinstance(event.get(key), str) or not event[key]:
            raise BadEvent(f"event has no {key}")
        if len(event[key]) > limit:
            raise BadEvent(f"event {key} is {len(event[key])} characters; a Stripe {key} has at most {limit}")
    created = event.get("created")
    if not isinstance(created, int) or isinstance(created, bool):
        raise BadEvent("event has no integer created timestamp")
    if not MIN_CREATED <= created <= MAX_CREATED:
        raise BadEvent(f"event created {created} is not a unix time between {MIN_CREATED} and {MAX_CREATED}")
    return event


def store_stripe_event(session: Session, event: dict[str, Any]) -> StoredEvent:
    """Insert the event once per Stripe id (ON CONFLICT DO NOTHING) and commit; a new row wakes the processor."""
    new_id = session.execute(
        sql.STORE_EVENT,
        {
            "type": event["type"],
            "occurred_at": datetime.fromtimestamp(event["created"], tz=timezone.utc),
            "payload": json.dumps(event),
            "key": event["id"],
        },
    ).scalar_one_or_none()
    session.commit()
    return StoredEvent(new_id, new_id is None)
