"""Altair charts of the control room's glance (SPEC §17); every field is a number, a date or a fixed label."""

from __future__ import annotations

import altair as alt
import pandas as pd


def money_chart(rows: list[dict]) -> alt.Chart:
    """Earned, collected, LLM cost and net per day, in dollars; tooltips name the day, the series and the amount."""
    df = pd.DataFrame(rows, columns=["day", "series", "label", "cents"])
    df["dollars"] = df["cents"] / 100.0
    df["day"] = pd.to_datetime(df["day"])
    order = list(dict.fromkeys(df["label"]))
    return alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("day:T", title=None),
        y=alt.Y("dollars:Q", title="$ per day"),
        color=alt.Color("label:N", title=None, sort=order),
        tooltip=[alt.Tooltip("day:T", title="Day"), alt.Tooltip("label:N", title="Figure"),
                 alt.Tooltip("dollars:Q", title="Amount ($)", format=",.2f")],
    ).properties(height=220)


def bar_chart(rows: list[dict], x: str, y: str, title: str, order: str | None = None) -> alt.Chart:
    """A small horizontal bar chart of counts (the lead funnel, the queue)."""
    df = pd.DataFrame(rows)
    sort = alt.EncodingSortField(field=order, order="ascending") if order else "-x"
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y(f"{x}:N", title=None, sort=sort),
        x=alt.X(f"{y}:Q", title=title),
        tooltip=[alt.Tooltip(f"{x}:N", title=title), alt.Tooltip(f"{y}:Q", title="Count")],
    ).properties(height=160)
