"""The Google connection's life: start a consent flow, complete it at the callback, read its status, disconnect.

A consent flow's `state` is random, kept server-side as its SHA-256 for ten minutes and good for one callback;
the callback with a missing, wrong, expired or used state changes nothing. The refresh token and the account
email are stored only as Fernet tokens (core.integrations.tokens). Audit rows name the account, never a secret.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.audit import Actor, record_audit
from core.config.settings import Settings
from core.errors import HossError, InvalidInput, NotFound
from core.integrations import google, tokens
from db.models import Integration, OAuthState
from db.statuses import ACTOR_TYPES

PROVIDER = "google"
STATE_TTL = timedelta(minutes=10)


class StateRefused(InvalidInput):
    """The callback's state is missing, unknown, expired or already used: nothing is stored."""


class NotConnected(HossError):
    """No Google account is connected (or its grant can no longer be used)."""


@dataclass(frozen=True)
class GoogleStatus:
    """What the Agents page and `google status` show; `problem` says why it cannot be used (or None)."""

    configured: bool
    blocker: str | None  # why Connect is off (None: it can be offered)
    connected: bool
    email: str | None
    status: str | None
    connected_at: datetime | None
    problem: str | None


def connect_blocker(settings: Settings) -> str | None:
    """Why Connect Google cannot be offered now, as one line naming every missing setting at once; None when it can."""
    missing = [name for name, value in (("GOOGLE_CLIENT_ID", settings.google_client_id),
                                        ("GOOGLE_CLIENT_SECRET", settings.secret("google_client_secret")))
               if not value]
    if not tokens.can_encrypt(settings):
        missing.append("HOSS_SECRET_KEY")
    if not missing:
        return None
    why = " (the refresh token is stored encrypted under HOSS_SECRET_KEY)" if "HOSS_SECRET_KEY" in missing else ""
    names = ", ".join(missing[:-1]) + " and " + missing[-1] if len(missing) > 1 else missing[0]
    return f"Connect Google is off: set {names}{why}."


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8", "replace")).hexdigest()


def start_connect(session: Session, settings: Settings, actor: Actor) -> str:
    """Keep a new state for ten minutes and return Google's consent URL carrying it. No commit."""
    if reason := connect_blocker(settings):
        raise InvalidInput(reason)
    state = secrets.token_urlsafe(32)
    session.execute(delete(OAuthState).where(OAuthState.expires_at < func.now() - timedelta(days=1)))
    session.execute(insert(OAuthState).values(state_hash=_digest(state), provider=PROVIDER,
                                              expires_at=func.now() + STATE_TTL,
                                              created_by=f"{actor.type}:{actor.id}"))
    return google.consent_url(settings, state)


def _consume_state(session: Session, state: str | None) -> str:
    """Mark the state used (once, before it expires) and return who started the flow; StateRefused otherwise."""
    if not state or len(state) > 200:
        raise StateRefused("missing or malformed state: start Connect Google again")
    started_by = session.execute(
        update(OAuthState)
        .where(OAuthState.state_hash == _digest(state), OAuthState.provider == PROVIDER,
               OAuthState.consumed_at.is_(None), OAuthState.expires_at > func.now())
        .values(consumed_at=func.now()).returning(OAuthState.created_by)
    ).scalar_one_or_none()
    if started_by is None:
        raise StateRefused("unknown, expired or already used state: start Connect Google again")
    return started_by


