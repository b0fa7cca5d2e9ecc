"""The role the product runs as has DML only: it cannot alter, disable the triggers of, or truncate a table."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from core.audit import Actor, record_audit


@pytest.mark.parametrize("statement", [
    "ALTER TABLE audit_log DISABLE TRIGGER USER",
    "ALTER TABLE audit_anchors DISABLE TRIGGER USER",
    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
])
def test_the_runtime_role_cannot_disable_the_audit_triggers(session: Session, statement: str) -> None:
    record_audit(session, Actor.system(), "lead", 1, None, "new")
    session.commit()
    with pytest.raises(DBAPIError, match="must be owner of table"):
        session.execute(text(statement))
    session.rollback()
    assert session.execute(text("SELECT count(*) FROM audit_anchors")).scalar_one() == 1
