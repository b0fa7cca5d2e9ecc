"""Issue 31's canvas misses, each answered as asked, on real Postgres with the fixed dataset."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.analytics import AnalyticsError, run_analytics
from core.analytics.canvas import answer_json, worker_names
from core.analytics.matcher import match_question
from core.config.context import AppContext
from tests.canvas_dataset import NOW, load_canvas_dataset

TODAY = NOW.date()
CUSTOMERS = ("Acme", "Globex", "Initech")


@pytest.fixture
def data(ctx: AppContext) -> AppContext:
    load_canvas_dataset(ctx.engine)
    return ctx


def _answer(ctx: AppContext, question: str, workers: tuple[str, ...] = (), fiscal: int = 1):
    choice = match_question(question, CUSTOMERS, today=TODAY, worker_names=workers)
    assert choice.function, (question, choice.message)
    return choice, run_analytics(ctx.engine, choice.function, choice.params, now=NOW, fiscal_start_month=fiscal)


@pytest.mark.parametrize(("question", "function"), [
    ("revnue per custmer", "revenue_by_customer"), ("proffit by day", "profit_over_time"),
    ("runwya?", "runway_estimate"), ("recievables", "receivables"),
])
def test_a_typo_is_corrected_to_the_word_it_meant(question: str, function: str) -> None:
    assert match_question(question, CUSTOMERS, today=TODAY).function == function


@pytest.mark.parametrize(("question", "function"), [
    ("what have we earned this month", "profit_over_time"), ("how much did we collect", "profit_and_loss"),
    ("refunds this quarter", "profit_and_loss"), ("what's outstanding", "receivables"), ("AR", "receivables"),
    ("what's our burn", "burn_rate"),
])
def test_the_consoles_money_words_are_known(question: str, function: str) -> None:
    assert match_question(question, CUSTOMERS, today=TODAY).function == function


def test_the_most_profitable_customer_is_ranked_net_of_llm_cost(data: AppContext) -> None:
    choice, result = _answer(data, "which customer is most profitable?")
    assert choice.function == "customer_profitability"
    assert [(r["customer"], r["gross_margin_cents"]) for r in result.rows] == [("Acme", 235), ("Globex", 30)]


def test_revenue_last_month_leads_with_one_total(data: AppContext) -> None:
    choice, result = _answer(data, "what was our revenue last month?")
    assert choice.params["total"] is True and choice.params["period"] == "last_month"
    assert result.headline[0] == ("Invoiced", "$140.00")


def _hire(ctx: AppContext) -> None:
    with ctx.engine.begin() as conn:
        conn.execute(text("INSERT INTO agents (name, kind, role) VALUES ('Quill', 'worker', 'writer')"))
        conn.execute(text("""
            INSERT INTO tasks (id, customer_id, agent, description, status, reward_cents, cost_cents, profit_cents,
                               created_at, completed_at) OVERRIDING SYSTEM VALUE
            VALUES (101, 1, 'Quill', 'r1', 'done', 500, 40, 460, '2026-06-12', '2026-06-12 10:00'),
                   (102, 2, 'Quill', 'r2', 'done', 300, 20, 280, '2026-06-13', '2026-06-13 10:00')"""))


def test_tasks_per_worker_are_split_by_worker(data: AppContext) -> None:
    _hire(data)
    choice, result = _answer(data, "how many tasks did each worker finish last week?", ("Quill",))
    assert choice.function == "worker_performance"
    assert {r["worker"]: r["done"] for r in result.rows} == {"Quill": 2, "ops": 1}  # ops: the pool's t3 (done 9 June)


def test_a_named_worker_is_never_dropped(data: AppContext) -> None:
    _hire(data)
    names = tuple(worker_names(data.engine))
    choice, result = _answer(data, "agent run health for Quill", names)
    assert choice.params["worker"] == "Quill"
    assert [(r["worker"], r["done"], r["llm_cost_cents"]) for r in result.rows] == [("Quill", 2, 60)]


def test_an_unknown_worker_is_refused_in_words(data: AppContext) -> None:
    with pytest.raises(AnalyticsError, match="There is no worker named Zed"):
        run_analytics(data.engine, "worker_performance", {"worker": "Zed"}, now=NOW)
    assert "no worker named Zed" in match_question("throughput of worker Zed", today=TODAY).message


def test_ops_batch_is_an_agent_name(data: AppContext) -> None:
    assert match_question("ops_batch run errors", today=TODAY).params["agent"] == "ops_batch"


def test_since_the_first_is_this_month() -> None:
    assert match_question("net profit since the 1st", today=TODAY).params["period"] == "this_month"


def test_this_fiscal_year_starts_in_the_configured_month(data: AppContext) -> None:
    _, result = _answer(data, "gross margin this fiscal year", fiscal=4)
    assert result.read_as == "this fiscal year: 2026-04-01 to 2027-03-31"


def test_this_month_vs_last_month_compares_the_totals(data: AppContext) -> None:
    choice, result = _answer(data, "net profit this month vs last month")
    assert choice.params["compare_to"] == "last_month"
    net = next(r for r in result.comparison if r["figure"] == "Net profit")
    # June: 10000 in, 3000 + 5000 + 500 out; May: 20000 + 2000 out.
    assert (net["this month"], net["last month"], net["change"]) == ("$15.00", "-$220.00", "+$235.00")


def test_how_much_cash_do_we_have_is_answered() -> None:
    assert match_question("how much cash do we have?", today=TODAY).function == "runway_estimate"


def test_a_truncated_ranking_says_top_10_of_16(data: AppContext) -> None:
    with data.engine.begin() as conn:
        for i in range(13):
            conn.execute(text("INSERT INTO customers (id, company) OVERRIDING SYSTEM VALUE VALUES (:i, :c)"),
                         {"i": 100 + i, "c": f"Extra {i:02d}"})
            conn.execute(text("INSERT INTO invoices (id, customer_id, amount_cents, status, created_at) "
                              "OVERRIDING SYSTEM VALUE VALUES (:i, :i, 100, 'sent', '2026-06-01')"), {"i": 100 + i})
    result = run_analytics(data.engine, "revenue_by_customer", {}, now=NOW)
    assert len(result.rows) == 10 and result.of_rows == 16 and result.truncated is True
    assert "Top 10 of 16 customers." in result.notes
    assert result.totals["amount_cents"] == 10000 + 5000 + 20000 + 4000 + 7000 + 2500 + 13 * 100


def test_every_answer_has_its_link() -> None:
    choice = match_question("AR", today=TODAY)
    assert answer_json("who owes us?", choice, None)["link"] == "canvas?q=who+owes+us%3F"