def complete_connect(session: Session, settings: Settings, state: str | None, code: str | None) -> str:
    """The callback: check the state, exchange the code, store the grant encrypted; return the account email.

    StateRefused (nothing stored) for a bad state or a missing code; GoogleError when Google refuses.
    No commit: the caller commits, or rolls back on an error so the state stays unused.
    """
    started_by = _consume_state(session, state)
    if not code or len(code) > 2000:
        raise StateRefused("the callback carries no authorization code")
    grant = google.exchange_code(settings, code)
    email = google.account_email(settings, grant.access_token)
    values = {"account_email_encrypted": tokens.encrypt(settings, email),
              "refresh_token_encrypted": tokens.encrypt(settings, grant.refresh_token),
              "scopes": grant.scopes, "status": "connected", "connected_by": started_by}
    old = session.execute(select(Integration.status).where(Integration.provider == PROVIDER)).scalar_one_or_none()
    session.execute(insert(Integration).values(provider=PROVIDER, **values).on_conflict_do_update(
        index_elements=["provider"], set_={**values, "connected_at": func.now()}))
    kind, _, name = started_by.partition(":")
    actor = Actor(kind, name) if kind in ACTOR_TYPES and name else Actor.system("google-callback")
    record_audit(session, actor, "integration", PROVIDER, old,
                 "connected", {"account": email, "scopes": grant.scopes, "via": "oauth callback"})
    return email


def google_status(session: Session, settings: Settings) -> GoogleStatus:
    """The connection as the operator should see it; a row this key cannot read says "reconnect Google"."""
    blocker = connect_blocker(settings)
    row = session.execute(select(Integration).where(Integration.provider == PROVIDER)).scalar_one_or_none()
    if row is None:
        return GoogleStatus(blocker is None, blocker, False, None, None, None, None)
    problem, email = None, None
    try:
        email = tokens.decrypt(settings, row.account_email_encrypted)
    except (tokens.TokenUnreadable, tokens.NoSecretKey):
        problem = f"the stored grant cannot be read with this HOSS_SECRET_KEY: {google.RECONNECT}"
    if row.status == "needs_reconnect" and problem is None:
        problem = f"Google refused the stored grant: {google.RECONNECT}"
    return GoogleStatus(blocker is None, blocker, True, email, row.status, row.connected_at, problem)


def refresh_token(session: Session, settings: Settings) -> str:
    """The stored refresh token in plain (for one call, never kept); NotConnected or TokenUnreadable otherwise."""
    row = session.execute(
        select(Integration.refresh_token_encrypted, Integration.status).where(Integration.provider == PROVIDER)
    ).first()
    if row is None:
        raise NotConnected("Google is not connected: connect it on the Agents page (or `python -m core google connect`)")
    try:
        return tokens.decrypt(settings, row.refresh_token_encrypted)
    except tokens.NoSecretKey:
        raise tokens.TokenUnreadable(f"HOSS_SECRET_KEY is not set, so the stored grant cannot be read: {google.RECONNECT}") from None


def mark_needs_reconnect(session: Session, actor: Actor, reason: str) -> None:
    """Google refused the grant: the connection shows "reconnect Google" until the operator connects again."""
    old = session.execute(
        update(Integration).where(Integration.provider == PROVIDER, Integration.status != "needs_reconnect")
        .values(status="needs_reconnect").returning(Integration.id)
    ).scalar_one_or_none()
    if old is not None:
        record_audit(session, actor, "integration", PROVIDER, "connected", "needs_reconnect", {"reason": reason[:300]})


def disconnect(session: Session, settings: Settings, actor: Actor) -> bool:
    """Revoke the grant at Google (best effort) and delete the row; whether Google confirmed. NotFound if none."""
    row = session.execute(select(Integration).where(Integration.provider == PROVIDER).with_for_update()).scalar_one_or_none()
    if row is None:
        raise NotFound("Google is not connected")
    revoked = False
    try:
        revoked = google.revoke(settings, tokens.decrypt(settings, row.refresh_token_encrypted))
    except (tokens.TokenUnreadable, tokens.NoSecretKey):
        pass  # unreadable here, so unusable here too: deleting the row is all that is left to do
    session.execute(delete(Integration).where(Integration.id == row.id))
    google.forget_access_tokens()
    record_audit(session, actor, "integration", PROVIDER, row.status, None,
                 {"action": "disconnect", "revoked_at_google": revoked})
    return revoked
