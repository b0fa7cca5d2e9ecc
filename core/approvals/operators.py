"""Operators and roles (SPEC §14, §19): who may decide. Owners and approvers decide; viewers only look.

An identity is an operator, never a typed name (SPEC §19). A person's role is their active operator row's.
Besides operators there are three fixed identities: the integration token (`INTEGRATION`, the shared
HOSS_API_TOKEN: role `integration`, never a person), the shell (`SHELL`: the CLI without HOSS_OPERATOR_TOKEN,
the install's owner, since whoever holds DATABASE_URL owns the install) and the one-person install's sign-in
(`INSTALL_OWNER`: HOSS_CONSOLE_PASSWORD while no operator has a password of their own). While no operator has
been added at all, every person is the owner: no surface makes a person from a typed name any more, so such a
person is one of those fixed identities. Other non-persons (the policy, the executor, agents) count as owners.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.approvals.permissions import require
from core.audit import Actor, record_audit
from core.errors import InvalidInput, NotFound
from db.models import Operator
from db.statuses import OPERATOR_ROLES

MAX_NAME = 64

INTEGRATION = Actor.system("api")  # the shared HOSS_API_TOKEN: reads and proposes, never decides or counts
SHELL = Actor.user("cli")  # the CLI without HOSS_OPERATOR_TOKEN: the install's owner
INSTALL_OWNER = "owner"  # the name of a one-person install's sign-in (HOSS_CONSOLE_PASSWORD alone)
RESERVED_NAMES = (SHELL.id, INSTALL_OWNER)


@dataclass(frozen=True)
class OperatorView:
    """One operator as the pages and the CLI show it."""

    name: str
    role: str
    email: str | None
    slack_user_id: str | None
    active: bool
    has_password: bool = False  # whether `operator passwd` set one (the hash itself never leaves the database)


def _view(row: Operator) -> OperatorView:
    return OperatorView(row.name, row.role, row.email, row.slack_user_id, row.active, row.password_hash is not None)


def _check(name: str, role: str, email: str | None, slack_user_id: str | None = None) -> None:
    if not name or len(name) > MAX_NAME or name != name.strip() or ":" in name:
        raise InvalidInput(f"operator name must be 1-{MAX_NAME} characters without ':' or surrounding spaces")
    if name in RESERVED_NAMES:
        raise InvalidInput(f"{name!r} is the name of the install's own owner identity; choose another name")
    if role not in OPERATOR_ROLES:
        raise InvalidInput(f"role must be one of {', '.join(OPERATOR_ROLES)} (got {role!r})")
    if email is not None and ("@" not in email or any(c.isspace() for c in email) or len(email) > 320):
        raise InvalidInput(f"not an email address: {email[:80]!r}")
    if slack_user_id is not None and (not slack_user_id or len(slack_user_id) > MAX_NAME
                                      or not slack_user_id.isascii() or not slack_user_id.isalnum()):
        raise InvalidInput(f"a Slack user id is letters and digits, like U024BE7LH (got {slack_user_id[:80]!r})")


def add_operator(session: Session, name: str, role: str, actor: Actor, *, email: str | None = None,
                 slack_user_id: str | None = None) -> OperatorView:
    """Add an operator, or change an existing one's role/email/Slack user (and reactivate it); audited. No commit."""
    require(role_of(session, actor), "manage_operators")
    _check(name, role, email, slack_user_id)
    email = email.lower() if email else None
    old = session.execute(select(Operator).where(Operator.name == name)).scalar_one_or_none()
    before = None if old is None else f"{old.role}{'' if old.active else ' (inactive)'}"
    values = {"role": role, "active": True,
              **({"email": email} if email is not None else {}),
              **({"slack_user_id": slack_user_id} if slack_user_id is not None else {})}
    for column, value in (("email", email), ("slack_user_id", slack_user_id)):
        if value is not None and session.execute(
            select(Operator.name).where(getattr(Operator, column) == value, Operator.name != name)
        ).first():
            raise InvalidInput(f"another operator already has {column} {value!r}")
    session.execute(insert(Operator).values(name=name, **values)
                    .on_conflict_do_update(index_elements=["name"], set_=values))
    record_audit(session, actor, "operator", name, before, role,
                 {"email": email, "slack_user_id": slack_user_id})
    return get_operator(session, name)


