"""The chain's head kept outside audit_log: anchors written by the chain trigger, unkeyed, verified in one statement."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.audit.chain import UNKEYED_NOTE, verify_audit_chain
from tests.audit.tamper import as_table_owner, reseal, write_rows


def _anchors(session) -> list[tuple]:
    return [tuple(r) for r in session.execute(text(
        "SELECT last_id, row_count, head_hash FROM audit_anchors ORDER BY last_id"))]


def test_every_audit_row_is_anchored_with_its_id_the_row_count_and_its_hash(session) -> None:
    ids = write_rows(session, 3)
    hashes = session.execute(text("SELECT row_hash FROM audit_log ORDER BY id")).scalars().all()
    assert _anchors(session) == [(i, n, h) for n, (i, h) in enumerate(zip(ids, hashes, strict=True), 1)]


def test_an_intact_unkeyed_chain_verifies_ok_and_says_it_is_unkeyed(session) -> None:
    ids = write_rows(session, 5)
    report = verify_audit_chain(session)
    assert (report.ok, report.checked, report.anchors, report.head_id, report.first_broken_id) == (True, 5, 5, ids[-1], None)
    assert report.notes == (UNKEYED_NOTE,)


def test_an_intact_chain_verified_with_the_key_is_keyed_and_has_no_note(session, audit_key) -> None:
    write_rows(session, 5)
    report = verify_audit_chain(session, key=audit_key)
    assert (report.ok, report.keyed, report.notes) == (True, True, ())


def test_after_deleting_the_newest_5_rows_as_the_table_owner_verify_reports_the_chain_broken(session, owner_session) -> None:
    ids = write_rows(session, 12)
    as_table_owner(owner_session, ("DELETE FROM audit_log WHERE id >= :id", {"id": ids[-5]}))
    report = verify_audit_chain(session)
    assert (report.ok, report.first_broken_id, report.reason) == (
        False, ids[-5], "deleted from the end: anchored when written, now missing")


def test_a_truncated_log_is_reported(session, owner_session) -> None:
    ids = write_rows(session, 4)
    as_table_owner(owner_session, "TRUNCATE audit_log")
    report = verify_audit_chain(session)
    assert (report.ok, report.checked, report.first_broken_id, report.reason) == (
        False, 0, ids[0], "table truncated: 4 anchored row(s), none left")


def test_a_truncated_log_that_was_written_to_again_is_still_reported(session, owner_session) -> None:
    ids = write_rows(session, 4)
    as_table_owner(owner_session, "TRUNCATE audit_log")
    write_rows(session, 1)
    report = verify_audit_chain(session)
    assert (report.ok, report.first_broken_id, report.reason) == (
        False, ids[0], "deleted: anchored when written, now missing")


def test_a_row_deleted_with_its_anchor_and_resealed_over_is_reported_by_the_row_count(session, owner_session) -> None:
    ids = write_rows(session, 5)
    as_table_owner(owner_session, ("DELETE FROM audit_log WHERE id = :id", {"id": ids[1]}),
                   ("DELETE FROM audit_anchors WHERE last_id = :id", {"id": ids[1]}))
    reseal(owner_session, ids[2], anchors=True, edit=False)
    report = verify_audit_chain(session)
    assert (report.ok, report.first_broken_id, report.reason) == (
        False, ids[2], "rows missing before it: 3 anchored up to here, 2 left")


def test_a_reseal_that_left_the_anchors_alone_is_reported_even_without_a_key(session, owner_session) -> None:
    ids = write_rows(session, 6)
    reseal(owner_session, ids[2], anchors=False)
    report = verify_audit_chain(session)
    assert (report.ok, report.first_broken_id, report.reason) == (
        False, ids[2], "re-sealed: its hash is not the one anchored when it was written")


def test_a_reseal_of_rows_and_anchors_verifies_inside_the_database_alone(session, owner_session, audit_key) -> None:
    """Only the witness outside the database sees this (tests/audit/test_witness.py)."""
    ids = write_rows(session, 6)
    reseal(owner_session, ids[2], anchors=True)
    assert verify_audit_chain(session, key=audit_key).ok


def test_a_row_written_with_the_anchor_trigger_off_is_reported(session, owner_session) -> None:
    write_rows(session, 2)
    as_table_owner(owner_session, """
        INSERT INTO audit_log (id, entity, entity_id, prev_hash)
        SELECT max(id) + 1, 'task', '9', (SELECT row_hash FROM audit_log ORDER BY id DESC LIMIT 1) FROM audit_log""",
        "UPDATE audit_log a SET row_hash = audit_log_row_hash(a.prev_hash, a) WHERE row_hash IS NULL")
    new = session.execute(text("SELECT max(id) FROM audit_log")).scalar_one()
    report = verify_audit_chain(session)
    assert (report.ok, report.first_broken_id, report.reason) == (False, new, "written after the anchored head: no anchor")


def test_a_replaced_hash_function_does_not_hide_an_edit(session, owner_session) -> None:
    ids = write_rows(session, 3)
    as_table_owner(owner_session,
                   "CREATE OR REPLACE FUNCTION audit_log_row_hash(prev text, r audit_log) RETURNS text "
                   "LANGUAGE sql IMMUTABLE AS $$ SELECT r.row_hash $$",
                   ("UPDATE audit_log SET to_status = 'done' WHERE id = :id", {"id": ids[1]}))
    report = verify_audit_chain(session)
    assert (report.ok, report.first_broken_id, report.reason) == (False, ids[1], "content changed")


def test_a_dropped_anchors_table_is_reported_as_unverifiable(session, owner_session) -> None:
    write_rows(session, 2)
    owner_session.execute(text("DROP TABLE audit_anchors CASCADE"))
    owner_session.commit()
    report = verify_audit_chain(session)
    assert not report.ok and report.first_broken_id is None and "audit_anchors" in report.reason


@pytest.mark.parametrize("statement", [
    "INSERT INTO audit_anchors (last_id, row_count, head_hash) VALUES (999999, 1, 'x')",
    "UPDATE audit_anchors SET row_count = row_count + 1",
    "DELETE FROM audit_anchors",
    "TRUNCATE audit_anchors",
])
def test_the_application_cannot_write_anchors_itself(session, statement: str) -> None:
    write_rows(session, 1)
    with pytest.raises(DBAPIError, match="audit_anchors is written only by the audit_log chain trigger|permission denied"):
        session.execute(text(statement))
    session.rollback()
    assert len(_anchors(session)) == 1


def test_an_anchor_write_does_not_survive_a_failed_audit_insert(session) -> None:
    write_rows(session, 1)
    with pytest.raises(DBAPIError, match="ck_audit_log_actor_type"):
        session.execute(text("INSERT INTO audit_log (actor_type, entity) VALUES ('nobody', 'task')"))
    session.rollback()
    assert len(_anchors(session)) == 1 and verify_audit_chain(session).ok
