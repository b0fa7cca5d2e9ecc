"""The witness file under HOSS_DATA_DIR: the furthest head this machine verified, which a rollback cannot take back."""

from __future__ import annotations

import json

from sqlalchemy import text

from core.audit.chain import verify_audit_chain
from core.audit.witness import Witnessed, database_identity, read_witness, record_witness, witness_path
from tests.audit.tamper import as_table_owner, write_rows


def _rollback(session, from_id: int) -> None:
    """Remove the newest rows *and* their anchors: inside the database, the chain just looks shorter."""
    as_table_owner(session, ("DELETE FROM audit_log WHERE id >= :id", {"id": from_id}),
                   ("DELETE FROM audit_anchors WHERE last_id >= :id", {"id": from_id}))


def test_a_verification_records_the_head_in_the_witness_file(session, tmp_path) -> None:
    ids = write_rows(session, 3)
    verify_audit_chain(session, witness=witness_path(tmp_path))
    seen = read_witness(witness_path(tmp_path), database_identity(session))
    head = session.execute(text("SELECT row_hash FROM audit_log WHERE id = :id"), {"id": ids[-1]}).scalar_one()
    assert (seen.last_id, seen.row_count, seen.head_hash, seen.key_id) == (ids[-1], 3, head, None)


def test_a_rollback_of_rows_and_anchors_verifies_inside_the_database_alone(session) -> None:
    ids = write_rows(session, 6)
    _rollback(session, ids[3])
    assert verify_audit_chain(session).ok


def test_a_rollback_of_rows_and_anchors_is_reported_by_the_witness(session, tmp_path) -> None:
    ids = write_rows(session, 6)
    verify_audit_chain(session, witness=witness_path(tmp_path))
    _rollback(session, ids[3])
    report = verify_audit_chain(session, witness=witness_path(tmp_path))
    assert (report.ok, report.first_broken_id) == (False, ids[-1])
    assert report.reason.startswith(f"rolled back: row {ids[-1]} (6 rows) was the head witnessed here on ")


def test_stripping_every_seal_is_reported_by_the_witness(keyed_session, audit_key, tmp_path) -> None:
    ids = write_rows(keyed_session, 3)
    verify_audit_chain(keyed_session, key=audit_key, witness=witness_path(tmp_path))
    as_table_owner(keyed_session, "UPDATE audit_anchors SET key_id = NULL, seal = NULL")
    report = verify_audit_chain(keyed_session, key=audit_key, witness=witness_path(tmp_path))
    assert (report.ok, report.first_broken_id) == (False, ids[-1])
    assert report.reason.startswith("seal removed: its anchor was sealed with HOSS_SECRET_KEY")


def test_the_witness_never_moves_back(tmp_path) -> None:
    path = witness_path(tmp_path)
    record_witness(path, "db", Witnessed(9, 5, "h9", None, "2026-12-01T00:00:00+00:00"))
    record_witness(path, "db", Witnessed(7, 4, "h7", None, "2026-12-01T00:00:01+00:00"))
    assert read_witness(path, "db").last_id == 9


def test_a_broken_chain_does_not_advance_the_witness(session, tmp_path) -> None:
    ids = write_rows(session, 4)
    verify_audit_chain(session, witness=witness_path(tmp_path))
    as_table_owner(session, ("DELETE FROM audit_log WHERE id = :id", {"id": ids[-1]}))
    write_rows(session, 2)
    verify_audit_chain(session, witness=witness_path(tmp_path))
    assert read_witness(witness_path(tmp_path), database_identity(session)).last_id == ids[-1]


def test_an_unreadable_witness_is_left_alone_and_noted(session, tmp_path) -> None:
    write_rows(session, 2)
    witness_path(tmp_path).write_text("{not json")
    report = verify_audit_chain(session, witness=witness_path(tmp_path))
    assert report.ok and any("witness file is unreadable" in n for n in report.notes)
    assert witness_path(tmp_path).read_text() == "{not json"


def test_each_database_has_its_own_witness_entry(session, tmp_path) -> None:
    write_rows(session, 1)
    record_witness(witness_path(tmp_path), "another/db", Witnessed(99, 99, "x", None, "2026-12-01T00:00:00+00:00"))
    assert verify_audit_chain(session, witness=witness_path(tmp_path)).ok
    databases = json.loads(witness_path(tmp_path).read_text())["databases"]
    assert set(databases) == {"another/db", database_identity(session)}
