"""The audit log's hash chain: sealed by the database on insert, verified by recomputation."""

from __future__ import annotations

from sqlalchemy import text

from core.audit import Actor, record_audit
from core.audit.chain import verify_audit_chain


def _write(session, n: int) -> None:
    for i in range(n):
        record_audit(session, Actor.user("ann"), "lead", i, "new", "contacted", {"i": i, "note": "<b>x</b>"})
        session.commit()


def test_every_inserted_row_links_to_the_previous_rows_hash(session) -> None:
    _write(session, 3)
    rows = session.execute(text("SELECT prev_hash, row_hash FROM audit_log ORDER BY id")).all()
    assert rows[0].prev_hash == ""
    assert [r.prev_hash for r in rows[1:]] == [r.row_hash for r in rows[:-1]]
    assert all(len(r.row_hash) == 64 for r in rows)


def test_an_untouched_chain_verifies(session) -> None:
    _write(session, 5)
    report = verify_audit_chain(session)
    assert (report.ok, report.checked, report.first_broken_id) == (True, 5, None)


def test_an_empty_log_verifies(session) -> None:
    assert verify_audit_chain(session).ok


def test_a_row_changed_by_a_superuser_is_reported_as_the_first_broken_link(session, owner_session) -> None:
    _write(session, 5)
    ids = session.execute(text("SELECT id FROM audit_log ORDER BY id")).scalars().all()
    session.rollback()
    owner_session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
    owner_session.execute(text("UPDATE audit_log SET to_status = 'lost' WHERE id = :id"), {"id": ids[2]})
    owner_session.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    owner_session.commit()
    report = verify_audit_chain(session)
    assert (report.ok, report.first_broken_id, report.reason) == (False, ids[2], "content changed")


def test_a_row_deleted_by_a_superuser_is_reported_missing_at_its_own_id(session, owner_session) -> None:
    _write(session, 5)
    ids = session.execute(text("SELECT id FROM audit_log ORDER BY id")).scalars().all()
    session.rollback()
    owner_session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
    owner_session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[1]})
    owner_session.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    owner_session.commit()
    report = verify_audit_chain(session)
    assert (report.ok, report.first_broken_id, report.reason) == (
        False, ids[1], "deleted: anchored when written, now missing")


def test_a_row_deleted_with_its_anchor_breaks_the_next_rows_link(session, owner_session) -> None:
    _write(session, 5)
    ids = session.execute(text("SELECT id FROM audit_log ORDER BY id")).scalars().all()
    session.rollback()
    owner_session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
    owner_session.execute(text("ALTER TABLE audit_anchors DISABLE TRIGGER audit_anchors_guard"))
    owner_session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[1]})
    owner_session.execute(text("DELETE FROM audit_anchors WHERE last_id = :id"), {"id": ids[1]})
    owner_session.execute(text("ALTER TABLE audit_anchors ENABLE TRIGGER audit_anchors_guard"))
    owner_session.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    owner_session.commit()
    report = verify_audit_chain(session)
    assert (report.ok, report.first_broken_id, report.reason) == (False, ids[2], "previous link broken")


def test_a_writer_cannot_choose_its_own_hashes(session) -> None:
    session.execute(text(
        "INSERT INTO audit_log (entity, entity_id, prev_hash, row_hash) VALUES ('lead', '1', 'forged', 'forged')"
    ))
    session.commit()
    assert session.execute(text("SELECT row_hash FROM audit_log")).scalar_one() != "forged"
    assert verify_audit_chain(session).ok


def test_concurrent_writers_still_form_one_chain(ctx) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def writer(k: int) -> None:
        with ctx.sessions() as s:
            for i in range(10):
                record_audit(s, Actor.agent(f"w{k}"), "task", i, "pending", "running")
                s.commit()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(writer, range(8)))
    with ctx.sessions() as s:
        report = verify_audit_chain(s)
    assert (report.ok, report.checked) == (True, 80)
