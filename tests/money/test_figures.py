"""SPEC §18's one meaning per figure: every read model that shows gross margin, spend or net profit gives the value
core.money.figures gives (a failed task's cost is spend, never margin; refunds are less collected, never spend)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.analytics import run_analytics
from core.config.context import AppContext
from core.console.control_room import headline_metrics
from core.console.customers import customer_lines
from core.console.glance import at_a_glance
from core.events.money_graph import analyze_spend
from core.money.figures import gross_margin_cents, ledger_totals, net_profit_cents, profit_cents
from core.money.ledger import record_ledger_entry
from core.money.runway import estimate_runway
from core.plans.roi import plan_usage_rows, roi_rows
from core.workforce.views import worker_stats
from tests.plans.plans_data import add, make_customer, make_worker

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)


def done_and_failed(session: Session, *, worker: str = "rhea") -> int:
    """A customer with one done task (reward 500, cost 40) and one failed task (reward 500, cost 30) by `worker`."""
    cid = make_customer(session, "Globex", plan="pro")
    done, failed = add(session, cid, 2, reward_cents=500)
    for task_id, status, cost in ((done, "done", 40), (failed, "failed", 30)):
        session.execute(text("UPDATE tasks SET status = 'running', agent = :w WHERE id = :t"), {"w": worker, "t": task_id})
        session.execute(text("UPDATE tasks SET status = :s, cost_cents = :c, profit_cents = :p, started_at = now(), "
                             "completed_at = CASE WHEN :s = 'done' THEN now() END WHERE id = :t"),
                        {"s": status, "c": cost, "p": profit_cents(500, cost) if status == "done" else 0, "t": task_id})
    session.commit()
    return cid


def test_a_failed_tasks_cost_is_spend_and_never_margin_wherever_margin_is_shown(ctx: AppContext,
                                                                                session: Session) -> None:
    worker = make_worker(session)
    cid = done_and_failed(session, worker=worker)
    margin = gross_margin_cents(500, 40)
    assert margin == 460

    stats = {s.name: s for s in worker_stats(session)}[worker]  # the Workforce page's roster
    assert (stats.earned_cents, stats.cost_cents, stats.margin_cents) == (500, 70, margin)

    [usage] = [r for r in plan_usage_rows(session) if r["customer_id"] == cid]  # ROI's month, the plan_usage canvas
    assert (usage["earned_cents"], usage["spend_cents"], usage["llm_cost_cents"]) == (500, 70, 40)
    assert usage["gross_margin_cents"] == margin
    [line] = [c for c in customer_lines(session) if c.customer_id == cid]  # the Customers page
    assert (line.spend_cents, line.margin_cents) == (70, margin)
    now = datetime.now(UTC)
    [roi] = roi_rows(session, now.replace(day=1, hour=0, minute=0, second=0, microsecond=0), now + timedelta(1))
    assert (roi["llm_cost_cents"], roi["gross_margin_cents"]) == (40, margin)

    canvas = run_analytics(ctx.engine, "profit_over_time", {"period": "all_time"}).rows  # the canvas
    assert sum(r["gross_margin_cents"] for r in canvas) == margin
    assert sum(r["profit_cents"] for r in canvas) == profit_cents(500, 40)
    m = headline_metrics(session)  # the control room
    assert (m.earned_cents, m.llm_cost_cents, m.gross_margin_cents) == (500, 40, margin)


def test_spend_and_net_profit_read_the_same_ledger_everywhere(ctx: AppContext, session: Session) -> None:
    at = NOW - timedelta(hours=1)
    for ref, direction, cents, category, who in (("pay", "in", 10_000, "revenue", "Globex"),
                                                 ("refund", "out", 1_000, "revenue", "Globex"),
                                                 ("aws", "out", 2_500, "software", "AWS"),
                                                 ("openai", "out", 500, "llm", "OpenAI")):
        record_ledger_entry(session, occurred_at=at, direction=direction, amount_cents=cents, counterparty=who,
                            category=category, source="manual", ref=ref)
    session.commit()
    totals = ledger_totals(session, NOW - timedelta(days=30), NOW)
    assert (totals.collected_cents, totals.spend_cents) == (9_000, 3_000)  # the refund is less collected, not spend
    net = net_profit_cents(9_000, 3_000)
    assert totals.net_profit_cents == net == 6_000

    m = headline_metrics(session)
    assert (m.collected_cents, m.spend_cents, m.net_profit_cents) == (9_000, 3_000, net)
    today = {r["series"]: r["cents"] for r in at_a_glance(session, NOW).money if r["day"] == NOW.date()}
    assert (today["collected"], today["net"]) == (9_000, net)

    def canvas(name: str) -> list[dict]:
        return run_analytics(ctx.engine, name, {"period": "this_month"}, now=NOW).rows

    [pnl] = canvas("profit_and_loss")
    assert (pnl["payments_cents"], pnl["refunds_cents"], pnl["llm_cost_cents"], pnl["software_cents"]) == (
        10_000, 1_000, 500, 2_500)
    assert (pnl["collected_cents"], pnl["spend_cents"], pnl["net_profit_cents"]) == (9_000, 3_000, net)
    vendors = {r["vendor"]: r["spend_cents"] for r in canvas("spend_by_vendor")}
    assert vendors == {"AWS": 2_500, "OpenAI": 500}  # the refund to Globex is no vendor
    [burn] = canvas("burn_rate")
    assert (burn["in_cents"], burn["out_cents"], burn["net_burn_cents"]) == (10_000, 4_000, -net)
    runway = estimate_runway(session, NOW)
    assert (runway.collected_cents, runway.spend_cents) == (9_000, 3_000)
    assert analyze_spend(session, NOW)["spend_30d_cents"] == 3_000  # the Money graph's spend alert


def _product_files() -> list[Path]:
    return [p for folder in ("core", "db", "ui", "pages", "bench") for p in (ROOT / folder).rglob("*.py")
            if "versions" not in p.parts]


def test_each_figure_and_money_text_has_one_definition() -> None:
    owners = {"dollars": "core/money/cents.py", "amount_text": "core/money/cents.py",
              "to_dollars": "core/money/cents.py", "cents_from_dollars": "core/money/cents.py",
              "profit_cents": "core/money/figures.py", "gross_margin_cents": "core/money/figures.py",
              "net_profit_cents": "core/money/figures.py", "ledger_totals": "core/money/figures.py"}
    found: dict[str, list[str]] = {}
    for path in _product_files():
        for name in re.findall(r"^def (\w+)\(", path.read_text(), flags=re.MULTILINE):
            if name in owners:
                found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert found == {name: [owner] for name, owner in owners.items()}
    assert not (ROOT / "core/config/cents.py").exists()
    # Spend's predicate is written once, in the ledger_money view (its migrations); SQL elsewhere sums the view.
    restated = [str(p.relative_to(ROOT)) for p in _product_files() if "category <> 'revenue'" in p.read_text()]
    assert restated == []
