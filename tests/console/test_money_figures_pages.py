"""The pages show core.money.figures' values (SPEC §18): a failed task's cost is spend on the Workforce and Customers
pages and never margin; the control room's gross margin and net profit are the owner's."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from core.money.cents import dollars, to_dollars
from core.money.figures import gross_margin_cents, net_profit_cents
from core.money.ledger import record_ledger_entry
from tests.console_support import run_page, use_database
from tests.money.test_figures import done_and_failed

MARGIN = gross_margin_cents(500, 40)  # the done task's reward and cost; the failed task's 30¢ is spend only


@pytest.fixture(autouse=True)
def _db(monkeypatch, db_url):
    yield from use_database(monkeypatch, db_url)


def test_workforce_page_margin_counts_done_tasks_only(session) -> None:
    done_and_failed(session, worker="Rhea")
    at = run_page("pages/workforce.py")
    assert not at.exception
    roster = at.dataframe[0].value.set_index("name")
    assert (roster.loc["Rhea", "cost"], roster.loc["Rhea", "earned"]) == (dollars(70), dollars(500))
    assert roster.loc["Rhea", "margin"] == dollars(MARGIN) == "$4.60"


def test_customers_page_margin_counts_done_tasks_only(session) -> None:
    done_and_failed(session, worker="Rhea")
    at = run_page("pages/customers.py")
    assert not at.exception
    table = at.dataframe[0].value.set_index("customer")
    assert (table.loc["Globex", "spend"], table.loc["Globex", "earned"]) == (to_dollars(70), to_dollars(500))
    assert table.loc["Globex", "margin"] == to_dollars(MARGIN)


def test_control_room_gross_margin_and_net_profit_are_the_owners(session) -> None:
    done_and_failed(session, worker="Rhea")
    at = datetime.now(UTC)
    for ref, direction, cents, category in (("pay", "in", 10_000, "revenue"), ("refund", "out", 1_000, "revenue"),
                                            ("aws", "out", 2_500, "software")):
        record_ledger_entry(session, occurred_at=at, direction=direction, amount_cents=cents, counterparty="x",
                            category=category, source="manual", ref=ref)
    session.commit()
    page = run_page("pages/control_room.py")
    assert not page.exception
    grid = " ".join(h.proto.body for h in page.get("html"))
    shown = dict(re.findall(r'>([^<>]+)</div><div class="val" title="[^"]*">([^<]*)</div>', grid))
    assert shown["Gross margin"] == dollars(MARGIN) == "$4.60"
    assert shown["Net profit"] == dollars(net_profit_cents(9_000, 2_500)) == "$65.00"
