"""`policy set` refuses an action type no executor knows (`wire`, a typo like `emial`), listing the known ones."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.app.cli import main
from core.approvals.payloads import ACTION_TYPES
from core.approvals.policies import PolicyError, update_policy
from core.audit import Actor


@pytest.mark.parametrize("argv", [["policy", "set", "wire", "--mode", "auto"], ["policy", "set", "emial"],
                                  ["policy", "set", "x" * 5000, "--mode", "auto"]])
def test_policy_set_of_an_unknown_type_is_one_line_listing_the_known_ones_exit_2(argv, capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown action type" in err and ", ".join(ACTION_TYPES) in err


@pytest.mark.parametrize("action_type", ["wire", "emial", "Email", ""])
def test_update_policy_of_an_unknown_type_stores_nothing(session: Session, action_type: str) -> None:
    with pytest.raises(PolicyError, match="choose one of: email, slack"):
        update_policy(session, action_type, Actor.system("test"), mode="auto")
    session.rollback()
    assert session.execute(text("SELECT count(*) FROM settings WHERE key LIKE 'policy.%'")).scalar_one() == 0


@pytest.mark.parametrize("action_type", ACTION_TYPES)
def test_every_known_type_takes_a_policy(session: Session, action_type: str) -> None:
    assert update_policy(session, action_type, Actor.system("test"), mode="manual").mode == "manual"
