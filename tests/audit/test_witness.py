"""The witness outside the database: the furthest head verified here, which a rollback, an emptied log or a rewrite
inside the database cannot take back, sealed with the key so that it cannot be forged to match."""

from __future__ import annotations

import json

from sqlalchemy import text

from core.audit.chain import UNCHECKED_SEAL_NOTE, verify_audit_chain
from core.audit.witness import Witnessed, database_identity, read_witness, record_witness, witness_path
from tests.audit.tamper import as_table_owner, reseal, write_rows


def _rollback(owner, from_id: int) -> None:
    """Remove the newest rows *and* their anchors: inside the database, the chain just looks shorter."""
    as_table_owner(owner, ("DELETE FROM audit_log WHERE id >= :id", {"id": from_id}),
                   ("DELETE FROM audit_anchors WHERE last_id >= :id", {"id": from_id}))


def _verify(session, path, key=None):
    report = verify_audit_chain(session, key=key, witness=path)
    session.rollback()  # let go of the tables before the owner touches them
    return report


def test_a_verification_records_the_head_in_the_witness_file(session, tmp_path) -> None:
    ids = write_rows(session, 3)
    _verify(session, witness_path(tmp_path))
    seen = read_witness(witness_path(tmp_path), database_identity(session))
    head = session.execute(text("SELECT row_hash FROM audit_log WHERE id = :id"), {"id": ids[-1]}).scalar_one()
    assert (seen.last_id, seen.row_count, seen.head_hash, seen.key_id, seen.seal) == (ids[-1], 3, head, None, None)


def test_a_verification_with_the_key_seals_the_witness(session, audit_key, tmp_path) -> None:
    write_rows(session, 2)
    _verify(session, witness_path(tmp_path), audit_key)
    identity = database_identity(session)
    seen = read_witness(witness_path(tmp_path), identity)
    assert seen.key_id == audit_key.key_id
    assert seen.seal == audit_key.seal_witness(identity, seen.last_id, seen.row_count, seen.head_hash, seen.at)


def test_a_rollback_of_rows_and_anchors_verifies_inside_the_database_alone(session, owner_session) -> None:
    ids = write_rows(session, 6)
    _rollback(owner_session, ids[3])
    assert verify_audit_chain(session).ok


def test_a_rollback_of_rows_and_anchors_is_reported_by_the_witness(session, owner_session, tmp_path) -> None:
    ids = write_rows(session, 6)
    _verify(session, witness_path(tmp_path))
    _rollback(owner_session, ids[3])
    report = _verify(session, witness_path(tmp_path))
    assert (report.ok, report.first_broken_id) == (False, ids[-1])
    assert report.reason.startswith(f"rolled back: row {ids[-1]} (6 rows) was the head witnessed here on ")


def test_audit_verify_fails_after_the_log_and_its_anchors_are_emptied_in_the_report(session, owner_session, tmp_path):
    ids = write_rows(session, 3)
    _verify(session, witness_path(tmp_path))
    as_table_owner(owner_session, "TRUNCATE audit_log, audit_anchors")
    report = _verify(session, witness_path(tmp_path))
    assert (report.ok, report.checked, report.first_broken_id) == (False, 0, ids[-1])
    assert report.reason.startswith(f"emptied: the log has no rows, but row {ids[-1]} (3 rows) was the head witnessed")


def test_a_rewrite_rehashing_rows_and_anchors_before_the_witnessed_head_is_reported(session, owner_session, tmp_path):
    ids = write_rows(session, 6)
    _verify(session, witness_path(tmp_path))
    reseal(owner_session, ids[2], anchors=True)
    report = _verify(session, witness_path(tmp_path))
    assert (report.ok, report.first_broken_id) == (False, ids[-1])
    assert report.reason.startswith("re-sealed since it was witnessed here on ")


def test_a_witness_rewritten_to_match_a_rewritten_log_is_reported_with_the_key(session, owner_session, audit_key,
                                                                              tmp_path) -> None:
    ids = write_rows(session, 4)
    path = witness_path(tmp_path)
    _verify(session, path, audit_key)
    reseal(owner_session, ids[1], anchors=True)
    head = owner_session.execute(text("SELECT head_hash FROM audit_anchors WHERE last_id = :id"), {"id": ids[-1]})
    data = json.loads(path.read_text())
    (entry,) = data["databases"].values()
    entry["head_hash"] = head.scalar_one()  # the forger has no key: the seal stays the old one
    path.write_text(json.dumps(data))
    report = _verify(session, path, audit_key)
    assert (report.ok, report.first_broken_id, report.reason) == (
        False, ids[-1], "witness forged or edited: its seal does not match HOSS_SECRET_KEY")


def test_an_unsealed_witness_is_refused_when_the_key_is_set(session, audit_key, tmp_path) -> None:
    ids = write_rows(session, 2)
    _verify(session, witness_path(tmp_path))
    report = _verify(session, witness_path(tmp_path), audit_key)
    assert (report.ok, report.first_broken_id) == (False, ids[-1])
    assert report.reason.startswith("witness not sealed with HOSS_SECRET_KEY: forged, or written before the key was set")


def test_without_the_key_a_sealed_witness_is_checked_but_its_seal_is_not(session, audit_key, tmp_path) -> None:
    write_rows(session, 2)
    _verify(session, witness_path(tmp_path), audit_key)
    report = _verify(session, witness_path(tmp_path))
    assert report.ok and UNCHECKED_SEAL_NOTE in report.notes


def test_the_witness_never_moves_back(tmp_path) -> None:
    path = witness_path(tmp_path)
    record_witness(path, "db", Witnessed(9, 5, "h9", None, "2026-12-01T00:00:00+00:00"))
    record_witness(path, "db", Witnessed(7, 4, "h7", None, "2026-12-01T00:00:01+00:00"))
    assert read_witness(path, "db").last_id == 9


def test_the_witness_file_may_live_elsewhere(tmp_path) -> None:
    assert witness_path(tmp_path / "data", tmp_path / "elsewhere.json") == tmp_path / "elsewhere.json"


def test_a_broken_chain_does_not_advance_the_witness(session, owner_session, tmp_path) -> None:
    ids = write_rows(session, 4)
    _verify(session, witness_path(tmp_path))
    as_table_owner(owner_session, ("DELETE FROM audit_log WHERE id = :id", {"id": ids[-1]}))
    write_rows(session, 2)
    _verify(session, witness_path(tmp_path))
    assert read_witness(witness_path(tmp_path), database_identity(session)).last_id == ids[-1]


def test_an_unreadable_witness_is_left_alone_and_fails_the_verification(session, tmp_path) -> None:
    write_rows(session, 2)
    witness_path(tmp_path).write_text("{not json")
    report = _verify(session, witness_path(tmp_path))
    assert (report.ok, report.first_broken_id) == (False, None)
    assert report.summary().startswith("audit chain cannot be verified: the witness file is unreadable (")
    assert witness_path(tmp_path).read_text() == "{not json"


def test_each_database_has_its_own_witness_entry(session, tmp_path) -> None:
    write_rows(session, 1)
    record_witness(witness_path(tmp_path), "another/db", Witnessed(99, 99, "x", None, "2026-12-01T00:00:00+00:00"))
    assert _verify(session, witness_path(tmp_path)).ok
    databases = json.loads(witness_path(tmp_path).read_text())["databases"]
    assert set(databases) == {"another/db", database_identity(session)}
