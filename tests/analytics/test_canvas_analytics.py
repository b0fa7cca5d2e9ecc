"""Every whitelisted function's figures on the fixed dataset, checked against hand-computed values."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from core.analytics import WHITELIST, AnalyticsError, run_analytics
from core.config.context import AppContext
from tests.canvas_dataset import NOW, load_canvas_dataset


@pytest.fixture
def data(ctx: AppContext) -> AppContext:
    load_canvas_dataset(ctx.engine)
    return ctx


def run(ctx: AppContext, name: str, **params: object):
    return run_analytics(ctx.engine, name, params, now=NOW)


def d(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=UTC)


def test_whitelist_is_exactly_the_spec_table() -> None:
    assert set(WHITELIST) == {
        "revenue_by_customer", "profit_over_time", "llm_cost_over_time", "task_throughput", "lead_funnel",
        "runway_estimate", "burn_rate", "spend_by_vendor", "failed_payments", "invoice_aging",
        "agent_run_health", "proposal_stats", "profit_and_loss", "receivables", "roi_by_customer", "plan_usage", "mrr",
        "customer_profitability", "worker_performance",  # issue 31 (SPEC §21)
    }


def test_revenue_by_customer_all_time_invoiced_excludes_void(data: AppContext) -> None:
    rows = run(data, "revenue_by_customer").rows
    assert [(r["customer"], r["invoices"], r["amount_cents"], r["paid_cents"], r["unpaid_cents"]) for r in rows] == [
        ("Globex", 2, 24000, 20000, 4000), ("Acme", 2, 15000, 10000, 5000), ("Initech", 2, 9500, 0, 9500),
    ]


def test_revenue_by_customer_paid_this_year_top_one(data: AppContext) -> None:
    rows = run(data, "revenue_by_customer", status="paid", period="this_year", limit=1).rows
    assert [(r["customer"], r["amount_cents"]) for r in rows] == [("Globex", 20000)]


def test_revenue_by_customer_paid_filters_on_paid_date(data: AppContext) -> None:
    assert run(data, "revenue_by_customer", status="paid", period="last_month").rows == []
    rows = run(data, "revenue_by_customer", status="paid", period="this_month").rows
    assert [(r["customer"], r["amount_cents"]) for r in rows] == [("Acme", 10000)]


def test_revenue_by_customer_last_30_days(data: AppContext) -> None:
    rows = run(data, "revenue_by_customer", period="last_30_days").rows
    assert [(r["customer"], r["invoices"], r["amount_cents"]) for r in rows] == [("Acme", 2, 15000)]


def test_revenue_by_customer_explicit_dates(data: AppContext) -> None:
    result = run(data, "revenue_by_customer", start="2026-03-01", end="2026-04-30")
    assert result.params["period"] == "custom"
    assert [(r["customer"], r["amount_cents"]) for r in result.rows] == [("Globex", 20000), ("Initech", 7000)]


def test_profit_over_time_weekly_last_30_days(data: AppContext) -> None:
    rows = run(data, "profit_over_time", period="last_30_days", grain="week").rows
    assert [(r["bucket"], r["tasks"], r["reward_cents"], r["cost_cents"], r["profit_cents"]) for r in rows] == [
        (d("2026-06-01"), 2, 180, 30, 150), (d("2026-06-08"), 1, 60, 30, 30),
    ]


def test_profit_over_time_for_one_customer_by_name_monthly(data: AppContext) -> None:
    rows = run(data, "profit_over_time", period="last_90_days", grain="month", customer="acme").rows
    assert [(r["bucket"], r["reward_cents"], r["cost_cents"], r["profit_cents"]) for r in rows] == [
        (d("2026-04-01"), 90, 5, 85), (d("2026-06-01"), 180, 30, 150),
    ]


def test_profit_over_time_for_one_customer_by_id(data: AppContext) -> None:
    rows = run(data, "profit_over_time", period="all_time", grain="month", customer=2).rows
    assert [(r["bucket"], r["profit_cents"]) for r in rows] == [(d("2026-06-01"), 30)]


def test_llm_cost_over_time_daily(data: AppContext) -> None:
    rows = run(data, "llm_cost_over_time", period="last_30_days", grain="day").rows
    assert [(r["bucket"], r["model"], r["input_tokens"], r["output_tokens"], r["cost_cents"]) for r in rows] == [
        (d("2026-06-01"), "gpt-4o-mini", 1000, 500, 20),
        (d("2026-06-02"), "gpt-4o-mini", 500, 200, 10),
        (d("2026-06-09"), "gpt-4o", 2000, 800, 30),
    ]


def test_llm_cost_over_time_monthly_by_model(data: AppContext) -> None:
    rows = run(data, "llm_cost_over_time", period="last_90_days", grain="month").rows
    assert [(r["bucket"], r["model"], r["tasks"], r["cost_cents"]) for r in rows] == [
        (d("2026-04-01"), "unknown", 1, 5), (d("2026-06-01"), "gpt-4o", 1, 30), (d("2026-06-01"), "gpt-4o-mini", 2, 30),
    ]


def test_task_throughput_weekly(data: AppContext) -> None:
    rows = run(data, "task_throughput", period="last_30_days", grain="week").rows
    assert [(r["bucket"], r["created"], r["done"], r["failed"]) for r in rows] == [
        (d("2026-06-01"), 2, 2, 0), (d("2026-06-08"), 3, 1, 1),
    ]
    # Lower median (30 of 30 and 60 minutes; 1440 alone), read from 2 % buckets: within 1 %.
    assert rows[0]["median_minutes_to_done"] == pytest.approx(30, rel=0.01)
    assert rows[1]["median_minutes_to_done"] == pytest.approx(1440, rel=0.01)


def test_rollups_follow_task_updates_and_deletes(data: AppContext) -> None:
    with data.engine.begin() as conn:
        # Task 4 failed: retried (→ pending), claimed (→ running), then done; the database refuses failed → done.
        conn.exec_driver_sql("UPDATE tasks SET status = 'pending' WHERE id = 4")
        conn.exec_driver_sql("UPDATE tasks SET status = 'running' WHERE id = 4")
        conn.exec_driver_sql("UPDATE tasks SET status = 'done', reward_cents = 40, cost_cents = 4, profit_cents = 36, "
                             "model = 'gpt-4o', completed_at = '2026-06-10 09:00' WHERE id = 4")
        conn.exec_driver_sql("DELETE FROM tasks WHERE id = 3")
        conn.exec_driver_sql("UPDATE tasks SET invoice_id = NULL")  # irrelevant columns leave the rollups alone
    rows = run(data, "profit_over_time", period="last_30_days", grain="week").rows
    assert [(r["bucket"], r["tasks"], r["reward_cents"], r["profit_cents"]) for r in rows] == [
        (d("2026-06-01"), 2, 180, 150), (d("2026-06-08"), 1, 40, 36),
    ]
    rows = run(data, "task_throughput", period="last_30_days", grain="week").rows
    assert [(r["bucket"], r["created"], r["done"], r["failed"]) for r in rows] == [
        (d("2026-06-01"), 2, 2, 0), (d("2026-06-08"), 2, 1, 0),
    ]


def test_a_status_change_that_moves_no_rollup_figure_writes_no_rollup_row(data: AppContext) -> None:
    # Regression: a claim (pending -> running) upserted +0 into its customer's day row, so every claim of every
    # Ops slot queued on that one row's lock (migration rollup_skip_zero).
    versions = "SELECT xmin::text FROM canvas_task_created_daily ORDER BY day, customer_id"
    with data.engine.begin() as conn:
        before = conn.exec_driver_sql(versions).scalars().all()
        conn.exec_driver_sql("UPDATE tasks SET status = 'running' WHERE status = 'pending'")
        after = conn.exec_driver_sql(versions).scalars().all()
        conn.exec_driver_sql("UPDATE tasks SET status = 'failed' WHERE status = 'running'")
        failed = conn.exec_driver_sql("SELECT sum(failed) FROM canvas_task_created_daily").scalar()
        truth = conn.exec_driver_sql("SELECT count(*) FROM tasks WHERE status = 'failed'").scalar()
    assert before and after == before
    assert failed == truth > 0


def test_lead_funnel_last_30_days(data: AppContext) -> None:
    rows = run(data, "lead_funnel", period="last_30_days").rows
    assert [(r["stage"], r["count"], r["pct_of_previous"], r["pct_of_leads"]) for r in rows] == [
        ("leads", 6, None, 100.0), ("contacted", 5, 83.3, 83.3), ("responded", 3, 60.0, 50.0),
        ("qualified", 2, 66.7, 33.3), ("customers", 2, 100.0, 33.3), ("lost", 1, None, 16.7),
    ]


def test_runway_estimate_from_cash_balance_and_90_day_burn(data: AppContext) -> None:
    (row,) = run(data, "runway_estimate").rows
    assert row["cash_balance_cents"] == 100000
    assert (row["collected_90d_cents"], row["spend_90d_cents"]) == (15000, 30500)
    assert row["monthly_net_burn_cents"] == 5167  # 15500 net over 90 days → per 30 days
    assert row["months_of_runway"] == 19.4
    assert row["runs_out_on"] == date(2028, 1, 18)


def test_runway_estimate_without_cash_balance_says_so(ctx: AppContext) -> None:
    (row,) = run(ctx, "runway_estimate").rows
    assert row["cash_balance_cents"] is None and row["months_of_runway"] is None
    assert "No cash balance" in row["note"]


def test_burn_rate_per_month(data: AppContext) -> None:
    rows = run(data, "burn_rate", period="last_90_days").rows
    assert [(r["month"], r["in_cents"], r["out_cents"], r["net_burn_cents"]) for r in rows] == [
        (d("2026-04-01"), 5000, 0, -5000), (d("2026-05-01"), 0, 22000, 22000), (d("2026-06-01"), 10000, 8500, -1500),
    ]


def test_spend_by_vendor_last_90_days(data: AppContext) -> None:
    rows = run(data, "spend_by_vendor", period="last_90_days").rows
    assert [(r["vendor"], r["entries"], r["spend_cents"], r["pct_of_spend"]) for r in rows] == [
        ("Payroll Co", 1, 20000, 65.6), ("AWS", 1, 5000, 16.4), ("OpenAI", 2, 5000, 16.4), ("(unknown)", 1, 500, 1.6),
    ]


def test_spend_by_vendor_limit(data: AppContext) -> None:
    rows = run(data, "spend_by_vendor", period="last_90_days", limit=2).rows
    assert [r["vendor"] for r in rows] == ["Payroll Co", "AWS"]


def test_failed_payments_reads_customer_amount_and_reason(data: AppContext) -> None:
    rows = run(data, "failed_payments", period="last_90_days").rows
    assert [(r["occurred_at"], r["type"], r["customer"], r["amount_cents"], r["reason"]) for r in rows] == [
        (d("2026-06-07"), "charge.failed", "Hooli", 1200, "Insufficient funds"),
        (d("2026-06-03"), "invoice.payment_failed", "Acme", 5000, "Your card was declined."),
    ]


def test_invoice_aging_buckets(data: AppContext) -> None:
    rows = run(data, "invoice_aging").rows
    assert [(r["status"], r["bucket"], r["invoices"], r["amount_cents"], r["oldest_days"]) for r in rows] == [
        ("sent", "0–30 days", 1, 5000, 5), ("sent", "31–60 days", 1, 4000, 36), ("sent", "61–90 days", 0, 0, None),
        ("sent", "90+ days", 1, 2500, 134),
        ("draft", "0–30 days", 0, 0, None), ("draft", "31–60 days", 0, 0, None), ("draft", "61–90 days", 1, 7000, 75),
        ("draft", "90+ days", 0, 0, None),
    ]


def test_agent_run_health_per_agent(data: AppContext) -> None:
    rows = run(data, "agent_run_health", period="last_30_days").rows
    got = [(r["agent"], r["runs"], r["succeeded"], r["failed"], r["skipped"], r["error_rate_pct"], r["avg_seconds"],
            r["last_error"]) for r in rows]
    assert got == [
        ("billing", 1, 1, 0, 0, 0.0, 4.0, None), ("bizdev", 1, 0, 0, 1, 0.0, 2.0, None),
        ("ops", 3, 1, 2, 0, 66.7, 20.0, "boom 2"),
    ]


def test_agent_run_health_one_agent(data: AppContext) -> None:
    rows = run(data, "agent_run_health", period="all_time", agent="ops").rows
    assert [(r["agent"], r["runs"], r["failed"]) for r in rows] == [("ops", 4, 2)]


def test_proposal_stats_by_type_and_status(data: AppContext) -> None:
    rows = run(data, "proposal_stats", period="last_30_days").rows
    assert [(r["action_type"], r["status"], r["proposals"], r["avg_minutes_to_decision"]) for r in rows] == [
        ("email", "approved", 2, 45.0), ("email", "rejected", 1, 90.0), ("stripe_checkout", "pending", 1, None),
    ]


def test_last_updated_is_the_newest_source_timestamp(data: AppContext) -> None:
    assert run(data, "revenue_by_customer").last_updated == d("2026-06-10")
    assert run(data, "agent_run_health").last_updated == d("2026-06-13 09:00")


def test_result_carries_columns_chart_and_validated_params(data: AppContext) -> None:
    result = run(data, "spend_by_vendor", limit=3)
    assert result.params == {"period": "last_90_days", "start": None, "end": None, "limit": 3,
                             "compare_to": None, "total": False}
    assert result.columns[:2] == ["vendor", "categories"]
    assert result.chart is not None and (result.chart.x, result.chart.y) == ("vendor", "spend_cents")


def test_row_cap_truncates_and_says_so(data: AppContext) -> None:
    result = run_analytics(data.engine, "llm_cost_over_time", {"period": "all_time", "grain": "day"},
                           row_cap=2, now=NOW)
    assert len(result.rows) == 2 and result.truncated and result.notes


def test_unknown_function_is_refused(data: AppContext) -> None:
    with pytest.raises(AnalyticsError, match="not a canvas function"):
        run_analytics(data.engine, "drop_everything", {})


@pytest.mark.parametrize("params", [
    {"limit": 0}, {"limit": 101}, {"period": "forever"}, {"status": "paid; DROP TABLE invoices"},
    {"start": "2026-06-10", "end": "2026-06-01"}, {"sql": "SELECT 1"},
])
def test_invalid_params_are_refused_with_one_message(data: AppContext, params: dict) -> None:
    with pytest.raises(AnalyticsError, match="Invalid"):
        run_analytics(data.engine, "revenue_by_customer", params)


def test_truncating_tasks_empties_the_rollups(data: AppContext, owner_session) -> None:
    owner_session.execute(text("TRUNCATE tasks CASCADE"))  # and their workflow steps (task_steps); the owner's
    owner_session.commit()
    assert run(data, "profit_over_time", period="all_time").rows == []
    assert run(data, "task_throughput", period="all_time").rows == []


def test_bench_canvas_reports_every_function(data: AppContext) -> None:
    import argparse

    from bench.canvas import run as run_bench_canvas

    figures = run_bench_canvas(data, argparse.Namespace(runs=2))
    assert set(figures["functions"]) == set(WHITELIST)
    assert all(f["p95_ms"] is not None and f["p95_ms"] >= f["p50_ms"] > 0 for f in figures["functions"].values())
    assert figures["database_bytes"] > 0 and figures["tasks"] == 6
