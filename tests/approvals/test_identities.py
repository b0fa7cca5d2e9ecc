"""Identities are operators, never typed names (SPEC §19): roles, persons for two-person, passwords."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.approvals.credentials import operator_by_password, set_password
from core.approvals.operators import (
    INSTALL_OWNER,
    INTEGRATION,
    SHELL,
    add_operator,
    deactivate_operator,
    install_owner,
    role_of,
)
from core.approvals.policies import update_policy
from core.approvals.proposals import decide
from core.audit import Actor
from core.errors import InvalidInput
from tests.inbox_data import checkout_proposal, make_invoice

ADMIN = Actor.system("test")


def _two_person(session: Session) -> int:
    update_policy(session, "stripe_checkout", ADMIN, two_person_above_cents=10_000)
    cid, iid = make_invoice(session, 50_000)
    return checkout_proposal(session, iid, cid, 50_000)


def _approvals(session: Session, pid: int) -> list[str]:
    return session.execute(text("SELECT operator FROM approvals WHERE proposal_id = :i ORDER BY id"),
                           {"i": pid}).scalars().all()


def test_the_integration_identity_is_the_integration_role(session: Session) -> None:
    assert role_of(session, INTEGRATION) == "integration"
    add_operator(session, "ana", "owner", ADMIN)
    assert role_of(session, INTEGRATION) == "integration"


def test_the_shell_is_the_owner_whoever_else_exists(session: Session) -> None:
    add_operator(session, "vic", "viewer", ADMIN)
    assert role_of(session, SHELL) == "owner"


def test_the_one_person_sign_in_is_the_owner_until_operators_have_passwords(session: Session) -> None:
    add_operator(session, "vic", "viewer", ADMIN)
    assert role_of(session, Actor.user(INSTALL_OWNER)) == "owner"
    add_operator(session, "ana", "owner", ADMIN)
    set_password(session, "ana", "correct horse", ADMIN)
    assert role_of(session, Actor.user(INSTALL_OWNER)) == "viewer"


def test_the_one_person_install_is_the_only_owner_operator_when_there_is_one(session: Session) -> None:
    assert install_owner(session) == INSTALL_OWNER
    add_operator(session, "ana", "owner", ADMIN)
    assert install_owner(session) == "ana"
    add_operator(session, "bea", "owner", ADMIN)
    assert install_owner(session) == INSTALL_OWNER


def test_an_unknown_or_inactive_name_is_a_viewer_once_operators_exist(session: Session) -> None:
    add_operator(session, "ana", "owner", ADMIN)
    deactivate_operator(session, "ana", ADMIN)
    assert role_of(session, Actor.user("ana")) == "viewer"
    assert role_of(session, Actor.user("mallory-1")) == "viewer"


def test_the_install_identities_cannot_be_taken_as_operator_names(session: Session) -> None:
    for name in ("cli", "owner"):
        with pytest.raises(InvalidInput, match="install's own owner"):
            add_operator(session, name, "viewer", ADMIN)


def test_a_system_actor_is_never_a_second_person(session: Session) -> None:
    add_operator(session, "ana", "owner", ADMIN)
    pid = _two_person(session)
    assert decide(session, pid, "approve", Actor.user("ana")).status == "pending"
    refused = decide(session, pid, "approve", Actor.system("executor"))
    assert not refused.ok and refused.status == "pending" and "not a person" in refused.message
    assert _approvals(session, pid) == ["ana"]


def test_the_shell_and_the_one_person_sign_in_are_one_person(session: Session) -> None:
    pid = _two_person(session)
    assert decide(session, pid, "approve", SHELL).status == "pending"
    again = decide(session, pid, "approve", Actor.user(INSTALL_OWNER))
    assert not again.ok and again.status == "pending"


def test_the_shell_and_an_operator_are_two_people(session: Session) -> None:
    add_operator(session, "bo", "approver", ADMIN)
    pid = _two_person(session)
    assert decide(session, pid, "approve", SHELL).status == "pending"
    assert decide(session, pid, "approve", Actor.user("bo")).status == "approved"


def test_a_password_signs_in_only_its_active_operator(session: Session) -> None:
    add_operator(session, "ana", "owner", ADMIN)
    add_operator(session, "vic", "viewer", ADMIN)
    set_password(session, "ana", "correct horse", ADMIN)
    assert operator_by_password(session, "ana", "correct horse").name == "ana"  # type: ignore[union-attr]
    assert operator_by_password(session, "ana", "wrong horse") is None
    assert operator_by_password(session, "vic", "correct horse") is None  # vic has no password of their own
    assert operator_by_password(session, "nobody", "correct horse") is None
    deactivate_operator(session, "ana", ADMIN)
    assert operator_by_password(session, "ana", "correct horse") is None


def test_the_password_is_stored_as_an_argon2_hash_and_never_audited(session: Session) -> None:
    add_operator(session, "ana", "owner", ADMIN)
    set_password(session, "ana", "correct horse", ADMIN)
    stored = session.execute(text("SELECT password_hash FROM operators")).scalar_one()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    audit = str(session.execute(text("SELECT array_agg(metadata::text) FROM audit_log")).scalar_one())
    assert "correct horse" not in audit and stored not in audit


def test_a_short_password_is_refused(session: Session) -> None:
    add_operator(session, "ana", "owner", ADMIN)
    with pytest.raises(InvalidInput, match="8 to 1024"):
        set_password(session, "ana", "short", ADMIN)
