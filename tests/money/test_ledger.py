"""The ledger: deduplicated entries, vendor categories, all-or-nothing bank CSV import, the cash balance."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.audit import Actor
from core.config.store import get_cash_balance, set_cash_balance
from core.money.ledger import categorize, import_bank_csv, preview_bank_csv, record_ledger_entry

OP = Actor.user("op")
GOOD_CSV = """date,description,amount
2026-11-01,OpenAI API usage,-42.10
2026-11-02,AWS invoice,"-1,200.00"
2026-11-03,Gusto payroll run,-8000
2026-11-04,Stripe fee,-3.20
2026-11-05,Client payment Acme,500.00
2026-11-05,Client payment Acme,500.00
"""


def _ledger(session: Session) -> list[tuple]:
    return [tuple(r) for r in session.execute(text(
        "SELECT direction, amount_cents, category, source FROM ledger_entries ORDER BY occurred_at, id"))]


@pytest.mark.parametrize(("description", "category"), [
    ("OPENAI *API", "llm"), ("AWS EMEA", "software"), ("GitHub Inc", "software"), ("Vercel Pro", "software"),
    ("Gusto", "payroll"), ("Monthly payroll", "payroll"), ("Stripe fee", "fees"), ("Blue Bottle Coffee", "other"),
    ("Lawson's", "other"),
])
def test_vendor_is_categorised_by_keyword(description: str, category: str) -> None:
    assert categorize(description) == category


def test_ledger_entry_with_an_existing_source_and_ref_is_skipped(session: Session) -> None:
    kw = dict(occurred_at=datetime.now(timezone.utc), direction="in", amount_cents=100, counterparty="Acme",
              category="revenue", source="stripe", ref="ch_1")
    assert record_ledger_entry(session, **kw) is True
    assert record_ledger_entry(session, **kw) is False
    assert session.execute(text("SELECT count(*) FROM ledger_entries")).scalar_one() == 1


def test_preview_parses_amounts_directions_and_categories_without_writing(session: Session) -> None:
    preview = preview_bank_csv(GOOD_CSV)
    assert preview.errors == ()
    assert [(r.line, r.direction, r.amount_cents, r.category) for r in preview.rows] == [
        (2, "out", 4_210, "llm"), (3, "out", 120_000, "software"), (4, "out", 800_000, "payroll"),
        (5, "out", 320, "fees"), (6, "in", 50_000, "revenue"), (7, "in", 50_000, "revenue"),
    ]
    assert len({r.ref for r in preview.rows}) == 6  # identical lines are two transactions
    assert session.execute(text("SELECT count(*) FROM ledger_entries")).scalar_one() == 0


def test_import_writes_every_line_and_a_reimport_skips_them_as_duplicates(session: Session) -> None:
    first = import_bank_csv(session, GOOD_CSV, OP)
    assert (first.imported, first.duplicates, first.errors) == (6, 0, ())
    again = import_bank_csv(session, GOOD_CSV + "2026-11-06,GitHub,-21.00\n", OP)
    assert (again.imported, again.duplicates) == (1, 6)
    assert len(_ledger(session)) == 7
    assert {r[3] for r in _ledger(session)} == {"csv_import"}


def test_malformed_lines_are_each_reported_and_nothing_is_imported(session: Session) -> None:
    bad = GOOD_CSV + "not-a-date,Vercel,-20\n2026-11-07,Vercel,twenty\n2026-11-08,Vercel\n2026-11-09,Vercel,-1.005\n"
    result = import_bank_csv(session, bad, OP)
    assert result.imported == 0
    assert [e.split(":")[0] for e in result.errors] == ["line 8", "line 9", "line 10", "line 11"]
    assert "not-a-date" in result.errors[0] and "twenty" in result.errors[1]
    assert _ledger(session) == []


def test_csv_without_the_expected_columns_is_refused_with_a_message(session: Session) -> None:
    result = import_bank_csv(session, "when,what,how much\n2026-11-01,x,1\n", OP)
    assert result.imported == 0
    assert result.errors == ("line 1: missing column(s) date, description, amount; expected date, description, amount",)


def test_cash_balance_is_set_read_and_audited(session: Session) -> None:
    assert get_cash_balance(session) is None
    set_cash_balance(session, 1_234_500, OP)
    set_cash_balance(session, 1_000_000, OP)
    assert get_cash_balance(session) == 1_000_000
    audit = session.execute(text("SELECT actor_id, metadata FROM audit_log WHERE entity = 'setting' ORDER BY id")).all()
    assert [(a.actor_id, a.metadata["from"], a.metadata["to"]) for a in audit] == [
        ("op", None, 1_234_500), ("op", 1_234_500, 1_000_000)]


def test_cash_balance_must_be_whole_cents(session: Session) -> None:
    with pytest.raises(ValueError, match="integer number of cents"):
        set_cash_balance(session, 12.5, OP)  # type: ignore[arg-type]
