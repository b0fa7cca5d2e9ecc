"""`python -m core doctor`: one line per check, exit 1 when one fails; it names a runtime role that owns the tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.audit.tamper import write_rows

ROOT = Path(__file__).resolve().parents[2]
SECRET = {"HOSS_SECRET_KEY": "a doctor's long enough secret"}


def _doctor(db_url: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", "doctor"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "DATABASE_URL": db_url,
                                            "HOSS_DATA_DIR": str(data_dir), **env})


def test_doctor_on_the_runtime_role_with_the_key_passes_every_check(db_url, runtime_role, tmp_path) -> None:
    proc = _doctor(db_url, tmp_path, **SECRET)
    lines = proc.stdout.splitlines()
    assert (proc.returncode, proc.stderr, len(lines)) == (0, "", 5), proc.stdout
    assert all(line.startswith("ok: ") for line in lines)
    assert f"the runtime role {runtime_role[0]} owns no table" in proc.stdout  # hoss_app, or the shared server's


def test_doctor_reports_that_the_runtime_role_owns_the_tables(owner_db_url, tmp_path) -> None:
    proc = _doctor(owner_db_url, tmp_path, **SECRET)
    assert proc.returncode == 1
    assert [line for line in proc.stdout.splitlines() if line.startswith("FAILED: ")] == [
        "FAILED: the runtime role owns the tables: postgres is a superuser and could disable the audit triggers; "
        'see "Database roles" in the README']


def test_doctor_reports_a_missing_witness_once_the_log_has_rows(db_url, session, tmp_path) -> None:
    write_rows(session, 2)
    proc = _doctor(db_url, tmp_path, **SECRET)
    assert proc.returncode == 1
    assert f"FAILED: audit witness missing: none for this database at {tmp_path / 'audit_witness.json'}; " in proc.stdout


def test_doctor_reports_a_witness_that_no_longer_matches(db_url, session, owner_session, tmp_path) -> None:
    from core.audit.chain import verify_audit_chain
    from core.audit.seal import AuditKey
    from core.audit.witness import witness_path
    from tests.audit.tamper import as_table_owner

    write_rows(session, 3)
    key = AuditKey.from_secret(SECRET["HOSS_SECRET_KEY"])
    assert verify_audit_chain(session, key=key, witness=witness_path(tmp_path)).ok
    session.rollback()
    as_table_owner(owner_session, "TRUNCATE audit_log, audit_anchors")
    proc = _doctor(db_url, tmp_path, **SECRET)
    assert proc.returncode == 1 and "does not match: emptied: the log has no rows" in proc.stdout, proc.stdout


def test_doctor_without_the_secret_key_says_the_witness_is_unsealed(db_url, tmp_path) -> None:
    proc = _doctor(db_url, tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[-1] == ("FAILED: HOSS_SECRET_KEY not set: the audit witness is unsealed and "
                                            "Connect Google is off")


def test_doctor_reports_an_unreachable_database_and_exits_1(tmp_path) -> None:
    proc = _doctor("postgresql://nobody@127.0.0.1:1/nothing", tmp_path, **SECRET)
    lines = proc.stdout.splitlines()
    assert (proc.returncode, proc.stderr, len(lines)) == (1, "", 2), proc.stdout + proc.stderr
    assert lines[0].startswith("FAILED: database not reachable: Cannot reach the database at DATABASE_URL")
