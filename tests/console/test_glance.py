"""The control room at a glance: money per day in SPEC §17's words, the funnel, the queue; charts hold no free text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.console.glance import at_a_glance
from core.money.ledger import record_ledger_entry
from ui.glance import bar_chart, money_chart

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_money_by_day_is_earned_collected_llm_cost_and_net(session: Session) -> None:
    for ref, direction, cents, category in (("p", "in", 10_000, "revenue"), ("r", "out", 1_000, "revenue"),
                                            ("aws", "out", 2_500, "software")):
        record_ledger_entry(session, occurred_at=NOW, direction=direction, amount_cents=cents,
                            counterparty=HOSTILE, category=category, source="manual", ref=ref)
    session.commit()
    g = at_a_glance(session, NOW)
    assert len(g.money) == 30 * 4 and {r["label"] for r in g.money} == {"Earned", "Collected", "LLM cost", "Net"}
    today = {r["series"]: r["cents"] for r in g.money if r["day"] == NOW.date()}
    assert today == {"earned": 0, "collected": 9_000, "llm_cost": 0, "net": 6_500}
    assert [r["stage"] for r in g.funnel] == ["Leads", "Contacted", "Responded", "Qualified"]
    assert {r["status"] for r in g.queue} == {"pending", "running", "done", "failed", "needs_review", "held"}


def test_lead_funnel_counts_later_stages_in_earlier_ones(session: Session) -> None:
    for status in ("new", "contacted", "responded", "qualified", "lost"):
        session.execute(text("INSERT INTO leads (company, contact_name, email, status) VALUES (:c, 'x', :e, :s)"),
                        {"c": HOSTILE, "s": status, "e": f"{status}@x.test"})
    session.commit()
    assert [r["count"] for r in at_a_glance(session, NOW).funnel] == [5, 3, 2, 1]


def test_chart_specs_carry_no_customer_or_vendor_text(session: Session) -> None:
    record_ledger_entry(session, occurred_at=NOW, direction="out", amount_cents=100, counterparty=HOSTILE,
                        category="other", source="manual", ref="h")
    session.commit()
    g = at_a_glance(session, NOW)
    specs = [money_chart(g.money).to_dict(), bar_chart(g.funnel, "stage", "count", "Lead funnel", order="order")
             .to_dict(), bar_chart(g.queue, "status", "count", "Task queue").to_dict()]
    dumped = json.dumps(specs)
    assert "onerror" not in dumped and "<script" not in dumped
    tooltip_fields = {t["field"] for spec in specs for t in spec["encoding"]["tooltip"]}
    assert tooltip_fields <= {"day", "label", "dollars", "stage", "status", "count"}
