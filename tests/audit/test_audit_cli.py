"""`python -m core audit verify`: one line, exit 0 when intact, 1 when broken, 2 for bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.audit.tamper import as_table_owner, write_rows

ROOT = Path(__file__).resolve().parents[2]


def _cli(db_url: str, data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", "audit", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "DATABASE_URL": db_url,
                                            "HOSS_DATA_DIR": str(data_dir), **env})


def test_verify_of_an_intact_chain_prints_one_line_and_exits_0(db_url, session, tmp_path) -> None:
    ids = write_rows(session, 3)
    proc = _cli(db_url, tmp_path, "verify")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.startswith(f"audit chain intact: 3 row(s), 3 anchor(s), head row {ids[-1]}; unkeyed: ")
    assert proc.stdout.count("\n") == 1


def test_verify_with_the_key_says_the_witness_is_sealed(db_url, tmp_path) -> None:
    secret = {"HOSS_SECRET_KEY": "an operator's long secret"}
    assert _cli(db_url, tmp_path, "verify", **secret).stdout.startswith("audit chain intact: 0 row(s)")
    subprocess.run([sys.executable, "-m", "core", "run-agent", "bizdev"], cwd=ROOT, capture_output=True, timeout=120,
                   env={"PATH": "/usr/bin:/bin", "DATABASE_URL": db_url, "HOSS_DATA_DIR": str(tmp_path), **secret},
                   check=True)
    proc = _cli(db_url, tmp_path, "verify", **secret)
    assert proc.returncode == 0 and proc.stdout.endswith("; witness sealed with HOSS_SECRET_KEY\n"), proc.stdout


def test_verify_after_deleting_tail_rows_prints_the_first_broken_link_and_exits_1(db_url, session, owner_session,
                                                                                  tmp_path) -> None:
    ids = write_rows(session, 8)
    as_table_owner(owner_session, ("DELETE FROM audit_log WHERE id >= :id", {"id": ids[-5]}))
    proc = _cli(db_url, tmp_path, "verify")
    assert proc.returncode == 1
    assert proc.stdout == (f"audit chain broken at row {ids[-5]}: deleted from the end: anchored when written, "
                           "now missing (3 row(s) checked)\n")


def test_audit_without_an_action_is_one_line_and_exit_2(db_url, tmp_path) -> None:
    proc = _cli(db_url, tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "error: audit takes one action, verify (got nothing)\n"


def test_a_short_secret_key_is_one_line_and_exit_2(db_url, tmp_path) -> None:
    proc = _cli(db_url, tmp_path, "verify", HOSS_SECRET_KEY="short")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "HOSS_SECRET_KEY" in proc.stderr and "short" not in proc.stderr.replace("HOSS_SECRET_KEY", "")


def test_audit_verify_fails_after_the_log_and_its_anchors_are_emptied(db_url, session, owner_session, tmp_path) -> None:
    ids = write_rows(session, 3)
    assert _cli(db_url, tmp_path, "verify").returncode == 0  # the witness now holds the head
    as_table_owner(owner_session, "TRUNCATE audit_log, audit_anchors")
    proc = _cli(db_url, tmp_path, "verify")
    assert (proc.returncode, proc.stdout.count("\n")) == (1, 1), proc.stdout
    assert proc.stdout.startswith(f"audit chain broken at row {ids[-1]}: emptied: the log has no rows, but row "
                                  f"{ids[-1]} (3 rows) was the head witnessed here on ")
