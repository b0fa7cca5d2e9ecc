"""Console sign-in that resists guessing across sessions: attempts counted in the database, per client and
globally, with a growing wait after each failure and a lockout window. The password itself is never stored
or logged; the UI (ui/auth.py) asks `signin_refusal` before checking a password and records the outcome.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

log = logging.getLogger("hoss.signin")

WINDOW = timedelta(minutes=15)  # failures older than this are forgiven
LOCKOUT_AFTER = 10  # failures from one client in the window: locked until the window forgets them
GLOBAL_LIMIT = 50  # failures from all clients in one minute: everyone waits (a distributed guesser)
MAX_WAIT_SECONDS = 60.0
_KEEP = timedelta(days=7)

# A success forgives the failures before it; the window forgets older ones.
_STATE = text("""
    WITH mine AS (SELECT at, ok FROM signin_attempts WHERE client = :client AND at > :since),
    reset AS (SELECT coalesce(max(at), :since) AS t FROM mine WHERE ok)
    SELECT (SELECT count(*) FROM mine, reset WHERE NOT ok AND at > reset.t) AS failures,
           (SELECT min(at) FROM mine, reset WHERE NOT ok AND at > reset.t) AS first_failure,
           (SELECT max(at) FROM mine, reset WHERE NOT ok AND at > reset.t) AS last_failure,
           (SELECT count(*) FROM signin_attempts WHERE NOT ok AND at > :minute_ago) AS global_failures
""")

_RECORD = text("INSERT INTO signin_attempts (at, client, ok) VALUES (:at, :client, :ok)")
_PRUNE = text("DELETE FROM signin_attempts WHERE at < :before")


def wait_after(failures: int) -> float:
    """Seconds a client waits after its n-th failure in the window: doubling from 0.5 s, capped at a minute."""
    return 0.0 if failures <= 0 else min(0.5 * 2 ** (failures - 1), MAX_WAIT_SECONDS)


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in is not even checked now, and for how long."""

    seconds: float
    reason: str

    @property
    def message(self) -> str:
        return f"{self.reason} Try again in {max(1, round(self.seconds))} s."


def signin_refusal(session: Session, client: str, now: datetime) -> Refusal | None:
    """None when `client` may try a password now; else how long to wait (backoff, lockout or global throttle)."""
    row = session.execute(_STATE, {"client": client, "since": now - WINDOW,
                                   "minute_ago": now - timedelta(minutes=1)}).one()
    session.rollback()
    failures = row.failures
    if failures >= LOCKOUT_AFTER:
        return Refusal((row.first_failure + WINDOW - now).total_seconds(),
                       f"Too many failed sign-ins from this address ({failures} in {WINDOW.seconds // 60} min).")
    if failures and (left := wait_after(failures) - (now - row.last_failure).total_seconds()) > 0:
        return Refusal(left, "Wrong password just now.")
    if row.global_failures >= GLOBAL_LIMIT:
        return Refusal(60.0, "Sign-in is paused: too many failed attempts from many addresses.")
    return None


def record_signin(session: Session, client: str, ok: bool, now: datetime) -> None:
    """Store one attempt (commits); a failure is logged with the client, never the password."""
    session.execute(_RECORD, {"at": now, "client": client, "ok": ok})
    session.execute(_PRUNE, {"before": now - _KEEP})
    session.commit()
    if not ok:
        log.warning("failed console sign-in from %s", client)


def client_address(ip_address: str | None, forwarded_for: str | None, *, trust_forwarded: bool) -> str:
    """Whom to count an attempt against: the peer address, or X-Forwarded-For's first hop behind a trusted proxy."""
    if trust_forwarded and forwarded_for:
        first = forwarded_for.split(",")[0].strip()
        if first:
            return first[:64]
    return (ip_address or "unknown")[:64]
