"""The control room through Streamlit's AppTest, on a real test database."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from core.app.demo import seed_demo


def test_empty_database_offers_demo_data_and_loads_it(console: AppTest, session: Session) -> None:
    console.run()
    assert not console.exception
    load = [b for b in console.button if b.label == "Load demo data"]
    assert load, "an empty database shows a Load demo data button"
    load[0].click().run()
    assert not console.exception
    assert session.execute(text("SELECT count(*) FROM leads")).scalar_one() > 0
    assert not [b for b in console.button if b.label == "Load demo data"]


def test_seeded_control_room_shows_metrics_and_tables(console: AppTest, session: Session) -> None:
    seed_demo(session)
    console.run()
    assert not console.exception
    blocks = " ".join(h.proto.body for h in console.get("html"))  # the figure grid and the funnel/queue bars
    for label in ("Leads", "Customers", "Pending tasks", "Earned", "Invoiced", "Collected", "LLM cost",
                  "Gross margin", "Net profit", "Unpaid invoices", "Lead funnel", "Task queue"):
        assert f">{label}<" in blocks, label
    assert '>Leads</div><div class="val" title="40">40<' in blocks
    assert len(console.dataframe) == 0  # the page opens on its charts; the tables' tabs are lazy
    assert len(console.get("vega_lite_chart")) == 1  # money over 30 days; the funnel and the queue are HTML bars
    console.session_state["control_room_tab"] = "Leads"
    console.run()
    assert not console.exception and len(console.dataframe) == 1


def test_only_the_open_tab_renders_its_table(console: AppTest, session: Session) -> None:
    seed_demo(session)
    console.session_state["control_room_tab"] = "Leads"
    console.run()
    assert "lead_status" in console.session_state and "task_status" not in console.session_state
    console.session_state["control_room_tab"] = "Tasks"
    console.run()
    assert not console.exception and len(console.dataframe) == 1
    assert "reward" in console.dataframe[0].value.columns


def test_run_bizdev_button_shows_the_run_and_adds_leads(console: AppTest, session: Session) -> None:
    console.run()
    before = session.execute(text("SELECT count(*) FROM leads")).scalar_one()
    next(b for b in console.button if b.label == "Run BizDev").click().run()
    assert not console.exception
    after = session.execute(text("SELECT count(*) FROM leads")).scalar_one()
    assert after > before
    assert any("bizdev: succeeded" in s.value for s in console.success)


def test_lead_filter_runs_in_sql_and_pages(console: AppTest, session: Session) -> None:
    seed_demo(session)
    console.session_state["control_room_tab"] = "Leads"
    console.run()
    console.selectbox(key="lead_status").select("Qualified").run()
    assert not console.exception
    statuses = {s for badge in console.dataframe[0].value["status"] for s in badge}  # a badge holds its status
    assert statuses == {"Qualified"}


def test_mark_responded_moves_the_lead_and_audits_it(console: AppTest, session: Session) -> None:
    lead_id = session.execute(
        text("INSERT INTO leads (company, email) VALUES ('Zed Co', 'z@zed.example') RETURNING id")
    ).scalar_one()
    session.commit()
    console.session_state["control_room_tab"] = "Leads"
    console.run()
    console.button(key="mark_responded").click().run()
    assert not console.exception
    assert session.execute(text("SELECT status FROM leads WHERE id = :i"), {"i": lead_id}).scalar_one() == "responded"
    audit = session.execute(text("SELECT actor_type, from_status, to_status FROM audit_log WHERE entity = 'lead'")).one()
    assert tuple(audit) == ("user", "new", "responded")


def test_failed_task_can_be_retried_from_the_page(console: AppTest, session: Session) -> None:
    cid = session.execute(text("INSERT INTO customers (company) VALUES ('Acme') RETURNING id")).scalar_one()
    tid = session.execute(text(
        "INSERT INTO tasks (customer_id, description, status, attempts, last_error) "
        "VALUES (:c, 'Research', 'failed', 3, 'APIStatusError: 500') RETURNING id"), {"c": cid}).scalar_one()
    session.commit()
    console.session_state["control_room_tab"] = "Tasks"
    console.run()
    console.selectbox(key="task_status").select("Failed").run()
    console.button(key="retry_task").click().run()
    assert not console.exception
    row = session.execute(text("SELECT status, attempts FROM tasks WHERE id = :i"), {"i": tid}).one()
    assert tuple(row) == ("pending", 0)


def test_pool_state_line_shows_queue_and_budget(console: AppTest) -> None:
    console.run()
    notes = " ".join(h.proto.body for h in console.get("html"))
    assert "Ops pool:" in notes and "daily budget no cap" in notes


def test_demo_data_is_offered_and_loads_after_the_first_bizdev_leads(console: AppTest, session: Session) -> None:
    session.execute(text("INSERT INTO leads (company, email) VALUES ('Early Lead', 'early@lead.example')"))
    session.commit()
    console.run()
    next(b for b in console.button if b.label == "Load demo data").click().run()
    assert not console.exception
    assert session.execute(text("SELECT count(*) FROM customers")).scalar_one() > 0
    assert session.execute(text("SELECT count(*) FROM leads WHERE email = 'early@lead.example'")).scalar_one() == 1


def test_tables_show_readable_headers_dollars_and_status_badges(console: AppTest, session: Session) -> None:
    seed_demo(session)
    console.session_state["control_room_tab"] = "Tasks"
    console.run()
    console.selectbox(key="task_status").select("Done").run()
    tasks = next(d for d in console.dataframe if "reward" in d.value.columns)
    assert {"reward", "cost", "profit"} <= set(tasks.value.columns)  # cents shown as dollars, renamed
    assert all(list(badge) == ["Done"] for badge in tasks.value["status"])
    assert (tasks.value["reward"] >= 25).all() and (tasks.value["reward"] <= 120).all()  # $25–$120, cents as dollars