def deactivate_operator(session: Session, name: str, actor: Actor) -> OperatorView:
    """Deactivate an operator (it can no longer decide); audited. No commit; NotFound for an unknown name."""
    require(role_of(session, actor), "manage_operators")
    current = get_operator(session, name)
    if current.active:
        session.execute(update(Operator).where(Operator.name == name).values(active=False))
        record_audit(session, actor, "operator", name, current.role, "inactive", {})
    return get_operator(session, name)


def get_operator(session: Session, name: str) -> OperatorView:
    """One operator by name; NotFound otherwise."""
    row = session.execute(select(Operator).where(Operator.name == name)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"operator {name!r} not found")
    return _view(row)


def list_operators(session: Session) -> list[OperatorView]:
    """Every operator, active first, by name."""
    rows = session.execute(select(Operator).order_by(Operator.active.desc(), Operator.name)).scalars().all()
    return [_view(r) for r in rows]


def operator_active(session: Session, name: str) -> OperatorView | None:
    """The active operator of this name, or None."""
    row = session.execute(select(Operator).where(Operator.name == name, Operator.active)).scalar_one_or_none()
    return None if row is None else _view(row)


def operator_by_email(session: Session, email: str) -> OperatorView | None:
    """The active operator with this email (case-insensitive), or None."""
    row = session.execute(select(Operator).where(Operator.email == email.strip().lower(),
                                                 Operator.active)).scalar_one_or_none()
    return None if row is None else _view(row)


def operator_by_slack_user(session: Session, slack_user_id: str) -> OperatorView | None:
    """The active operator mapped to this Slack user id, or None."""
    row = session.execute(select(Operator).where(Operator.slack_user_id == slack_user_id,
                                                 Operator.active)).scalar_one_or_none()
    return None if row is None else _view(row)


def role_of(session: Session, actor: Actor) -> str:
    """The role `actor` acts with: an operator's by their active row; the fixed identities as the module says."""
    if actor == INTEGRATION:
        return "integration"
    if actor.type != "user":
        return "owner"
    row = session.execute(select(Operator.role, Operator.active).where(Operator.name == actor.id)).first()
    if row is not None:
        return row.role if row.active else "viewer"
    if actor == SHELL or not session.execute(select(exists().where(Operator.id.isnot(None)))).scalar_one():
        return "owner"
    if actor.id == INSTALL_OWNER and not passwords_in_use(session):
        return "owner"
    return "viewer"


def passwords_in_use(session: Session) -> bool:
    """Whether any active operator has a password of their own (then each signs in as themselves)."""
    return session.execute(select(exists().where(Operator.active, Operator.password_hash.isnot(None)))).scalar_one()


def person_of(actor: Actor) -> str | None:
    """Whom an approval counts as for the two-person rule: an operator's name; the install's owner for the shell
    and the one-person sign-in (one person); None for the integration token, policies, agents and the system."""
    if actor.type != "user":
        return None
    return INSTALL_OWNER if actor == SHELL else actor.id


def install_owner(session: Session) -> str:
    """The single identity of a one-person install: the only active owner operator, else `owner`."""
    names = session.execute(select(Operator.name).where(Operator.role == "owner", Operator.active == true())
                            .limit(2)).scalars().all()
    return names[0] if len(names) == 1 else INSTALL_OWNER


def signin_identity(session: Session, email: str | None) -> OperatorView | None:
    """The active operator an OIDC sign-in's verified email names, or None (an unknown email is refused)."""
    return operator_by_email(session, email) if email else None


def emails_of(session: Session, roles: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, email) of every active operator with one of `roles` and an email address, by name."""
    rows = session.execute(select(Operator.name, Operator.email).where(
        Operator.role.in_(roles), Operator.active, Operator.email.isnot(None)).order_by(Operator.name)).all()
    return [(r.name, r.email) for r in rows]
