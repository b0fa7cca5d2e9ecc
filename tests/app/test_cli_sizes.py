"""Over-long text and huge numbers on the CLI end in one line and exit 2, and the database gets nothing bad."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.app.cli import main

HUGE = "99999999999999999999"
LONG = "x" * 100_000


@pytest.fixture
def customer(session: Session, db_url: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("DATABASE_URL", db_url)
    cid = session.execute(text("INSERT INTO customers (company) VALUES ('Acme') RETURNING id")).scalar_one()
    session.commit()
    return cid


CASES = [
    ["task", "add", LONG, "--customer", "{c}"],
    ["task", "add", "fix it", "--customer", "{c}", "--reward-cents", HUGE],
    ["task", "add", "fix it", "--customer", "{c}", "--agent", LONG],
    ["hire", "sdr", "--name", LONG],
    ["hire", "sdr", "--name", "Mo", "--tone", LONG],
    ["hire", "sdr", "--name", "Mo", "--monthly-budget-cents", HUGE],
    ["operator", "add", LONG, "--role", "viewer"],
    ["operator", "add", "ann", "--role", "viewer", "--email", LONG],
    ["operator", "add", "ann", "--role", "viewer", "--slack-user", LONG],
    ["decide", "1", "reject", "--note", LONG],
    ["policy", "set", "email", "--sla-minutes", HUGE],
    ["policy", "set", "email", "--mode", "auto_below", "--limit-cents", HUGE],
    ["policy", "set", "email", "--two-person-above-cents", HUGE],
    ["policy", "set", "email", "--sla-minutes", "10", "--escalate-after-minutes", HUGE],
    ["customer", "budget", "{c}", HUGE],
    ["plans", "set", "starter", "--price-cents", HUGE],
    ["plans", "set", "starter", "--price-id", LONG],
    ["plans", "set", "starter", "--cap", HUGE],
    ["review", "1", "revise", "--note", LONG],
]


@pytest.mark.parametrize("argv", CASES, ids=lambda a: " ".join(x[:12] for x in a))
def test_an_over_long_or_huge_cli_value_is_one_line_exit_2(customer: int, argv: list[str], capsys) -> None:
    code = main([a.format(c=customer) for a in argv])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err[:300]
