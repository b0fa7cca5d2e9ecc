"""The Canvas page under AppTest: a question shows the function, its parameters, a table and no exception."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.analytics import WHITELIST
from core.config.context import AppContext
from tests.canvas_dataset import load_canvas_dataset
from ui.canvas_view import build_chart, filter_by_selection, result_frame

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


@pytest.fixture
def app(ctx: AppContext, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    load_canvas_dataset(ctx.engine)
    monkeypatch.setenv("DATABASE_URL", db_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/canvas.py")
    at.run()
    yield at
    from ui.context import _bootstrap

    _bootstrap().engine.dispose()  # close the page's pooled connections before dropping the cached context
    st.cache_resource.clear()


def texts(at: AppTest) -> str:
    return "\n".join([t.value for t in at.text] + [s.value for s in at.subheader])


def test_question_shows_function_params_and_table(app: AppTest) -> None:
    app.text_input(key="canvas_q").input("top 2 customers by revenue").run()
    assert not app.exception
    assert "Revenue by customer" in texts(app) and "revenue_by_customer" not in [s.value for s in app.subheader]
    assert app.number_input(key="canvas_revenue_by_customer_limit").value == 2
    table = app.dataframe[0].value
    assert list(table["Customer"]) == ["Globex", "Acme"] and list(table["Amount ($)"]) == [240.0, 150.0]


def test_editing_a_parameter_reruns_the_query(app: AppTest) -> None:
    app.text_input(key="canvas_q").input("top 2 customers by revenue").run()
    app.number_input(key="canvas_revenue_by_customer_limit").set_value(3).run()
    assert not app.exception
    assert list(app.dataframe[-1].value["Customer"]) == ["Globex", "Acme", "Initech"]


def test_example_button_asks_its_question(app: AppTest) -> None:
    app.button(key="canvas_example_4").click().run()
    assert not app.exception
    assert "Unpaid invoices by age" in texts(app) and len(app.dataframe[-1].value) == 8  # sent and draft buckets


def test_unanswerable_question_shows_the_help_list(app: AppTest) -> None:
    app.text_input(key="canvas_q").input("DROP TABLE tasks").run()
    assert not app.exception and not app.dataframe
    assert "runway_estimate" in texts(app)


def test_customer_name_with_markup_renders_as_text(app: AppTest, ctx: AppContext) -> None:
    with ctx.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE customers SET company = '<script>alert(1)</script>' WHERE id = 3")
    app.text_input(key="canvas_q").input("revenue by customer").run()
    assert not app.exception
    assert "<script>alert(1)</script>" in list(app.dataframe[-1].value["Customer"])
    assert all("<script>" not in m.value for m in app.markdown)


def test_bar_selection_filters_rows() -> None:
    spec = WHITELIST["revenue_by_customer"].chart
    df = pd.DataFrame({"customer": ["A", "B", "C"], "amount_cents": [3, 2, 1]})
    assert list(filter_by_selection(df, spec, {"pick": [{"customer": "B"}]})["customer"]) == ["B"]
    assert len(filter_by_selection(df, spec, {})) == 3


def test_time_brush_filters_rows() -> None:
    spec = WHITELIST["profit_over_time"].chart
    df = result_frame([{"bucket": pd.Timestamp(f"2026-06-0{d}", tz="UTC").to_pydatetime(), "profit_cents": d}
                       for d in (1, 2, 3, 4)], ["bucket", "profit_cents"])
    lo, hi = pd.Timestamp("2026-06-02", tz="UTC"), pd.Timestamp("2026-06-03", tz="UTC")
    brushed = filter_by_selection(df, spec, {"brush": {"bucket": [lo.value // 10**6, hi.value // 10**6]}})
    assert list(brushed["profit_cents"]) == [2, 3]


def test_charts_carry_the_selection_and_the_noir_background() -> None:
    for fn in WHITELIST.values():
        if fn.chart is None:
            continue
        row = {fn.chart.x: "x", fn.chart.y: 1} | ({fn.chart.color: "c"} if fn.chart.color else {})
        spec = build_chart(pd.DataFrame([row]), fn.chart).to_dict()
        assert spec["config"]["background"] == "#0B0B0D"
        assert spec["params"][0]["name"] == ("brush" if fn.chart.temporal else "pick")


def test_a_canvas_link_opens_its_answer_and_every_answer_shows_its_link(app: AppTest) -> None:
    app.query_params["q"] = "who owes us?"
    app.run()
    assert not app.exception
    assert "Who owes us" in texts(app)
    assert any("canvas?q=who+owes+us%3F" in m.value for m in app.markdown)


def test_the_answer_speaks_in_words_and_dates() -> None:
    from ui.canvas_view import display_frame

    df = result_frame([{"bucket": pd.Timestamp("2026-09-14", tz="UTC"), "gross_margin_cents": 1234}],
                      ["bucket", "gross_margin_cents"])
    shown = display_frame(df)
    assert list(shown.columns) == ["Period", "Gross margin ($)"] and shown["Period"][0] == "2026-09-14"
