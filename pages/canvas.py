"""Canvas: a plain-English question → one whitelisted analytics function → editable params, table, chart."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import streamlit as st
from sqlalchemy.exc import DBAPIError

from core.agents.registry import AGENT_NAMES
from core.analytics import (
    GRAINS,
    INVOICE_FILTERS,
    PERIODS,
    WHITELIST,
    AnalyticsError,
    AnalyticsTimeout,
    labels,
    run_analytics,
)
from core.analytics.canvas import answer_question, canvas_link, customer_names, worker_names
from core.money.cents import dollars
from ui.canvas_view import build_chart, display_frame, dollar_columns, filter_by_selection, result_frame
from ui.context import app_context

EXAMPLES = (
    "Which customers brought in the most money last month?",
    "How much profit did we make week by week?",
    "What did we spend on OpenAI per day over the last 30 days?",
    "How many months of runway do we have?",
    "Which invoices are overdue?",
    "Are any agents failing?",
)
ALL = "(all)"

ctx = app_context()
st.title("Canvas")
st.caption("Ask a question about the business. It is answered by one whitelisted, read-only query.")


def _ask(question: str) -> None:
    st.session_state["canvas_q"] = question


cols = st.columns(3)
for i, example in enumerate(EXAMPLES):
    cols[i % 3].button(example, key=f"canvas_example_{i}", on_click=_ask, args=(example,), width="stretch")

# A canvas?q=... link opens its answer (SPEC §21): the question in the address is asked once, on arrival.
linked = st.query_params.get("q")
if linked and st.session_state.get("canvas_linked") != linked:
    st.session_state["canvas_linked"] = linked
    st.session_state["canvas_q"] = str(linked)[:500]

question = st.text_input("Question", key="canvas_q", placeholder="e.g. top 5 clients by revenue this year")
if not question.strip():
    st.stop()


@st.cache_data(ttl=60, show_spinner=False)
def _customers() -> list[str]:
    return customer_names(ctx.engine, ctx.settings.canvas_statement_timeout_ms)


@st.cache_data(ttl=60, show_spinner=False)
def _workers() -> list[str]:
    return worker_names(ctx.engine, ctx.settings.canvas_statement_timeout_ms)


# One mapping per question (an OpenAI call is not repeated on every rerun); widgets start from its params.
if st.session_state.get("canvas_choice_for") != question:
    choice = answer_question(ctx.settings, question, _customers(), _workers())
    st.session_state["canvas_choice_for"] = question
    st.session_state["canvas_choice"] = choice
    if choice.function:
        model = WHITELIST[choice.function].params_model
        defaults = model.model_validate(choice.params).model_dump()
        for field, value in defaults.items():
            st.session_state[f"canvas_{choice.function}_{field}"] = ALL if value is None and field in (
                "customer", "agent", "worker") else value
choice = st.session_state["canvas_choice"]

if choice.function is None:
    st.warning("The canvas cannot answer that question.")
    st.text(choice.message)
    st.stop()

fn = WHITELIST[choice.function]
st.subheader(labels.title(fn.name))
st.text(f"{fn.description}  (chosen {'by the model' if choice.via == 'openai' else 'offline'})")
st.markdown(f"[Link to this answer]({canvas_link(question)})")


def _param_widgets() -> dict[str, Any]:
    """Editable parameters; changing one re-runs the query."""
    fields = fn.params_model.model_fields
    key = f"canvas_{fn.name}_"
    params: dict[str, Any] = {}
    shown = [f for f in ("period", "compare_to", "grain", "status", "order", "limit", "customer", "agent", "worker")
             if f in fields]
    if not shown:
        st.text("This function takes no parameters.")
        return params
    widgets = st.columns(len(shown))
    for col, field in zip(widgets, shown, strict=True):
        with col:
            if field == "period":
                params["period"] = st.selectbox("Period", (*PERIODS, "custom"), key=key + "period",
                                                format_func=labels.choice)
            elif field == "compare_to":
                picked = st.selectbox("Compare with", (None, "previous", *PERIODS), key=key + "compare_to",
                                      format_func=lambda v: "Nothing" if v is None else labels.choice(v))
                params["compare_to"] = picked
            elif field == "grain":
                params["grain"] = st.selectbox("Grain", GRAINS, key=key + "grain", format_func=labels.choice)
            elif field == "status":
                params["status"] = st.selectbox("Invoices", INVOICE_FILTERS, key=key + "status",
                                                format_func=labels.choice)
            elif field == "order":
                params["order"] = st.selectbox("Order", ("most", "least"), key=key + "order",
                                               format_func=labels.choice)
            elif field == "limit":
                params["limit"] = int(st.number_input("How many", 1, 100, step=1, key=key + "limit"))
            elif field == "worker":
                options = [ALL, *_workers()]
                current = st.session_state.get(key + "worker", ALL)
                if current not in options:
                    options.append(current)
                picked = st.selectbox("Worker", options, key=key + "worker")
                params["worker"] = None if picked == ALL else picked
            elif field == "customer":
                current = st.session_state.get(key + "customer", ALL)
                options = [ALL, *_customers()]
                if current not in options:
                    options.append(current)
                picked = st.selectbox("Customer", options, key=key + "customer")
                params["customer"] = None if picked == ALL else picked
            elif field == "agent":
                current = st.session_state.get(key + "agent", ALL)
                options = [ALL, *AGENT_NAMES] + ([current] if current not in (ALL, *AGENT_NAMES) else [])
                picked = st.selectbox("Agent", options, key=key + "agent")
                params["agent"] = None if picked == ALL else picked
    if params.get("period") == "custom":
        start_default = st.session_state.get(key + "start") or date.today() - timedelta(days=30)
        end_default = st.session_state.get(key + "end") or date.today()
        c1, c2 = st.columns(2)
        params["start"] = c1.date_input("From", value=start_default, key=key + "start_in")
        params["end"] = c2.date_input("To", value=end_default, key=key + "end_in")
        params.pop("period")
    return params


params = _param_widgets()
try:
    if choice.params.get("total"):
        params["total"] = True
    result = run_analytics(ctx.engine, fn.name, params, timeout_ms=ctx.settings.canvas_statement_timeout_ms,
                           row_cap=ctx.settings.canvas_row_cap,
                           fiscal_start_month=ctx.settings.canvas_fiscal_year_start_month)
except AnalyticsError as exc:
    st.error(str(exc))
    st.stop()
except AnalyticsTimeout as exc:
    st.error(f"{exc}.")
    st.stop()
except DBAPIError as exc:  # the database itself failed (it went away mid-query): one line, no SQL
    st.error(f"The query failed: {type(exc.orig).__name__}; see the server log.")
    st.stop()

updated = result.last_updated.strftime("%Y-%m-%d %H:%M:%S UTC") if result.last_updated else "no data yet"
st.caption(f"Period read as: {result.read_as}")  # SPEC §17: every answer says how it read the period
st.text(f"Data last updated: {updated}   ·   {len(result.rows)} rows")
for note in result.notes:
    st.text(note)
if result.headline and (result.params.get("total") or not result.comparison):  # the total first (SPEC §21)
    for col, (label, value) in zip(st.columns(len(result.headline)), result.headline, strict=True):
        col.metric(label, value)
if result.comparison:
    st.caption(f"Compared with {result.compare_read_as}")
    st.dataframe(result.comparison, hide_index=True, width="stretch")

df = result_frame(result.rows, result.columns)
if df.empty:
    st.info("No rows for these parameters.")
    st.stop()

if fn.chart is None:
    row = result.rows[0]
    c1, c2, c3 = st.columns(3)
    months = row.get("months_of_runway")
    c1.metric("Months of runway", "∞" if months is None and row.get("cash_balance_cents") else str(months or "—"))
    cash = row.get("cash_balance_cents")
    c2.metric("Cash balance", dollars(cash) if cash is not None else "not set")
    c3.metric("Monthly net burn", dollars(row["monthly_net_burn_cents"]))
    shown = df
else:
    event = st.altair_chart(build_chart(df, fn.chart), on_select="rerun", key=f"canvas_chart_{fn.name}",
                            width="stretch")
    selection = dict(event.get("selection", {})) if event else {}
    shown = filter_by_selection(df, fn.chart, selection)
    if len(shown) != len(df):
        st.text(f"Showing the {len(shown)} of {len(df)} rows inside the chart selection.")

table = display_frame(shown)
st.dataframe(table, hide_index=True, width="stretch",
             column_config={c: st.column_config.NumberColumn(c, format="$%.2f") for c in dollar_columns(table)})
st.download_button("Download CSV", shown.to_csv(index=False).encode("utf-8"), file_name=f"{fn.name}.csv",
                   mime="text/csv", key="canvas_csv")
