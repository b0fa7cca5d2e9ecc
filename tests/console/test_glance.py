"""The control room at a glance: money per day in SPEC §17's words, the funnel, the queue; charts hold no free text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.console.glance import at_a_glance
from core.money.ledger import record_ledger_entry
from ui.figures import Bars, Figure, bar_width, count_bars, figure_grid
from ui.glance import funnel_and_queue, money_chart

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
    assert {r["status"] for r in g.queue} == {"pending", "running", "done", "failed", "needs_review", "held", "discarded"}


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
    spec = money_chart(g.money).to_dict()
    dumped = json.dumps(spec) + count_bars(funnel_and_queue(g), "#E8B931")
    assert "onerror" not in dumped and "<script" not in dumped
    assert {t["field"] for t in spec["encoding"]["tooltip"]} <= {"day", "label", "dollars"}


def test_figure_grid_shows_hostile_labels_values_and_help_as_text() -> None:
    html = figure_grid([[Figure(HOSTILE, HOSTILE, HOSTILE)]], notes=[HOSTILE])
    assert "<script" not in html and "<img" not in html
    assert html.count("&lt;script&gt;") == 5  # label, its tooltip, value, its tooltip and note, each escaped


def test_figure_grid_explains_only_the_figures_with_help() -> None:
    html = figure_grid([[Figure("Leads", "40"), Figure("Earned", "$1.00", "Rewards of done tasks.")]])
    assert html.count('class="lbl" title=') == 1 and '<div class="lbl" title="Rewards of done tasks.">' in html


def test_each_row_of_figures_has_as_many_columns_as_figures() -> None:
    html = figure_grid([[Figure("a", "1")] * 5, [Figure("b", "2")] * 4])
    assert '--cols:5' in html and '--cols:4' in html


def test_bar_widths_scale_to_the_longest_bar_and_an_all_zero_chart_draws_nothing() -> None:
    assert [bar_width(n, 40) for n in (40, 10, 0)] == [100.0, 25.0, 0.0]
    assert bar_width(0, 0) == 0.0
    html = count_bars([Bars("Task queue", [("pending", 0), ("done", 0)])], "#E8B931")
    assert html.count("width:0.0%") == 2


def test_count_bars_escape_row_labels_and_refuse_a_colour_that_is_not_hex() -> None:
    html = count_bars([Bars(HOSTILE, [(HOSTILE, 3)])], "red;position:fixed")
    assert "<script" not in html and "position:fixed" not in html and "background:#888888" in html


def test_each_block_styles_its_own_notes_so_it_reads_the_same_shown_alone() -> None:
    for html in (figure_grid([[Figure("Leads", "40")]], notes=["a note"]),
                 count_bars([Bars("Task queue", [("done", 1)])], "#E8B931", note="a note")):
        assert '<p class="hoss-note">a note</p>' in html and ".hoss-note{" in html
    assert ".hoss-note{" not in figure_grid([[Figure("Leads", "40")]])


def test_money_axis_has_a_number_format_so_an_empty_chart_does_not_read_0_000000() -> None:
    # Regression: with vega's default format, a fresh console's all-zero chart labelled its axis "0.000000".
    spec = money_chart([{"day": NOW.date(), "series": "net", "label": "Net", "cents": 0}]).to_dict()
    assert spec["encoding"]["y"]["axis"]["format"] == ",.2~f"  # d3: 0, 0.4, 1,234.5
