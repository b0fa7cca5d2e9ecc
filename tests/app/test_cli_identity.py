"""The CLI's identity (SPEC §19): HOSS_OPERATOR_TOKEN's operator, else the shell `cli`; never a typed --actor."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.app.cli import main
from core.approvals.credentials import issue_token, operator_by_password
from core.approvals.operators import add_operator, deactivate_operator
from core.audit import Actor
from tests.inbox_data import email_proposal, make_lead

ADMIN = Actor.system("test")


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("HOSS_OPERATOR_TOKEN", raising=False)
    return db_url


def _decided_by(session: Session, pid: int) -> str | None:
    session.rollback()
    return session.execute(text("SELECT decided_by FROM action_proposals WHERE id = :i"), {"i": pid}).scalar_one()


def test_a_typed_actor_is_refused_in_one_line_naming_hoss_operator_token(cli_env: str, session: Session, capsys) -> None:
    pid = email_proposal(session, make_lead(session))
    session.commit()
    assert main(["decide", str(pid), "approve", "--actor", "vic"]) == 2
    assert main(["run-agent", "bizdev", "--actor=vic"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "HOSS_OPERATOR_TOKEN" in err
    assert _decided_by(session, pid) is None


def test_the_cli_decides_as_the_operator_of_hoss_operator_token(cli_env: str, session: Session, monkeypatch) -> None:
    add_operator(session, "bo", "approver", ADMIN)
    monkeypatch.setenv("HOSS_OPERATOR_TOKEN", issue_token(session, "bo", ADMIN))
    pid = email_proposal(session, make_lead(session))
    session.commit()
    assert main(["decide", str(pid), "reject"]) == 0
    assert _decided_by(session, pid) == "bo"


def test_a_viewers_operator_token_does_not_decide_from_the_shell(cli_env: str, session: Session, monkeypatch) -> None:
    add_operator(session, "vic", "viewer", ADMIN)
    monkeypatch.setenv("HOSS_OPERATOR_TOKEN", issue_token(session, "vic", ADMIN))
    pid = email_proposal(session, make_lead(session))
    session.commit()
    assert main(["decide", str(pid), "approve"]) == 2  # refused by the permission table: one line, exit 2
    assert _decided_by(session, pid) is None


def test_a_deactivated_operators_token_is_one_line_and_exit_2(cli_env: str, session: Session, monkeypatch,
                                                              capsys) -> None:
    add_operator(session, "bo", "approver", ADMIN)
    monkeypatch.setenv("HOSS_OPERATOR_TOKEN", issue_token(session, "bo", ADMIN))
    deactivate_operator(session, "bo", ADMIN)
    pid = email_proposal(session, make_lead(session))
    session.commit()
    assert main(["decide", str(pid), "approve"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "HOSS_OPERATOR_TOKEN" in err
    assert _decided_by(session, pid) is None


def test_without_a_token_the_cli_is_the_shell_owner_even_when_operators_exist(cli_env: str, session: Session) -> None:
    add_operator(session, "vic", "viewer", ADMIN)
    pid = email_proposal(session, make_lead(session))
    session.commit()
    assert main(["decide", str(pid), "reject"]) == 0
    assert _decided_by(session, pid) == "cli"


def test_operator_passwd_reads_the_password_from_stdin_never_argv(cli_env: str, session: Session, monkeypatch,
                                                                  capsys) -> None:
    add_operator(session, "ana", "owner", ADMIN)
    session.commit()
    with pytest.raises(SystemExit) as exc:
        main(["operator", "passwd", "ana", "hunter2hunter2"])
    assert exc.value.code == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse\n"))
    assert main(["operator", "passwd", "ana"]) == 0
    out = capsys.readouterr().out
    assert out == "operator ana: console password set\n"
    session.rollback()
    assert operator_by_password(session, "ana", "correct horse") is not None


def test_operator_passwd_for_an_unknown_operator_is_one_line(cli_env: str, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse\n"))
    assert main(["operator", "passwd", "nobody"]) == 1
    assert capsys.readouterr().err == "error: operator 'nobody' not found\n"


def test_operator_token_prints_a_new_token_once_and_stores_its_hash(cli_env: str, session: Session, capsys) -> None:
    add_operator(session, "ana", "owner", ADMIN)
    session.commit()
    assert main(["operator", "token", "ana"]) == 0
    token = capsys.readouterr().out.splitlines()[-1]
    assert token.startswith("hoss_") and len(token) > 40
    session.rollback()
    stored = session.execute(text("SELECT token_hash FROM operators WHERE name = 'ana'")).scalar_one()
    assert token not in stored
    assert main(["operator", "list"]) == 0
    assert token not in capsys.readouterr().out


def test_operator_add_says_the_console_now_needs_a_sign_in_per_operator(cli_env: str, capsys) -> None:
    assert main(["operator", "add", "ana", "--role", "owner"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["operator ana: owner, active",
                     "The console now requires a sign-in per operator: set ana's password with "
                     "`python -m core operator passwd ana`."]
