"""Each operator's own secrets (SPEC §19): a console password (argon2 hash) and an API token (sha256 hash).

Neither the password, the token nor a hash is ever logged, shown or put in the audit log (its row says only
that a password was set or a token issued). A token is random (`hoss_` + 32 bytes), so a plain sha256 is the
right hash for it: the lookup is by hash, nothing is compared byte by byte. Issuing a token replaces the old
one; a deactivated operator's password and token stop working (only active operators are looked up).
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.approvals.operators import OperatorView, get_operator
from core.audit import Actor, record_audit
from core.errors import InvalidInput
from db.models import Operator

TOKEN_PREFIX = "hoss_"
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
_HASHER = PasswordHasher()
# Checked when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY = _HASHER.hash("not a password of anyone")


def hash_token(token: str) -> str:
    """The stored form of an API token (hex sha256)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def set_password(session: Session, name: str, password: str, actor: Actor) -> OperatorView:
    """Set an operator's console password (argon2 hash); audited without it. No commit; NotFound, InvalidInput."""
    operator = get_operator(session, name)
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    session.execute(update(Operator).where(Operator.name == name).values(password_hash=_HASHER.hash(password)))
    record_audit(session, actor, "operator", name, None, None, {"password": "set"})
    return operator


def issue_token(session: Session, name: str, actor: Actor) -> str:
    """A new API token for an operator, replacing the old one; returned once, stored hashed. No commit."""
    get_operator(session, name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.execute(update(Operator).where(Operator.name == name).values(token_hash=hash_token(token)))
    record_audit(session, actor, "operator", name, None, None, {"api_token": "issued"})
    return token


def operator_by_token(session: Session, token: str) -> OperatorView | None:
    """The active operator this API token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.execute(select(Operator.name).where(Operator.token_hash == hash_token(token),
                                                      Operator.active)).scalar_one_or_none()
    return None if row is None else get_operator(session, row)


def operator_by_password(session: Session, name: str, password: str) -> OperatorView | None:
    """The active operator `name` when `password` is their own, else None (unknown names cost the same time)."""
    stored = session.execute(select(Operator.password_hash).where(
        Operator.name == name, Operator.active, Operator.password_hash.isnot(None))).scalar_one_or_none()
    try:
        ok = _HASHER.verify(stored or _DUMMY, password.encode("utf-8")) and stored is not None
    except (VerificationError, InvalidHashError):
        ok = False
    return get_operator(session, name) if ok else None


def tokens_in_use(session: Session) -> bool:
    """Whether any active operator has an API token."""
    return session.execute(select(Operator.id).where(Operator.active, Operator.token_hash.isnot(None))
                           .limit(1)).first() is not None
